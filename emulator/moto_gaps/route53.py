"""moto gap: Route 53 CreateHostedZone with a ``VPC`` but no ``PrivateZone`` makes a private zone.

The AWS provider's ``aws_route53_zone`` sends the VPC without
``HostedZoneConfig.PrivateZone``; moto 5.2.5 then makes a public zone and
drops the VPC. ``install()`` wraps moto's ``Route53.create_hosted_zone``. No
file of moto is edited.
"""

from __future__ import annotations

from typing import Any, Callable

from moto.core.responses import ActionResult
from moto.route53.responses import Route53
from rules import rule

from .patching import wrap_once


def _wrap_create_hosted_zone(original: Callable[[Route53], ActionResult]) -> Callable[[Route53], ActionResult]:
    """CreateHostedZone with a ``VPC`` makes a private zone, as Route 53 does.

    Route 53 API reference, CreateHostedZone: "VPC - (Private hosted zones
    only) A complex type that contains information about the Amazon VPC that
    you're associating with this hosted zone", and "you can't convert a
    public hosted zone to a private hosted zone". The AWS provider sends the
    VPC without ``HostedZoneConfig.PrivateZone``; moto 5.2.5 then makes a
    public zone and drops the VPC, so every plan after it wants to add the
    VPC again.
    """

    def wrapped(self: Route53) -> ActionResult:
        if self._get_param("VPC.VPCId") and self._get_param("HostedZoneConfig.PrivateZone") is None:
            rule("route53.private-zone")
            get_bool = self._get_bool_param

            def private_when_vpc(name: str, if_none: Any = None) -> Any:
                return True if name == "HostedZoneConfig.PrivateZone" else get_bool(name, if_none)

            self._get_bool_param = private_when_vpc  # type: ignore[method-assign]
        return original(self)

    wrapped.__name__ = original.__name__
    wrapped.__doc__ = original.__doc__
    return wrapped


def install() -> None:
    """Makes CreateHostedZone with a VPC create a private zone. Idempotent."""
    wrap_once(Route53, "create_hosted_zone", _wrap_create_hosted_zone)
