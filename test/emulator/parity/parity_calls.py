"""The calls the parity tests make, each leaving in the ledger whatever it creates, and the waits between them."""

from __future__ import annotations

import json
import time
from typing import Any, Callable

import pytest
from botocore.exceptions import ClientError
from parity_ledger import Entry, Ledger
from parity_targets import Side, Target


def refused(call: Callable[[], Any]) -> dict[str, Any]:
    """The error answer of ``call``, which must fail (ClientError's ``response``: Error and ResponseMetadata)."""
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response


def outcome(call: Callable[[], Any]) -> dict[str, Any]:
    """The answer of ``call``, whether it succeeds or fails: for a rule no document decides, the snapshot is the assertion."""
    try:
        return call()
    except ClientError as e:
        return e.response


def authorize(target: Target, ledger: Ledger, vpc_ids: list[str] | None = None) -> tuple[dict[str, Any], Entry]:
    """The owner authorizes the grantee (to ``vpc_ids``, or all VPCs); the ledger revokes it with Force."""
    kwargs: dict[str, Any] = {"ClusterIdentifier": target.cluster_identifier, "Account": target.grantee.account}
    if vpc_ids:
        kwargs["VpcIds"] = vpc_ids
    answer = target.owner.client("redshift").authorize_endpoint_access(**kwargs)
    return answer, ledger.add("authorization", "owner", ClusterIdentifier=target.cluster_identifier, Account=target.grantee.account)


def create_endpoint(target: Target, ledger: Ledger, name: str, subnet_group: str, security_groups: list[str], side: Side | None = None) -> dict[str, Any]:
    """CreateEndpointAccess as the grantee (or ``side``); an endpoint it makes is in the ledger, whatever the test then does."""
    caller = side or target.grantee
    answer = outcome(
        lambda: caller.client("redshift").create_endpoint_access(
            ClusterIdentifier=target.cluster_identifier,
            ResourceOwner=target.owner.account,
            EndpointName=name,
            SubnetGroupName=subnet_group,
            VpcSecurityGroupIds=security_groups,
        )
    )
    if "Error" not in answer:
        ledger.add("endpoint", "grantee", EndpointName=name)
    return answer


def describe_endpoint(target: Target, name: str) -> dict[str, Any]:
    return outcome(lambda: target.grantee.client("redshift").describe_endpoint_access(EndpointName=name))


def wait_endpoint(target: Target, name: str, status: str) -> dict[str, Any]:
    """The grantee's endpoint once it has ``status``."""

    def probe() -> dict[str, Any] | None:
        found = target.grantee.client("redshift").describe_endpoint_access(EndpointName=name)["EndpointAccessList"]
        return found[0] if found and found[0]["EndpointStatus"] == status else None

    return target.wait_for(f"endpoint {name} {status}", probe)


def wait_endpoint_gone(target: Target, name: str) -> dict[str, Any]:
    """DescribeEndpointAccess's answer once the endpoint is gone (EndpointNotFound, as CloudFormation's handler waits for)."""

    def probe() -> dict[str, Any] | None:
        answer = describe_endpoint(target, name)
        return answer if "Error" in answer else None

    return target.wait_for(f"endpoint {name} gone", probe)


def authorizations(target: Target) -> dict[str, Any]:
    """The owner's DescribeEndpointAuthorization of the grantee on the cluster."""
    return target.owner.client("redshift").describe_endpoint_authorization(ClusterIdentifier=target.cluster_identifier, Account=target.grantee.account)


def wait_authorization_gone(target: Target) -> dict[str, Any]:
    """The owner's DescribeEndpointAuthorization once it lists nothing (CloudFormation's isDoneRevoking)."""

    def probe() -> dict[str, Any] | None:
        answer = authorizations(target)
        return answer if not answer["EndpointAuthorizationList"] else None

    return target.wait_for("authorization gone", probe)


def wait_cluster(target: Target, relocation: str) -> dict[str, Any]:
    """The cluster once it is available with relocation ``relocation`` (enabled or disabled)."""

    def probe() -> dict[str, Any] | None:
        found = target.owner.client("redshift").describe_clusters(ClusterIdentifier=target.cluster_identifier)["Clusters"][0]
        return found if found["ClusterStatus"] == "available" and found.get("AvailabilityZoneRelocationStatus") == relocation else None

    return target.wait_for(f"cluster relocation {relocation}", probe, target.timing.cluster)


def role(target: Target, ledger: Ledger, name: str, statements: list[dict[str, Any]]) -> Side:
    """A role of the grantee's account with exactly ``statements``, assumed: the caller of an IAM test.

    Created through IAM on both targets (the emulator evaluates its policy as it would a seeded one); on AWS it
    trusts the grantee's own account, and the suite waits for IAM to settle.
    """
    iam = target.grantee.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": target.trust_principal(target.grantee)}, "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), Description="parity suite: one IAM denial")["Role"]["Arn"]
    ledger.add("role", "grantee", RoleName=name)
    iam.put_role_policy(RoleName=name, PolicyName="only", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    time.sleep(target.timing.iam_settle)
    session = target.assume(target.grantee, arn)
    return Side(f"role {name}", target.grantee.account, session, target.grantee.endpoint_url)


def private_zone(target: Target, ledger: Ledger, caller: Side, name: str, vpc_id: str) -> dict[str, Any]:
    """CreateHostedZone for a private zone in ``vpc_id`` by ``caller``; a zone it makes is in the ledger."""
    answer = outcome(
        lambda: caller.client("route53").create_hosted_zone(
            Name=name,
            CallerReference=name,
            VPC={"VPCRegion": target.region, "VPCId": vpc_id},
            HostedZoneConfig={"Comment": "parity suite", "PrivateZone": True},
        )
    )
    if "Error" not in answer:
        ledger.add("hosted-zone", "grantee", Id=answer["HostedZone"]["Id"])
    return answer


def code_of(answer: dict[str, Any]) -> tuple[str, int]:
    """(error code, HTTP status) of an error answer."""
    return answer["Error"]["Code"], answer["ResponseMetadata"]["HTTPStatusCode"]

