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

ROOT = Path(__file__).resolve().parents[3]
EMULATOR = ROOT / "emulator"
sys.path.insert(0, str(EMULATOR))

import rules_table  # noqa: E402
from iam import reference  # noqa: E402
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


def test_no_assumed_rule_is_presented_as_aws_behaviour_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    # The one the audit found: an invented refusal presented as AWS's answer.
    assert "AWS refuses to revoke" not in readme
    assert "InvalidAuthorizationState" not in readme


#: Per action, the resource types the IAM enforcement attaches to its requests (emulator/iam/context.py, caller_checks.py).
ENFORCED_TYPES = {
    "ec2:DeleteSecurityGroup": {"security-group"},
    "ec2:RevokeSecurityGroupEgress": {"security-group"},
    "ec2:RevokeSecurityGroupIngress": {"security-group"},
    "ec2:AuthorizeSecurityGroupIngress": {"security-group"},
    "ec2:ModifySecurityGroupRules": {"security-group", "security-group-rule"},
    "ec2:CreateSecurityGroup": {"vpc", "security-group"},
    "ec2:CreateTags": {"security-group", "security-group-rule", "vpc-endpoint"},
    "ec2:DeleteTags": {"security-group", "security-group-rule"},
    "ec2:DescribeVpcAttribute": {"vpc"},
    "ec2:CreateVpcEndpoint": {"vpc", "subnet", "security-group", "vpc-endpoint"},
    "ec2:ModifyVpcEndpoint": {"vpc-endpoint", "security-group"},
    "redshift:DescribeClusters": {"cluster"},
    "redshift:DescribeLoggingStatus": {"cluster"},
    "redshift:CreateClusterSubnetGroup": {"subnetgroup"},
    "redshift:DeleteClusterSubnetGroup": {"subnetgroup"},
    "redshift:ModifyClusterSubnetGroup": {"subnetgroup"},
    "route53:AssociateVPCWithHostedZone": {"hostedzone"},
    "route53:DisassociateVPCFromHostedZone": {"hostedzone"},
    "route53:ChangeResourceRecordSets": {"hostedzone"},
    "route53:GetChange": {"change"},
    "route53:ChangeTagsForResource": {"hostedzone"},
    "route53:ListTagsForResource": {"hostedzone"},
    "iam:CreateServiceLinkedRole": {"role"},
}


def test_the_enforcement_checks_only_resource_types_the_reference_lists_for_each_action():
    wrong = {action: types - set(reference.resource_types(action)) for action, types in ENFORCED_TYPES.items()}
    assert {a: t for a, t in wrong.items() if t} == {}


def test_the_reference_names_the_dependent_actions_the_policies_grant_for():
    assert reference.dependent_actions("route53:CreateHostedZone", set()) == ["ec2:DescribeVpcs"]
    assert set(reference.dependent_actions("ec2:CreateVpcEndpoint", {"vpc"})) >= {"ec2:DescribeVpcs", "route53:AssociateVPCWithHostedZone"}
