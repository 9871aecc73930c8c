"""The suite's own guards, against the emulator (no snapshot: this is the suite's machinery, not AWS's answers):
it refuses to start where a grant of the grantee is in the way of its clean-up, and it survives AWS accepting a
revoke without Force, which no document rules out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import test_endpoint_in_use as in_use
from parity_calls import authorize, create_endpoint, wait_endpoint
from parity_ledger import Ledger
from parity_targets import Target, grant_in_the_way, start_emulator


def test_the_suite_refuses_to_start_where_the_grantee_already_holds_a_grant_on_the_cluster(target: Target, ledger: Ledger) -> None:
    assert grant_in_the_way(target) is None
    authorize(target, ledger, None)
    refusal = grant_in_the_way(target)
    assert refusal is not None
    assert f"account {target.grantee.account} already holds an authorization on cluster {target.cluster_identifier} (all its VPCs; 0 endpoint(s); status Authorized)" in refusal
    assert "revoking the grantee's authorization with Force, which would delete those endpoints" in refusal


class _Observations:
    """Stands in for the snapshot: keeps what a test matched."""

    def __init__(self) -> None:
        self.matched: dict[str, Any] = {}

    def match(self, key: str, value: Any) -> None:
        self.matched[key] = value


def test_the_forced_revoke_records_an_error_when_the_revoke_without_force_was_accepted(tmp_path: Path) -> None:
    """As if AWS accepted the revoke without Force (--revoke-in-use accept): the forced revoke's test records the
    refusal and the endpoint instead of crashing, and the ledger still deletes everything."""
    target = start_emulator(tmp_path, ("--revoke-in-use", "accept"))
    try:
        book = Ledger(target)
        ec2, rs = target.grantee.client("ec2"), target.grantee.client("redshift")
        vpc = ec2.create_vpc(CidrBlock="10.97.0.0/16")["Vpc"]["VpcId"]
        book.add("vpc", "grantee", VpcId=vpc)
        zone = ec2.describe_availability_zones()["AvailabilityZones"][0]["ZoneName"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.97.1.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
        book.add("subnet", "grantee", SubnetId=subnet)
        rs.create_cluster_subnet_group(ClusterSubnetGroupName="guard", Description="parity guard test", SubnetIds=[subnet])
        book.add("subnet-group", "grantee", ClusterSubnetGroupName="guard")
        authorize(target, book, [vpc])
        assert "Error" not in create_endpoint(target, book, "guard-used", "guard", [])
        endpoint = wait_endpoint(target, "guard-used", "active")
        seen = _Observations()

        in_use.test_revoking_without_force_while_an_endpoint_exists(target, endpoint, seen)
        assert "Error" not in seen.matched["revoke-without-force"]
        in_use.test_revoking_with_force_deletes_the_endpoint_then_the_grant(target, book, {"vpc_a": vpc}, endpoint, seen)

        assert seen.matched["revoke-with-force"]["Error"]["Code"] == "EndpointAuthorizationNotFound"
        assert seen.matched["endpoint-after-refused-force"]["EndpointAccessList"][0]["EndpointStatus"] == "active"
        assert "endpoint-after-force" not in seen.matched
        assert book.sweep() == []
    finally:
        target.stop()
