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

from .patching import wrap_once


def relocation_status(self: Cluster) -> str:
    """``Cluster.AvailabilityZoneRelocationStatus``: ``enabled`` or ``disabled``.

    The model types it as a plain String; the AWS provider accepts only these
    two values (or the transitional ``pending_*``) and fails otherwise.
    CreateCluster's ``AvailabilityZoneRelocation`` defaults to false.
    """
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
    return "Enabled" if getattr(self, "_multi_az_enabled", False) else "Disabled"


#: Cluster flags that moto's CreateCluster/ModifyCluster drop: request parameter -> attribute.
_CLUSTER_FLAGS: dict[str, str] = {
    "AvailabilityZoneRelocation": "_az_relocation_enabled",
    "MultiAZ": "_multi_az_enabled",
}


def _wrap_cluster_action(original: Callable[[RedshiftResponse], ActionResult]) -> Callable[[RedshiftResponse], ActionResult]:
    """Lets CreateCluster and ModifyCluster take ``AvailabilityZoneRelocation`` and ``MultiAZ`` (BooleanOptional)."""

    def wrapped(self: RedshiftResponse) -> ActionResult:
        flags = {attr: self._get_bool_param(param) for param, attr in _CLUSTER_FLAGS.items()}
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
