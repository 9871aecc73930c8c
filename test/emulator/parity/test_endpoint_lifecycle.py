"""An endpoint's lifecycle, as the grantee sees it: the create answer, describe while creating, active, modify, delete.

The grant covers VPC a; the endpoint sits in VPC a's subnet group. Sources
per snapshot key: snapshots.meta.json.
"""

from __future__ import annotations

from parity_calls import authorize, create_endpoint, describe_endpoint, wait_endpoint, wait_endpoint_gone
from parity_ledger import Ledger
from parity_targets import Target


def test_an_endpoint_is_created_describes_as_creating_becomes_active_is_modified_and_deleted(target: Target, ledger: Ledger, network, cluster, run_id, snapshot) -> None:
    _, grant = authorize(target, ledger, [network["vpc_a"]])
    name = f"{run_id}-life"

    created = create_endpoint(target, ledger, name, network["subnet_group_a"], [network["sg_a"]])
    snapshot.match("create", created)
    assert "Error" not in created, created
    # ResourceOwner is the cluster's owner and Port the cluster's port (the model's EndpointAccess; the provider's
    # _basic test checks resource_owner and port).
    assert (created["EndpointName"], created["ClusterIdentifier"], created["ResourceOwner"], created["Port"]) == (
        name,
        target.cluster_identifier,
        target.owner.account,
        cluster["Endpoint"]["Port"],
    )
    assert [g["VpcSecurityGroupId"] for g in created["VpcSecurityGroups"]] == [network["sg_a"]]

    snapshot.match("describe-while-creating", describe_endpoint(target, name))

    # CloudFormation's create handler waits for "active" (EndpointAccessStabilizers.VALID_ENDPOINT_STATUS).
    active = wait_endpoint(target, name, "active")
    snapshot.match("active", active)
    assert active["VpcEndpoint"]["VpcId"] == network["vpc_a"]

    # The guide: the security groups are the one thing that can be modified.
    modified = target.grantee.client("redshift").modify_endpoint_access(EndpointName=name, VpcSecurityGroupIds=[network["sg2_a"]])
    snapshot.match("modify", modified)
    settled = wait_endpoint(target, name, "active")
    snapshot.match("active-after-modify", settled)
    assert [g["VpcSecurityGroupId"] for g in settled["VpcSecurityGroups"]] == [network["sg2_a"]]

    deleted = target.grantee.client("redshift").delete_endpoint_access(EndpointName=name)
    snapshot.match("delete", deleted)
    # CloudFormation's delete handler is done when DescribeEndpointAccess by name answers EndpointNotFound.
    gone = wait_endpoint_gone(target, name)
    snapshot.match("after-delete", gone)
    assert gone["Error"]["Code"] == "EndpointNotFound"
    ledger.release(grant)
