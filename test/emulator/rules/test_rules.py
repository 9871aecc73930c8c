"""The emulator's rule table (emulator/rules.py) against its code, and the parity table against the table.

- every rule has a source, or says what is assumed;
- every rule is applied somewhere in the emulator (``rule("<id>")``), and every rule applied is in the table;
- docs/emulator-parity.md is what ``python emulator/rules_table.py --write`` writes;
- the resource types the IAM enforcement attaches to an action are ones the service authorization reference
  lists for it (``iam.resources-per-action``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
EMULATOR = ROOT / "emulator"
sys.path.insert(0, str(EMULATOR))

import rules_table  # noqa: E402
from iam import context, reference  # noqa: E402
from rules import RULES, rule  # noqa: E402

APPLIED = re.compile(r"""\brule\(\s*["']([a-z0-9.-]+)["']\s*\)""")


def applied_ids() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(EMULATOR.rglob("*.py")):
        if path.name in ("rules.py", "rules_table.py"):
            continue
        for rule_id in APPLIED.findall(path.read_text()):
            found.setdefault(rule_id, []).append(str(path.relative_to(ROOT)))
    # Rules named through a variable: the conditional picks below (models.py's revoke, _require_ra3's callers).
    for path in sorted(EMULATOR.rglob("*.py")):
        for rule_id in re.findall(r'"((?:create|authorize|revoke)\.[a-z0-9-]+)"', path.read_text()):
            if rule_id in RULES:
                found.setdefault(rule_id, []).append(str(path.relative_to(ROOT)))
    return found


def test_every_rule_has_a_source_or_says_what_is_assumed():
    assert [r.id for r in RULES.values() if not (r.source or r.assumed)] == []
    assert [r.id for r in RULES.values() if not r.does] == []


def test_every_rule_is_applied_and_every_rule_applied_is_in_the_table():
    applied = applied_ids()
    assert sorted(set(RULES) - set(applied)) == []
    assert sorted(set(applied) - set(RULES)) == []


def test_naming_an_unknown_rule_fails_naming_it():
    try:
        rule("create.no-such-rule")
    except KeyError as e:
        assert "emulator rule 'create.no-such-rule' is not in emulator/rules.py" in str(e)
    else:
        raise AssertionError("rule() accepted an unknown id")


def test_the_parity_table_is_current():
    assert (ROOT / "docs" / "emulator-parity.md").read_text() == rules_table.render(), "run .venv/emulator/bin/python emulator/rules_table.py --write"


#: Where a user reads what AWS does: an assumed rule's claims must not appear here.
USER_FACING = ["README.md", "docs/rehearsal.md", "docs/runbooks.md", "docs/iam.md", "lib/config/checks.ts"]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_no_assumed_rule_is_presented_as_aws_behaviour_in_a_user_facing_document():
    claims = [(r.id, claim) for r in RULES.values() if r.assumed for claim in r.claims]
    # The rules the audits found sold as AWS behaviour each carry their claims (revoke-in-use, one per VPC, one ENI).
    assert {"revoke.in-use-without-force", "create.one-per-vpc", "create.subnet-choice"} <= {rule_id for rule_id, _ in claims}
    found = [
        f"{name}: {claim!r} (rule {rule_id}, assumed: {RULES[rule_id].assumed})"
        for name in USER_FACING
        for rule_id, claim in claims
        if _flat(claim) in _flat((ROOT / name).read_text())
    ]
    assert found == []


def test_only_a_rule_with_an_assumed_part_carries_claims():
    assert [r.id for r in RULES.values() if r.claims and not r.assumed] == []


#: Per action, the resource types the IAM enforcement attaches to its requests: the table the code itself obeys
#: (emulator/iam/context.py refuses to attach a type it does not declare), so a change there is judged here.
ENFORCED_TYPES = context.RESOURCE_TYPES


def test_the_enforcement_checks_only_resource_types_the_reference_lists_for_each_action():
    wrong = {action: types - set(reference.resource_types(action)) for action, types in ENFORCED_TYPES.items()}
    assert {a: t for a, t in wrong.items() if t} == {}


def test_the_reference_names_the_dependent_actions_the_policies_grant_for():
    assert reference.dependent_actions("route53:CreateHostedZone", set()) == ["ec2:DescribeVpcs"]
    assert set(reference.dependent_actions("ec2:CreateVpcEndpoint", {"vpc"})) >= {"ec2:DescribeVpcs", "route53:AssociateVPCWithHostedZone"}


def test_the_enforcement_refuses_to_attach_a_resource_type_its_table_does_not_declare():
    # The defect the reference audit found: a security-group-rule on RevokeSecurityGroupIngress, which the reference
    # does not list for that action.
    request = context.Context([context.Resource("arn:aws:ec2:ap-northeast-1:222222222222:security-group-rule/sgr-0abc")], {}, set())
    with pytest.raises(context.UndeclaredResourceType, match="ec2:RevokeSecurityGroupIngress was given a resource of type security-group-rule"):
        context.typed("ec2:RevokeSecurityGroupIngress", request)


def test_a_route53_request_on_a_zone_has_the_zone_as_its_resource_only_for_actions_the_table_declares():
    def zone_request(action: str) -> context.Context:
        return context.request_context(context.Request("route53", action, "222222222222", "us-east-1", {}, "/2013-04-01/hostedzone/Z123", b"", "*"))

    assert [r.arn for r in zone_request("GetHostedZone").resources] == ["arn:aws:route53:::hostedzone/Z123"]
    assert zone_request("GetDNSSEC").resources is None  # not modelled: reported unenforced, never guessed
