"""IAM's identity-policy evaluation: actions, resources and conditions with their operators, as AWS evaluates them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from rules import rule

from .context import Context, Resource


def _like(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda expected, actual: expected == actual,
    "StringEqualsIgnoreCase": lambda expected, actual: expected.lower() == actual.lower(),
    "StringLike": _like,
    "ArnEquals": lambda expected, actual: _like(expected, actual),  # IAM compares ARNs segment-wise with wildcards
    "ArnLike": _like,
}


def _condition_holds(operator: str, expected: list[str], actual: list[str] | None) -> bool | None:
    """True or False as IAM evaluates it; None for an operator this emulator does not know (reported, never guessed)."""
    qualifier, _, base = operator.rpartition(":")
    base = base.removesuffix("IfExists")
    compare = _OPERATORS.get(base)
    if compare is None:
        return None
    if operator.endswith("IfExists") and actual is None:
        return True
    values = actual or []
    match = lambda v: any(compare(e, v) for e in expected)  # noqa: E731
    if qualifier == "ForAllValues":
        return all(match(v) for v in values)
    if qualifier == "ForAnyValue":
        return any(match(v) for v in values)
    # A single-valued operator: the key must be present, and its value match.
    return bool(values) and all(match(v) for v in values)


def _listed(patterns: Any) -> list[str]:
    return [patterns] if isinstance(patterns, str) else list(patterns)


def _action_matches(patterns: Any, action: str) -> bool:
    """Action names match without case, with wildcards."""
    return any(_like(p.lower(), action.lower()) for p in _listed(patterns))


def _resource_matches(patterns: Any, arn: str) -> bool:
    """ARNs match with case, with wildcards."""
    return any(_like(p, arn) for p in _listed(patterns))


@dataclass
class Decision:
    allowed: bool
    unenforced: set[str] = field(default_factory=set)
    denied_resource: str = "*"


def evaluate(policies: list[dict[str, Any]], action: str, ctx: Context) -> Decision:
    """IAM's identity-policy evaluation: an explicit Deny wins; otherwise every resource needs an allowing statement."""
    rule("iam.evaluation")
    statements = [s for p in policies for s in (p["Statement"] if isinstance(p["Statement"], list) else [p["Statement"]])]
    unenforced: set[str] = {f"resource:{r}" for r in ctx.unmodelled}
    resources = ctx.resources if ctx.resources is not None else [None]
    if ctx.resources is None:
        unenforced.add("resource")

    def applies(statement: dict[str, Any], resource: Resource | None) -> bool:
        if "Action" in statement and not _action_matches(statement["Action"], action):
            return False
        if "NotAction" in statement and _action_matches(statement["NotAction"], action):
            return False
        if resource is not None and "Resource" in statement and not _resource_matches(statement["Resource"], resource.arn):
            return False
        if resource is not None and "NotResource" in statement and _resource_matches(statement["NotResource"], resource.arn):
            return False
        keys = {**ctx.keys, **(resource.keys if resource else {})}
        for operator, by_key in (statement.get("Condition") or {}).items():
            for key, expected in by_key.items():
                modelled = key in ctx.modelled or (resource is not None and key in resource.keys)
                if not modelled:
                    unenforced.add(key)
                    continue
                if resource is not None and resource.missing and key not in ctx.keys:
                    rule("iam.missing-resource")
                    unenforced.add(f"{key} (resource not found)")
                    continue
                holds = _condition_holds(operator, [expected] if isinstance(expected, str) else list(expected), keys.get(key))
                if holds is None:
                    unenforced.add(f"{operator}:{key}")
                elif not holds:
                    return False
        return True

    for resource in resources:
        if any(s.get("Effect") == "Deny" and applies(s, resource) for s in statements):
            return Decision(False, unenforced, resource.arn if resource else "*")
    for resource in resources:
        if not any(s.get("Effect") == "Allow" and applies(s, resource) for s in statements):
            return Decision(False, unenforced, resource.arn if resource else "*")
    return Decision(True, unenforced)
