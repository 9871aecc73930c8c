"""The seven operations as methods of moto's ``RedshiftResponse`` (moto's ``responses.py`` role).

Each action reads its parameters with moto's query-protocol parser, calls the
operation in ``models.py`` under the lock, and hands the model shape
(``EndpointAuthorization`` or ``EndpointAccess``) to moto's model-driven XML
serializer as an ``ActionResult``. ``install()`` registers ``_ACTIONS`` on the
class.
"""

from __future__ import annotations

from typing import Any, Callable

from moto.core.responses import ActionResult
from moto.redshift.responses import RedshiftResponse

from .models import (
    _LOCK,
    CreateEndpointRequest,
    EndpointAccess,
    EndpointAuthorization,
    _backend,
    _endpoints_of_grantee,
    _page,
    authorize_endpoint_access,
    create_endpoint_access,
    delete_endpoint_access,
    describe_endpoint_access,
    describe_endpoint_authorization,
    modify_endpoint_access,
    revoke_endpoint_access,
)


# --------------------------------------------------------------------------
# Serialization (model shapes EndpointAuthorization and EndpointAccess)
# --------------------------------------------------------------------------


def _authorization_shape(a: EndpointAuthorization) -> dict[str, Any]:
    cluster = _backend(a.grantor, a.region).clusters.get(a.cluster_identifier)
    return {
        "Grantor": a.grantor,
        "Grantee": a.grantee,
        "ClusterIdentifier": a.cluster_identifier,
        "AuthorizeTime": a.authorize_time,
        "ClusterStatus": cluster.status if cluster else "deleting",
        "Status": a.status,
        "AllowedAllVPCs": a.allowed_all_vpcs,
        "AllowedVPCs": list(a.vpc_ids),
        "EndpointCount": len(_endpoints_of_grantee(a)),
    }


def _endpoint_shape(e: EndpointAccess) -> dict[str, Any]:
    return {
        "ClusterIdentifier": e.cluster_identifier,
        "ResourceOwner": e.resource_owner,
        "SubnetGroupName": e.subnet_group_name,
        "EndpointStatus": e.status,
        "EndpointName": e.endpoint_name,
        "EndpointCreateTime": e.create_time,
        "Port": e.port,
        "Address": e.address,
        "VpcSecurityGroups": [{"VpcSecurityGroupId": g, "Status": "active"} for g in e.security_group_ids],
        "VpcEndpoint": {
            "VpcEndpointId": e.vpc_endpoint_id,
            "VpcId": e.vpc_id,
            "NetworkInterfaces": [
                {
                    "NetworkInterfaceId": e.network_interface_id,
                    "SubnetId": e.subnet_id,
                    "PrivateIpAddress": e.private_ip_address,
                    "AvailabilityZone": e.availability_zone,
                }
            ],
        },
    }


# --------------------------------------------------------------------------
# RedshiftResponse actions
# --------------------------------------------------------------------------


def _caller(response: RedshiftResponse) -> tuple[str, str]:
    return response.current_account, response.region


def _authorize_endpoint_access(self: RedshiftResponse) -> ActionResult:
    """AuthorizeEndpointAccess action; see ``authorize_endpoint_access``."""
    with _LOCK:
        a = authorize_endpoint_access(
            *_caller(self), self._get_param("ClusterIdentifier") or "", self._get_param("Account"), self._get_param("VpcIds", [])
        )
        return ActionResult(_authorization_shape(a))


def _revoke_endpoint_access(self: RedshiftResponse) -> ActionResult:
    """RevokeEndpointAccess action; see ``revoke_endpoint_access``."""
    with _LOCK:
        a = revoke_endpoint_access(
            *_caller(self),
            self._get_param("ClusterIdentifier") or "",
            self._get_param("Account") or "",
            self._get_param("VpcIds", []),
            bool(self._get_bool_param("Force", False)),
        )
        return ActionResult(_authorization_shape(a))


def _describe_endpoint_authorization(self: RedshiftResponse) -> ActionResult:
    """DescribeEndpointAuthorization action; see ``describe_endpoint_authorization``."""
    with _LOCK:
        found = describe_endpoint_authorization(
            *_caller(self), self._get_param("ClusterIdentifier"), self._get_param("Account"), bool(self._get_bool_param("Grantee", False))
        )
        page, marker = _page(found, self._get_param("Marker"), self._get_int_param("MaxRecords"))
        return ActionResult({"EndpointAuthorizationList": [_authorization_shape(a) for a in page], "Marker": marker})


def _create_endpoint_access(self: RedshiftResponse) -> ActionResult:
    """CreateEndpointAccess action; see ``create_endpoint_access``."""
    caller, region = _caller(self)
    with _LOCK:
        e = create_endpoint_access(
            CreateEndpointRequest(
                caller=caller,
                region=region,
                endpoint_name=self._get_param("EndpointName") or "",
                subnet_group_name=self._get_param("SubnetGroupName") or "",
                cluster_identifier=self._get_param("ClusterIdentifier"),
                resource_owner=self._get_param("ResourceOwner"),
                vpc_security_group_ids=self._get_param("VpcSecurityGroupIds", []),
            )
        )
        return ActionResult(_endpoint_shape(e))


def _describe_endpoint_access(self: RedshiftResponse) -> ActionResult:
    """DescribeEndpointAccess action; see ``describe_endpoint_access``."""
    with _LOCK:
        found = describe_endpoint_access(
            *_caller(self),
            self._get_param("ClusterIdentifier"),
            self._get_param("ResourceOwner"),
            self._get_param("EndpointName"),
            self._get_param("VpcId"),
        )
        page, marker = _page(found, self._get_param("Marker"), self._get_int_param("MaxRecords"))
        return ActionResult({"EndpointAccessList": [_endpoint_shape(e) for e in page], "Marker": marker})


def _modify_endpoint_access(self: RedshiftResponse) -> ActionResult:
    """ModifyEndpointAccess action; see ``modify_endpoint_access``."""
    with _LOCK:
        e = modify_endpoint_access(*_caller(self), self._get_param("EndpointName") or "", self._get_param("VpcSecurityGroupIds", []))
        return ActionResult(_endpoint_shape(e))


def _delete_endpoint_access(self: RedshiftResponse) -> ActionResult:
    """DeleteEndpointAccess action; see ``delete_endpoint_access``."""
    with _LOCK:
        e = delete_endpoint_access(*_caller(self), self._get_param("EndpointName") or "")
        return ActionResult(_endpoint_shape(e))


_ACTIONS: dict[str, Callable[[RedshiftResponse], ActionResult]] = {
    "authorize_endpoint_access": _authorize_endpoint_access,
    "revoke_endpoint_access": _revoke_endpoint_access,
    "describe_endpoint_authorization": _describe_endpoint_authorization,
    "create_endpoint_access": _create_endpoint_access,
    "describe_endpoint_access": _describe_endpoint_access,
    "modify_endpoint_access": _modify_endpoint_access,
    "delete_endpoint_access": _delete_endpoint_access,
}
