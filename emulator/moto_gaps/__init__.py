"""Patches for gaps of moto 5.2.5 on the AWS provider's path that are not about endpoints.

Each module patches one gap through moto's Python API, with its own
``install()`` (no file of moto is edited):

- ``redshift_cluster.py``: the cluster's ``AvailabilityZoneRelocationStatus``
  and ``MultiAZ``, and the CreateCluster/ModifyCluster parameters that set them;
- ``route53.py``: CreateHostedZone with a ``VPC`` makes a private zone.
"""

from __future__ import annotations

from . import redshift_cluster, route53
from .redshift_cluster import relocation_status, set_relocation

__all__ = ["install", "relocation_status", "set_relocation"]


def install() -> None:
    """Installs every patch of this package. Idempotent."""
    redshift_cluster.install()
    route53.install()
