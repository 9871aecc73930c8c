"""Cluster relocation: endpoints need it on (Redshift Management Guide, "Make sure that the cluster to access has
cluster relocation turned on"). The owner switches it off, the grantee's create is answered, the owner switches it
back on. The cluster is the suite's (PARITY_CLUSTER on AWS); the ledger turns relocation on again whatever happens.
Sources per snapshot key: snapshots.meta.json.
"""

from __future__ import annotations

from typing import Any

from parity_calls import authorize, create_endpoint, wait_cluster
from parity_ledger import Ledger
from parity_targets import Target


def relocation_view(cluster: dict[str, Any]) -> dict[str, Any]:
    """The fields of a Cluster this test is about; the rest (node type, nodes, windows, versions) differs by cluster."""
    return {k: cluster.get(k) for k in ("ClusterIdentifier", "ClusterStatus", "AvailabilityZoneRelocationStatus")}


def test_an_endpoint_needs_relocation_which_the_owner_switches_on(target: Target, ledger: Ledger, network, cluster, run_id, snapshot) -> None:
    owner = target.owner.client("redshift")
    authorize(target, ledger, [network["vpc_b"]])
    ledger.add("relocation", "owner", ClusterIdentifier=target.cluster_identifier)

    off = owner.modify_cluster(ClusterIdentifier=target.cluster_identifier, AvailabilityZoneRelocation=False)
    snapshot.match("switch-off", {"Cluster": relocation_view(off["Cluster"]), "ResponseMetadata": off["ResponseMetadata"]})
    snapshot.match("relocation-off", relocation_view(wait_cluster(target, "disabled")))

    refused = create_endpoint(target, ledger, f"{run_id}-reloc", network["subnet_group_b"], [network["sg_b"]])
    snapshot.match("create-with-relocation-off", refused)
    assert "Error" in refused, "the guide requires relocation on for an endpoint; the create was accepted"

    on = owner.modify_cluster(ClusterIdentifier=target.cluster_identifier, AvailabilityZoneRelocation=True)
    snapshot.match("switch-on", {"Cluster": relocation_view(on["Cluster"]), "ResponseMetadata": on["ResponseMetadata"]})
    snapshot.match("relocation-on", relocation_view(wait_cluster(target, "enabled")))
