"""One active endpoint of the grantee, and what happens around it: a second endpoint for the same cluster and VPC,
the cluster owner's view, a modify that changes nothing, a revoke without Force, then a revoke with Force.

The tests build on each other in file order (one endpoint, made once: on AWS
each one takes minutes); the last one revokes the grant with Force, which
deletes the endpoint, or, when AWS accepted the revoke without Force before
it, records that refusal and what the endpoint became (a recording that takes
that branch needs its keys in snapshots.meta.json). Sources per snapshot key:
snapshots.meta.json.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from parity_calls import authorizations, authorize, create_endpoint, describe_endpoint, outcome, wait_authorization_gone, wait_endpoint, wait_endpoint_gone
from parity_ledger import Ledger
from parity_targets import Target


@pytest.fixture(scope="module")
def endpoint(target: Target, ledger: Ledger, network: dict[str, str], run_id: str) -> Iterator[dict[str, Any]]:
    """An active endpoint of the grantee in VPC a, under a grant to VPC a; both deleted after the module."""
    mark = ledger.last_seq()
    authorize(target, ledger, [network["vpc_a"]])
    name = f"{run_id}-used"
    created = create_endpoint(target, ledger, name, network["subnet_group_a"], [network["sg_a"]])
    assert "Error" not in created, created
    yield wait_endpoint(target, name, "active")
    left = ledger.sweep(after=mark)
    if left:
        raise AssertionError("could not delete:\n" + "\n".join(left))


def test_a_second_endpoint_for_the_same_cluster_and_vpc_is_refused(target: Target, ledger: Ledger, network, endpoint, run_id, snapshot) -> None:
    second = create_endpoint(target, ledger, f"{run_id}-second", network["subnet_group_a"], [network["sg_a"]])
    snapshot.match("second-endpoint", second)


def test_the_cluster_owner_sees_the_grantees_endpoint_and_its_count(target: Target, endpoint, snapshot) -> None:
    owner = target.owner.client("redshift")
    seen = outcome(lambda: owner.describe_endpoint_access(ClusterIdentifier=target.cluster_identifier))
    snapshot.match("owner-describe-endpoints", seen)
    grant = authorizations(target)
    snapshot.match("owner-describe-authorization", grant)
    # The model: EndpointCount is "The number of Redshift-managed VPC endpoints created for the authorization."
    assert grant["EndpointAuthorizationList"][0]["EndpointCount"] == 1


def test_modifying_an_endpoint_to_the_security_groups_it_has_is_refused(target: Target, network, endpoint, snapshot) -> None:
    name = endpoint["EndpointName"]
    answer = outcome(lambda: target.grantee.client("redshift").modify_endpoint_access(EndpointName=name, VpcSecurityGroupIds=[network["sg_a"]]))
    try:
        assert "Error" in answer, f"expected a refusal; the endpoint is {answer.get('EndpointStatus')}"
        assert "already associated with the endpoint" in answer["Error"]["Message"]
        snapshot.match("modify-unchanged-refused", answer)
    finally:
        wait_endpoint(target, name, "active")


def test_revoking_without_force_while_an_endpoint_exists(target: Target, endpoint, snapshot) -> None:
    answer = outcome(lambda: target.owner.client("redshift").revoke_endpoint_access(ClusterIdentifier=target.cluster_identifier, Account=target.grantee.account))
    snapshot.match("revoke-without-force", answer)
    snapshot.match("authorization-after", authorizations(target))
    snapshot.match("endpoint-after", describe_endpoint(target, endpoint["EndpointName"]))


def test_revoking_with_force_deletes_the_endpoint_then_the_grant(target: Target, ledger: Ledger, network, endpoint, snapshot) -> None:
    owner = target.owner.client("redshift")
    name = endpoint["EndpointName"]
    revoked = outcome(lambda: owner.revoke_endpoint_access(ClusterIdentifier=target.cluster_identifier, Account=target.grantee.account, Force=True))
    snapshot.match("revoke-with-force", revoked)
    if "Error" in revoked:
        # The revoke without Force above was accepted (no document says which AWS does), so no grant is left to force:
        # what it left behind is the observation. The ledger deletes the endpoint and whatever grant remains.
        snapshot.match("endpoint-after-refused-force", describe_endpoint(target, name))
        return
    snapshot.match("authorization-while-revoking", authorizations(target))
    snapshot.match("endpoint-while-revoking", describe_endpoint(target, name))
    again = outcome(lambda: owner.authorize_endpoint_access(ClusterIdentifier=target.cluster_identifier, Account=target.grantee.account, VpcIds=[network["vpc_a"]]))
    snapshot.match("reauthorize-while-revoking", again)
    if "Error" not in again:  # a new grant: deleted with the test's other resources
        ledger.add("authorization", "owner", ClusterIdentifier=target.cluster_identifier, Account=target.grantee.account)
    # The model: with Force "the Redshift-managed VPC endpoints associated with the endpoint authorization are also
    # deleted"; CloudFormation's isDoneRevoking waits until the authorization is no longer listed.
    gone = wait_endpoint_gone(target, name)
    snapshot.match("endpoint-after-force", gone)
    assert gone["Error"]["Code"] == "EndpointNotFound"
    if "Error" in again:
        snapshot.match("authorization-after-force", wait_authorization_gone(target))
