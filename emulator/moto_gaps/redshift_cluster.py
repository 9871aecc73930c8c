"""moto gap: the cluster's ``AvailabilityZoneRelocationStatus`` and ``MultiAZ``.

moto 5.2.5 leaves both out of ``DescribeClusters``, and its CreateCluster and
ModifyCluster drop the ``AvailabilityZoneRelocation`` and ``MultiAZ``
parameters; the AWS provider's ``aws_redshift_cluster`` data source fails
without the two fields. ``install()`` adds them to moto's ``Cluster`` as
properties and wraps the two actions of ``RedshiftResponse`` to keep the
parameters. No file of moto is edited.
"""

from __future__ import annotations

from typing import Callable

from moto.core.responses import ActionResult
from moto.redshift.models import Cluster
from moto.redshift.responses import RedshiftResponse
from rules import rule

from .patching import wrap_once


def relocation_status(self: Cluster) -> str:
    """``Cluster.AvailabilityZoneRelocationStatus``: ``enabled`` or ``disabled``.

    The model types it as a plain String; the AWS provider accepts only these
    two values (or the transitional ``pending_*``) and fails otherwise.
    CreateCluster's ``AvailabilityZoneRelocation`` defaults to false.
    """
    rule("cluster.relocation-status")
    if not hasattr(self, "_az_relocation_enabled"):
        rule("cluster.relocation-default-off")
    return "enabled" if getattr(self, "_az_relocation_enabled", False) else "disabled"


def set_relocation(cluster: Cluster, enabled: bool) -> None:
    """Turns cluster relocation on or off (what ModifyCluster ``AvailabilityZoneRelocation`` does)."""
    cluster._az_relocation_enabled = enabled  # type: ignore[attr-defined]


def _multi_az_status(self: Cluster) -> str:
    """``Cluster.MultiAZ``: ``Enabled`` or ``Disabled``.

    The model types it as a String; the AWS provider's ``aws_redshift_cluster``
    data source (v5.100.0) fails on anything but these two (case-insensitive).
    CreateCluster's ``MultiAZ`` (BooleanOptional) defaults to false.
    """
    rule("cluster.multi-az-status")
    return "Enabled" if getattr(self, "_multi_az_enabled", False) else "Disabled"


#: The ports a cluster with relocation on, and with Redshift-managed VPC endpoints, listens on.
ENDPOINT_PORT_RANGES = ((5431, 5455), (8191, 8215))


def port_in_endpoint_ranges(port: int) -> bool:
    """Whether ``port`` is in 5431-5455 or 8191-8215."""
    return any(low <= port <= high for low, high in ENDPOINT_PORT_RANGES)


#: Cluster flags that moto's CreateCluster/ModifyCluster drop: request parameter -> attribute.
_CLUSTER_FLAGS: dict[str, str] = {
    "AvailabilityZoneRelocation": "_az_relocation_enabled",
    "MultiAZ": "_multi_az_enabled",
}


def _wrap_cluster_action(original: Callable[[RedshiftResponse], ActionResult]) -> Callable[[RedshiftResponse], ActionResult]:
    """Lets CreateCluster and ModifyCluster take ``AvailabilityZoneRelocation`` and ``MultiAZ`` (BooleanOptional)."""

    def wrapped(self: RedshiftResponse) -> ActionResult:
        flags = {attr: self._get_bool_param(param) for param, attr in _CLUSTER_FLAGS.items()}
        if original.__name__ == "modify_cluster" and flags["_az_relocation_enabled"]:
            cluster = self.redshift_backend.clusters.get(self._get_param("ClusterIdentifier"))
            port = self._get_int_param("Port") or (int(cluster.port) if cluster is not None else None)
            if port is not None and not port_in_endpoint_ranges(port):
                from redshift_endpoints.exceptions import UnsupportedOperationFault  # noqa: PLC0415  (the package imports this module)

                rule("cluster.relocation-needs-port-range")
                raise UnsupportedOperationFault(
                    f"Cluster relocation needs a port in 5431-5455 or 8191-8215; the cluster listens on {port}. Change the port first."
                )
        result = original(self)
        identifier = self._get_param("NewClusterIdentifier") or self._get_param("ClusterIdentifier")
        cluster = self.redshift_backend.clusters[identifier]
        for attr, value in flags.items():
            if value is not None:
                setattr(cluster, attr, value)
        return result

    wrapped.__name__ = original.__name__
    wrapped.__doc__ = original.__doc__
    return wrapped


def install() -> None:
    """Adds relocation and Multi-AZ status to moto's Cluster, and lets CreateCluster and ModifyCluster set them. Idempotent."""
    Cluster.availability_zone_relocation_status = property(relocation_status)  # type: ignore[attr-defined]
    Cluster.multi_az = property(_multi_az_status)  # type: ignore[attr-defined]
    for name in ("create_cluster", "modify_cluster"):
        wrap_once(RedshiftResponse, name, _wrap_cluster_action)
