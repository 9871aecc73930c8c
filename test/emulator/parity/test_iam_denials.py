"""IAM denials: each caller is a role of the grantee's account holding exactly one small policy, made through IAM on
both targets (the emulator enforces IAM: emulator/iam/). Sources per snapshot key: snapshots.meta.json.
"""

from __future__ import annotations

from parity_calls import authorize, code_of, create_endpoint, outcome, private_zone, role
from parity_ledger import Ledger
from parity_targets import Target


def zone_statements(target: Target, vpc_value: str, describe_vpcs: bool = True) -> list[dict]:
    """route53:CreateHostedZone only for a zone in one VPC, by ``route53:VPCs``; ec2:DescribeVpcs beside it unless told."""
    statements = [
        {
            "Sid": "PrivateZoneInOneVpc",
            "Effect": "Allow",
            "Action": "route53:CreateHostedZone",
            "Resource": "*",
            "Condition": {"ForAnyValue:StringEquals": {"route53:VPCs": [vpc_value]}},
        }
    ]
    if describe_vpcs:
        statements.append({"Sid": "DependentAction", "Effect": "Allow", "Action": "ec2:DescribeVpcs", "Resource": "*"})
    return statements


def normalized(target: Target, vpc_id: str) -> str:
    """route53:VPCs as Route 53 fills it (Developer Guide, "Normalizing the Route 53 condition key values")."""
    return f"VPCId={vpc_id},VPCRegion={target.region}"


def test_creating_an_endpoint_without_ec2_create_vpc_endpoint_fails_with_unauthorized_operation(target: Target, ledger: Ledger, network, run_id, snapshot) -> None:
    authorize(target, ledger, [network["vpc_a"]])
    caller = role(
        target,
        ledger,
        f"{run_id}-no-create-vpce",
        [{"Sid": "RedshiftButNoVpcEndpoint", "Effect": "Allow", "Action": ["redshift:*", "ec2:Describe*"], "Resource": "*"}],
    )
    answer = create_endpoint(target, ledger, f"{run_id}-denied", network["subnet_group_a"], [network["sg_a"]], side=caller)
    snapshot.match("create-without-ec2-create-vpc-endpoint", answer)
    # The model lists UnauthorizedOperation (400) for CreateEndpointAccess; the guide names ec2:CreateVpcEndpoint.
    assert code_of(answer) == ("UnauthorizedOperation", 400), answer
    assert "ec2:CreateVpcEndpoint" in answer["Error"]["Message"]


def test_a_private_zone_is_refused_for_a_bare_vpc_id_condition_and_allowed_for_the_normalized_form(target: Target, ledger: Ledger, network, run_id, snapshot) -> None:
    vpc = network["vpc_a"]
    bare = role(target, ledger, f"{run_id}-zone-bare", zone_statements(target, vpc))
    refused = private_zone(target, ledger, bare, f"{run_id}-bare.parity.internal", vpc)
    snapshot.match("bare-vpc-id-refused", refused)
    assert code_of(refused) == ("AccessDenied", 403), refused
    assert "route53:CreateHostedZone" in refused["Error"]["Message"]

    allowed_caller = role(target, ledger, f"{run_id}-zone-normal", zone_statements(target, normalized(target, vpc)))
    allowed = private_zone(target, ledger, allowed_caller, f"{run_id}-normal.parity.internal", vpc)
    snapshot.match("normalized-allowed", allowed)
    assert "Error" not in allowed, allowed
    assert allowed["HostedZone"]["Config"]["PrivateZone"] is True


def test_a_private_zone_without_the_dependent_ec2_describe_vpcs_is_refused(target: Target, ledger: Ledger, network, run_id, snapshot) -> None:
    vpc = network["vpc_a"]
    caller = role(target, ledger, f"{run_id}-zone-no-dvpc", zone_statements(target, normalized(target, vpc), describe_vpcs=False))
    answer = private_zone(target, ledger, caller, f"{run_id}-nodvpc.parity.internal", vpc)
    assert "Error" in answer, "expected a refusal; the zone was created"
    assert code_of(answer) == ("AccessDenied", 403), answer
    assert "ec2:DescribeVpcs" in answer["Error"]["Message"]
    calls = target.call_log()
    if calls is not None:
        checked = [c for c in calls if c.get("action") == "ec2:DescribeVpcs" and c.get("via") == "route53:CreateHostedZone"]
        assert checked and checked[-1]["allowed"] is False, "the call log has no refused ec2:DescribeVpcs behind route53:CreateHostedZone"
    snapshot.match("create-zone-without-dependent-action", answer)


def test_ec2_vpc_narrows_create_tags_on_a_security_group_but_refuses_delete_tags(target: Target, ledger: Ledger, network, run_id, snapshot) -> None:
    """ec2:Vpc is in the reference's security-group row of ec2:CreateTags but not of ec2:DeleteTags, so one statement
    conditioned on the group's VPC allows the first and never the second (the key is absent: the condition is false)."""
    ec2_arn = f"arn:aws:ec2:{target.region}:{target.grantee.account}"
    caller = role(
        target,
        ledger,
        f"{run_id}-tags-in-vpc",
        [
            {
                "Sid": "TagGroupsInVpc",
                "Effect": "Allow",
                "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
                "Resource": f"{ec2_arn}:security-group/*",
                "Condition": {"ArnEquals": {"ec2:Vpc": f"{ec2_arn}:vpc/{network['vpc_a']}"}},
            }
        ],
    )
    ec2 = caller.client("ec2")
    group, tags = network["sg_a"], [{"Key": "parity-tag", "Value": run_id}]
    created = outcome(lambda: ec2.create_tags(Resources=[group], Tags=tags))
    deleted = outcome(lambda: ec2.delete_tags(Resources=[group], Tags=tags))
    # Only the code and status: EC2's access-denied message carries an encoded, per-request blob on AWS.
    snapshot.match("create-tags-in-vpc", {"Error": created.get("Error", {}).get("Code"), "HTTPStatusCode": created["ResponseMetadata"]["HTTPStatusCode"]})
    snapshot.match("delete-tags-in-vpc", {"Error": deleted.get("Error", {}).get("Code"), "HTTPStatusCode": deleted["ResponseMetadata"]["HTTPStatusCode"]})
    assert "Error" not in created, created
    assert code_of(deleted) == ("UnauthorizedOperation", 403), deleted
