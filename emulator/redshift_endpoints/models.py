"""Redshift-managed VPC endpoints: state, lookups, rules and the seven operations (moto's ``models.py`` role).

Accounts: moto keys every backend by account id and derives the caller's
account from the access key (``sts:AssumeRole`` keys map to the role's
account). The endpoint lives in the caller's (consumer's) backend; the cluster
and its authorizations live in the backend of ``ResourceOwner`` (the cluster
owner), defaulting to the caller's own account.

State changes (``creating``/``modifying`` -> ``active``, ``deleting`` -> gone,
authorization ``Revoking`` -> gone) happen ``endpoint_delay_seconds`` after
the request, as on AWS where they take minutes.

Every error raised here is a fault of ``exceptions.py`` or one of moto's own
Redshift errors, and every rule applied here is named with ``rule(...)``: its
entry in ``emulator/rules.py`` says where AWS documents it, or that it is assumed.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from moto.ec2 import ec2_backends
from moto.redshift.exceptions import ClusterNotFoundError, ClusterSubnetGroupNotFoundError
from moto.redshift.models import Cluster, RedshiftBackend, redshift_backends
from moto_gaps.redshift_cluster import port_in_endpoint_ranges, relocation_status

from rules import rule
from .exceptions import (
    AccessToClusterDeniedFault,
    EndpointAlreadyExistsFault,
    EndpointAuthorizationAlreadyExistsFault,
    EndpointAuthorizationNotFoundFault,
    EndpointAuthorizationsPerClusterLimitExceededFault,
    EndpointNotFoundFault,
    EndpointsPerAuthorizationLimitExceededFault,
    EndpointsPerClusterLimitExceededFault,
    InvalidAuthorizationStateFault,
    InvalidClusterStateFault,
    InvalidEndpointStateFault,
    InvalidParameterValueError,
    UnsupportedOperationFault,
)

# --------------------------------------------------------------------------
# Quotas
# --------------------------------------------------------------------------


@dataclass
class Quotas:
    """Amazon Redshift's default quotas for Redshift-managed VPC endpoints.

    "Quotas and limits in Amazon Redshift": 5 grantee accounts per cluster
    (authorizations), 5 endpoints per authorization, 30 endpoints per cluster.
    """

    authorizations_per_cluster: int = 5
    endpoints_per_authorization: int = 5
    endpoints_per_cluster: int = 30


# --------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class EndpointAuthorization:
    """One grant of a cluster to a grantee account (model shape ``EndpointAuthorization``)."""

    grantor: str
    grantee: str
    cluster_identifier: str
    region: str
    vpc_ids: list[str]
    authorize_time: datetime = field(default_factory=_now)
    status: str = "Authorized"

    @property
    def allowed_all_vpcs(self) -> bool:
        """An authorization given without VPC ids covers every VPC of the grantee."""
        return not self.vpc_ids

    def covers(self, vpc_id: str) -> bool:
        """Whether an endpoint in ``vpc_id`` may use this authorization."""
        return self.status == "Authorized" and (self.allowed_all_vpcs or vpc_id in self.vpc_ids)


@dataclass
class EndpointAccess:
    """One Redshift-managed VPC endpoint (model shape ``EndpointAccess``), kept in the owner's backend."""

    owner: str
    region: str
    endpoint_name: str
    cluster_identifier: str
    resource_owner: str
    subnet_group_name: str
    vpc_id: str
    subnet_id: str
    availability_zone: str
    security_group_ids: list[str]
    address: str
    port: int
    vpc_endpoint_id: str
    network_interface_id: str
    private_ip_address: str
    status: str = "creating"
    create_time: datetime = field(default_factory=_now)
    generation: int = 0


@dataclass
class _BackendState:
    """What this module adds to one RedshiftBackend (one account, one region)."""

    authorizations: dict[tuple[str, str], EndpointAuthorization] = field(default_factory=dict)
    endpoints: dict[str, EndpointAccess] = field(default_factory=dict)


class _Settings:
    """Module settings, set by ``install()``."""

    endpoint_delay_seconds: float = 1.0
    quotas: Quotas = Quotas()
    #: Endpoints whose creation ends in ``FAILED_STATUS`` (``--fail-endpoint``).
    failing_endpoints: frozenset[str] = frozenset()
    #: What a revoke without Force does while endpoints use the grant (``--revoke-in-use``): AWS documents neither.
    revoke_in_use: str = "refuse"


#: The answers ``--revoke-in-use`` chooses between (rule revoke.in-use-without-force).
REVOKE_IN_USE = ("refuse", "accept")


def set_revoke_in_use(answer: str) -> None:
    """What RevokeEndpointAccess without Force does while endpoints use the grant: refuse it, or accept it and leave them."""
    if answer not in REVOKE_IN_USE:
        raise ValueError(f"--revoke-in-use must be one of {', '.join(REVOKE_IN_USE)}; got {answer!r}")
    _Settings.revoke_in_use = answer


def set_quotas(quotas: Quotas) -> None:
    """Replaces the quotas (the seed's ``quotas``, from the config)."""
    _Settings.quotas = quotas


_LOCK = threading.RLock()
_STATE_ATTR = "_redshift_endpoints_state"


def _state(backend: RedshiftBackend) -> _BackendState:
    """This module's state for ``backend``; created on first use, so moto's reset clears it too."""
    state = getattr(backend, _STATE_ATTR, None)
    if state is None:
        state = _BackendState()
        setattr(backend, _STATE_ATTR, state)
    return state


def _backend(account_id: str, region: str) -> RedshiftBackend:
    return redshift_backends[account_id][region]


def _region_backends(region: str) -> Iterator[RedshiftBackend]:
    """Every already-created Redshift backend of ``region``, across accounts."""
    for account_backends in list(redshift_backends.values()):
        backend = dict.get(account_backends, region)
        if backend is not None:
            yield backend


def _schedule(action: Callable[[], None]) -> None:
    """Runs ``action`` under the lock after the configured delay (AWS takes minutes)."""

    def run() -> None:
        with _LOCK:
            action()

    timer = threading.Timer(_Settings.endpoint_delay_seconds, run)
    timer.daemon = True
    timer.start()


# --------------------------------------------------------------------------
# Lookups and rules
# --------------------------------------------------------------------------


def _find_cluster(owner: str, region: str, cluster_identifier: str) -> Cluster:
    """The cluster in ``owner``'s backend; ``ClusterNotFound`` (404) otherwise."""
    cluster = _backend(owner, region).clusters.get(cluster_identifier)
    if cluster is None:
        rule("cluster.exists")
        raise ClusterNotFoundError(cluster_identifier)
    return cluster


def _require_available(cluster: Cluster) -> None:
    """``InvalidClusterState`` (400) unless the cluster is ``available``."""
    if cluster.status != "available":
        rule("cluster.available")
        raise InvalidClusterStateFault(
            f"The cluster {cluster.cluster_identifier} is in state {cluster.status}; it must be available."
        )


def _require_ra3(cluster: Cluster, rule_id: str) -> None:
    """``UnsupportedOperation`` (400) for a node type other than ``ra3.*`` (rules create.ra3, authorize.ra3-only)."""
    if not str(cluster.node_type).startswith("ra3."):
        rule(rule_id)
        raise UnsupportedOperationFault(
            f"Redshift-managed VPC endpoints are only supported on RA3 node types; "
            f"cluster {cluster.cluster_identifier} is {cluster.node_type}."
        )


def _require_relocation(cluster: Cluster) -> None:
    """``UnsupportedOperation`` (400) when cluster relocation is off (rule create.relocation)."""
    if relocation_status(cluster) != "enabled":
        rule("create.relocation")
        raise UnsupportedOperationFault(
            f"Cluster relocation must be enabled on cluster {cluster.cluster_identifier} "
            f"to create a Redshift-managed VPC endpoint."
        )


def _require_port_range(cluster: Cluster) -> None:
    """``UnsupportedOperation`` (400) for a cluster port outside the ranges (rule create.port-range)."""
    if not port_in_endpoint_ranges(int(cluster.port)):
        rule("create.port-range")
        raise UnsupportedOperationFault(
            f"Cluster {cluster.cluster_identifier} listens on port {cluster.port}; a Redshift-managed VPC endpoint needs a port "
            f"in 5431-5455 or 8191-8215."
        )


def _endpoint_name_problem(name: str) -> str | None:
    """CreateEndpointAccess's naming rule as the model documents it (rule create.name-rule), or None when ``name`` follows it."""
    if not 1 <= len(name) <= 30:
        return "must be 1-30 characters"
    if not (name[0].isascii() and name[0].isalpha()):
        return "must start with a letter"
    if any(not (c.isascii() and (c.isalnum() or c == "-")) for c in name):
        return "must contain only letters A-Z and a-z, digits and hyphens"
    if "--" in name or name.endswith("-"):
        return "must not contain two consecutive hyphens or end with a hyphen"
    return None


def _authorizations_of_cluster(owner: str, region: str, cluster_identifier: str) -> list[EndpointAuthorization]:
    return [a for (cid, _), a in _state(_backend(owner, region)).authorizations.items() if cid == cluster_identifier]


def _endpoints_of_cluster(owner: str, region: str, cluster_identifier: str) -> list[EndpointAccess]:
    """Every endpoint, of any account, that connects to the cluster."""
    return [
        e
        for backend in _region_backends(region)
        for e in _state(backend).endpoints.values()
        if e.resource_owner == owner and e.cluster_identifier == cluster_identifier
    ]


def _endpoints_of_grantee(authorization: EndpointAuthorization) -> list[EndpointAccess]:
    """The grantee's endpoints to the authorization's cluster, in any status (rule authorization.endpoint-count)."""
    rule("authorization.endpoint-count")
    return [
        e
        for e in _endpoints_of_cluster(authorization.grantor, authorization.region, authorization.cluster_identifier)
        if e.owner == authorization.grantee
    ]


def _page(items: list[Any], marker: str | None, max_records: int | None) -> tuple[list[Any], str | None]:
    """MaxRecords (default 100) and Marker, as the Describe* operations page (rule describe.paging)."""
    rule("describe.paging")
    start = int(marker) if marker else 0
    size = max_records or 100
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


# --------------------------------------------------------------------------
# Authorizations
# --------------------------------------------------------------------------


def authorize_endpoint_access(caller: str, region: str, cluster_identifier: str, account: str, vpc_ids: list[str]) -> EndpointAuthorization:
    """AuthorizeEndpointAccess: grant ``account`` access to the caller's cluster.

    Model: input ``AuthorizeEndpointAccessMessage`` (``Account`` required,
    ``ClusterIdentifier``, ``VpcIds``); output ``EndpointAuthorization`` in
    ``AuthorizeEndpointAccessResult``. Errors used, from the model's list for
    the operation: ``ClusterNotFound`` (404), ``InvalidClusterState`` (400),
    ``UnsupportedOperation`` (400; non-RA3 cluster or own account),
    ``EndpointAuthorizationsPerClusterLimitExceeded`` (400),
    ``EndpointAuthorizationAlreadyExists`` (400; nothing new to grant),
    ``InvalidAuthorizationState`` (400; the authorization is Revoking).

    Authorizing an account again with more VPCs adds them. No VpcIds means all
    VPCs of the grantee.
    """
    cluster = _find_cluster(caller, region, cluster_identifier)
    _require_available(cluster)
    _require_ra3(cluster, "authorize.ra3-only")
    if account == caller:
        rule("authorize.not-own-account")
        raise UnsupportedOperationFault(
            f"Account {account} owns cluster {cluster_identifier} and needs no authorization to create endpoints to it."
        )
    state = _state(_backend(caller, region))
    existing = state.authorizations.get((cluster_identifier, account))
    if existing is None:
        if len(_authorizations_of_cluster(caller, region, cluster_identifier)) >= _Settings.quotas.authorizations_per_cluster:
            rule("authorize.quota")
            raise EndpointAuthorizationsPerClusterLimitExceededFault(
                f"Cluster {cluster_identifier} already authorizes {_Settings.quotas.authorizations_per_cluster} accounts, the quota."
            )
        if not vpc_ids:
            rule("authorize.all-vpcs")
        created = EndpointAuthorization(caller, account, cluster_identifier, region, _unique(vpc_ids))
        state.authorizations[(cluster_identifier, account)] = created
        return created
    return _extend_authorization(existing, vpc_ids)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _require_authorized(authorization: EndpointAuthorization) -> None:
    """``InvalidAuthorizationState`` (400) for an authorization on its way out (rule authorization.revoking)."""
    if authorization.status != "Authorized":
        rule("authorization.revoking")
        raise InvalidAuthorizationStateFault(
            f"The authorization of account {authorization.grantee} on cluster {authorization.cluster_identifier} is {authorization.status}."
        )


def _extend_authorization(existing: EndpointAuthorization, vpc_ids: list[str]) -> EndpointAuthorization:
    """Adds VPCs to an existing authorization; refuses a VPC it already has."""
    _require_authorized(existing)
    if existing.allowed_all_vpcs:
        rule("authorize.specific-on-all")
        raise EndpointAuthorizationAlreadyExistsFault(
            f"Account {existing.grantee} is already authorized to access cluster {existing.cluster_identifier} from all its VPCs."
        )
    if not vpc_ids:
        rule("authorize.all-vpcs")
        existing.vpc_ids = []
        return existing
    already = [v for v in _unique(vpc_ids) if v in existing.vpc_ids]
    if already:
        rule("authorize.vpc-already-authorized")
        raise EndpointAuthorizationAlreadyExistsFault(
            f"Account {existing.grantee} is already authorized to access cluster {existing.cluster_identifier} from VPCs {', '.join(already)}."
        )
    rule("authorize.adds-vpcs")
    existing.vpc_ids = existing.vpc_ids + _unique(vpc_ids)
    return existing


def revoke_endpoint_access(caller: str, region: str, cluster_identifier: str, account: str, vpc_ids: list[str], force: bool) -> EndpointAuthorization:
    """RevokeEndpointAccess: take back the caller's grant to ``account``.

    Model: input ``RevokeEndpointAccessMessage`` (``ClusterIdentifier``,
    ``Account``, ``VpcIds``, ``Force``); output ``EndpointAuthorization`` in
    ``RevokeEndpointAccessResult``. Errors used: ``ClusterNotFound`` (404),
    ``EndpointAuthorizationNotFound`` (404), ``InvalidAuthorizationState``
    (400; endpoints still use it and Force is false, or it is already Revoking).

    With ``VpcIds``, only those VPCs are removed from the grant (what the AWS
    provider does when ``vpc_ids`` shrinks); the grant itself stays. Without,
    the whole grant goes. With ``Force``, the grantee's affected endpoints are
    deleted; the grant shows ``Revoking`` until they are gone.
    """
    _find_cluster(caller, region, cluster_identifier)
    state = _state(_backend(caller, region))
    authorization = state.authorizations.get((cluster_identifier, account))
    if authorization is None:
        rule("revoke.not-found")
        raise EndpointAuthorizationNotFoundFault(
            f"No authorization of account {account} exists on cluster {cluster_identifier}."
        )
    _require_authorized(authorization)
    removed = _unique(vpc_ids)
    if removed and authorization.allowed_all_vpcs:
        rule("revoke.some-vpcs-of-all")
        raise InvalidParameterValueError(
            f"The authorization of account {account} on cluster {cluster_identifier} allows all its VPCs; revoke it whole, then authorize the VPCs to keep."
        )
    affected = [e for e in _endpoints_of_grantee(authorization) if not removed or e.vpc_id in removed]
    if affected and not force:
        rule("revoke.in-use-without-force")
        if _Settings.revoke_in_use == "refuse":
            raise InvalidAuthorizationStateFault(
                f"The authorization of account {account} on cluster {cluster_identifier} is used by endpoints "
                f"{', '.join(sorted(e.endpoint_name for e in affected))}. Delete them first, or revoke with Force to delete them."
            )
    if force and affected:
        rule("revoke.force-deletes-endpoints")
        for endpoint in affected:
            _start_delete(endpoint)
    if removed:
        rule("revoke.some-vpcs")
        authorization.vpc_ids = [v for v in authorization.vpc_ids if v not in removed]
        if authorization.vpc_ids:
            return authorization
        rule("revoke.last-vpc")
    pending = force and bool(affected)
    rule("revoke.revoking-until-endpoints-gone" if pending else "revoke.gone-at-once")
    return _retire(state, authorization, pending=pending)


def _retire(state: _BackendState, authorization: EndpointAuthorization, pending: bool) -> EndpointAuthorization:
    """Removes the authorization, at once or, while endpoints are being deleted, after the delay."""
    authorization.status = "Revoking"
    key = (authorization.cluster_identifier, authorization.grantee)
    if pending:
        _schedule(lambda: state.authorizations.pop(key, None))
    else:
        state.authorizations.pop(key, None)
    return authorization


def describe_endpoint_authorization(
    caller: str, region: str, cluster_identifier: str | None, account: str | None, grantee: bool
) -> list[EndpointAuthorization]:
    """DescribeEndpointAuthorization: grants made by the caller, or (``Grantee``) to the caller.

    Model: input ``DescribeEndpointAuthorizationMessage`` (``ClusterIdentifier``,
    ``Account``, ``Grantee``, ``MaxRecords``, ``Marker``); output
    ``EndpointAuthorizationList`` in ``DescribeEndpointAuthorizationResult``.
    ``Account`` is the grantee when the caller is the grantor, and the grantor
    when ``Grantee`` is true. Errors used: ``ClusterNotFound`` (404) when the
    caller, as grantor, names a cluster it does not have. No match is an
    empty list (the model lists no not-found error for this operation).
    """
    rule("describe-authorization.empty")
    if grantee:
        rule("describe-authorization.grantee-view")
        found = [
            a
            for backend in _region_backends(region)
            for a in _state(backend).authorizations.values()
            if a.grantee == caller and (account is None or a.grantor == account)
        ]
    else:
        if cluster_identifier:
            _find_cluster(caller, region, cluster_identifier)
        found = [a for a in _state(_backend(caller, region)).authorizations.values() if account is None or a.grantee == account]
    return [a for a in found if cluster_identifier is None or a.cluster_identifier == cluster_identifier]


# --------------------------------------------------------------------------
# Endpoints
# --------------------------------------------------------------------------


@dataclass
class CreateEndpointRequest:
    """The parameters of CreateEndpointAccess, with the caller's account and region."""

    caller: str
    region: str
    endpoint_name: str
    subnet_group_name: str
    cluster_identifier: str | None
    resource_owner: str | None
    vpc_security_group_ids: list[str]


def create_endpoint_access(req: CreateEndpointRequest) -> EndpointAccess:
    """CreateEndpointAccess: a Redshift-managed VPC endpoint in the caller's VPC.

    Model: input ``CreateEndpointAccessMessage`` (``EndpointName`` and
    ``SubnetGroupName`` required; ``ClusterIdentifier``, ``ResourceOwner``,
    ``VpcSecurityGroupIds``); output ``EndpointAccess`` in
    ``CreateEndpointAccessResult``. Errors used, all from the model's list for
    the operation: ``ClusterNotFound`` (404), ``ClusterSubnetGroupNotFoundFault``
    (400), ``EndpointAlreadyExists`` (400; the name is taken in this account, or
    the cluster already has an endpoint in this VPC), ``AccessToClusterDenied``
    (400; no authorization covers the VPC), ``EndpointsPerClusterLimitExceeded``
    (400), ``EndpointsPerAuthorizationLimitExceeded`` (400),
    ``InvalidClusterState`` (400), ``UnsupportedOperation`` (400; non-RA3,
    relocation off or a port outside the ranges); plus ``InvalidParameterValue``
    (400) for a bad name or a security group outside the VPC. Each rule is in
    ``rules.py`` with its source.

    The endpoint gets one VPC endpoint and one network interface, in the
    subnet group's first subnet (AWS picks one subnet of the group; the
    first is this emulator's fixed choice), with a private IP from that
    subnet. Both are real resources in the caller's EC2 backend. Without
    security groups the VPC's default group is used. The endpoint is
    ``creating`` for the configured delay, then ``active``.
    """
    problem = _endpoint_name_problem(req.endpoint_name)
    if problem:
        rule("create.name-rule")
        raise InvalidParameterValueError(f"The endpoint name {req.endpoint_name} {problem}.")
    rule("create.resource-owner")
    owner = req.resource_owner or req.caller
    caller_backend = _backend(req.caller, req.region)
    subnet_group = caller_backend.subnet_groups.get(req.subnet_group_name)
    if subnet_group is None:
        rule("create.subnet-group-exists")
        raise ClusterSubnetGroupNotFoundError(req.subnet_group_name)
    if req.endpoint_name in _state(caller_backend).endpoints:
        rule("create.name-unique")
        raise EndpointAlreadyExistsFault(f"The endpoint {req.endpoint_name} already exists in account {req.caller}.")
    cluster = _find_cluster(owner, req.region, req.cluster_identifier or "")
    vpc_id = subnet_group.vpc_id
    _check_access(req.caller, owner, cluster, vpc_id)
    _require_available(cluster)
    _require_ra3(cluster, "create.ra3")
    _require_relocation(cluster)
    _require_port_range(cluster)
    _check_endpoint_limits(req.caller, owner, cluster, vpc_id)
    groups = _security_groups(req.caller, req.region, vpc_id, req.vpc_security_group_ids)
    ensure_service_linked_role(req.caller)
    endpoint = _provision(req, owner, cluster, subnet_group.subnet_ids[0], groups)
    _state(caller_backend).endpoints[endpoint.endpoint_name] = endpoint
    _settle(endpoint, "creating")
    return endpoint


def _check_access(caller: str, owner: str, cluster: Cluster, vpc_id: str) -> None:
    """``AccessToClusterDenied`` unless the caller owns the cluster or holds a grant covering ``vpc_id``."""
    if caller == owner:
        return
    grant = _state(_backend(owner, cluster.region)).authorizations.get((cluster.cluster_identifier, caller))
    if grant is None or not grant.covers(vpc_id):
        rule("create.access")
        raise AccessToClusterDeniedFault(
            f"Account {caller} is not authorized to create a Redshift-managed VPC endpoint for VPC {vpc_id} "
            f"to access cluster {cluster.cluster_identifier} of account {owner}."
        )


def _check_endpoint_limits(caller: str, owner: str, cluster: Cluster, vpc_id: str) -> None:
    """One endpoint per cluster per VPC, and the per-cluster and per-authorization quotas."""
    existing = _endpoints_of_cluster(owner, cluster.region, cluster.cluster_identifier)
    if any(e.vpc_id == vpc_id for e in existing):
        rule("create.one-per-vpc")
        raise EndpointAlreadyExistsFault(f"The Redshift-managed VPC endpoint for VPC {vpc_id} to access cluster already exists")
    if len(existing) >= _Settings.quotas.endpoints_per_cluster:
        rule("create.quota-per-cluster")
        raise EndpointsPerClusterLimitExceededFault(
            f"Cluster {cluster.cluster_identifier} already has {_Settings.quotas.endpoints_per_cluster} Redshift-managed VPC endpoints, the quota."
        )
    if caller != owner and sum(e.owner == caller for e in existing) >= _Settings.quotas.endpoints_per_authorization:
        rule("create.quota-per-authorization")
        raise EndpointsPerAuthorizationLimitExceededFault(
            f"The authorization of account {caller} on cluster {cluster.cluster_identifier} already has "
            f"{_Settings.quotas.endpoints_per_authorization} Redshift-managed VPC endpoints, the quota."
        )


def _security_groups(account: str, region: str, vpc_id: str, group_ids: list[str]) -> list[str]:
    """The given groups, each checked to be in ``vpc_id``; the VPC's default group when none is given."""
    ec2 = ec2_backends[account][region]
    if not group_ids:
        rule("create.default-security-group")
        return [ec2.get_security_group_from_name("default", vpc_id=vpc_id).id]
    for group_id in group_ids:
        group = ec2.get_security_group_from_id(group_id)
        if group is None or group.vpc_id != vpc_id:
            rule("create.security-groups-in-vpc")
            raise InvalidParameterValueError(f"Security group {group_id} is not in VPC {vpc_id}.")
    return _unique(group_ids)


def _provision(req: CreateEndpointRequest, owner: str, cluster: Cluster, subnet_id: str, groups: list[str]) -> EndpointAccess:
    """Creates the network interface and the VPC endpoint in the caller's EC2 backend."""
    rule("create.subnet-choice")
    rule("create.port")
    rule("create.address")
    ec2 = ec2_backends[req.caller][req.region]
    subnet = ec2.get_subnet(subnet_id)
    ip = subnet.get_available_subnet_ip(None)
    eni = ec2.create_network_interface(
        subnet, ip, group_ids=groups, description=f"Redshift-managed VPC endpoint {req.endpoint_name}"
    )
    eni.requester_managed = True
    eni.interface_type = "vpc_endpoint"
    vpce = ec2.create_vpc_endpoint(
        vpc_id=subnet.vpc_id,
        service_name=f"com.amazonaws.{req.region}.redshift-managed-endpoint",
        endpoint_type="Interface",
        policy_document=None,
        route_table_ids=[],
        subnet_ids=None,
        security_group_ids=groups,
    )
    vpce.subnet_ids = [subnet_id]
    vpce.network_interface_ids = [eni.id]
    vpce.state = "pending"
    return EndpointAccess(
        owner=req.caller,
        region=req.region,
        endpoint_name=req.endpoint_name,
        cluster_identifier=cluster.cluster_identifier,
        resource_owner=owner,
        subnet_group_name=req.subnet_group_name,
        vpc_id=subnet.vpc_id,
        subnet_id=subnet_id,
        availability_zone=subnet.availability_zone,
        security_group_ids=groups,
        address=f"{req.endpoint_name}.{secrets.token_hex(6)}.{req.region}.redshift.amazonaws.com",
        port=cluster.port,
        vpc_endpoint_id=vpce.id,
        network_interface_id=eni.id,
        private_ip_address=ip,
    )


def _settle(endpoint: EndpointAccess, status: str) -> None:
    """Puts the endpoint in a transitional ``status`` and schedules its end."""
    rule("endpoint.states")
    endpoint.status = status
    endpoint.generation += 1
    generation = endpoint.generation

    def finish() -> None:
        if endpoint.generation != generation:
            return
        if status == "deleting":
            _remove(endpoint)
        elif status == "creating" and endpoint.endpoint_name in _Settings.failing_endpoints:
            rule("endpoint.failed")
            endpoint.status = FAILED_STATUS
        else:
            endpoint.status = "active"
            vpce = ec2_backends[endpoint.owner][endpoint.region].vpc_end_points.get(endpoint.vpc_endpoint_id)
            if vpce is not None:
                vpce.state = "available"

    _schedule(finish)


#: The status of an endpoint whose creation failed. The model's ``EndpointStatus``
#: is a plain string with no enum; the provider's waiter (``waitEndpointAccessActive``)
#: waits through ``creating``/``modifying`` for ``active`` and fails on any other
#: status, so any other word would do. AWS documents no failure status for
#: endpoints; we chose ``failed``, plain and distinct from the four the provider
#: names (active, creating, deleting, modifying). A failed endpoint may be deleted.
FAILED_STATUS = "failed"


def fail_endpoints(names: list[str]) -> None:
    """Makes the creation of each named endpoint end in ``FAILED_STATUS`` (``--fail-endpoint``)."""
    _Settings.failing_endpoints = frozenset(names)


def _start_delete(endpoint: EndpointAccess) -> None:
    _settle(endpoint, "deleting")


def _remove(endpoint: EndpointAccess) -> None:
    """Deletes the endpoint with its VPC endpoint and network interface."""
    ec2 = ec2_backends[endpoint.owner][endpoint.region]
    ec2.delete_vpc_endpoints([endpoint.vpc_endpoint_id])
    ec2.vpc_end_points.pop(endpoint.vpc_endpoint_id, None)
    ec2.enis.pop(endpoint.network_interface_id, None)
    try:
        ec2.get_subnet(endpoint.subnet_id).del_subnet_ip(endpoint.private_ip_address)
    except Exception:  # the subnet may be gone already; nothing left to free
        pass
    _state(_backend(endpoint.owner, endpoint.region)).endpoints.pop(endpoint.endpoint_name, None)


#: Redshift's service-linked role, as the guide names it (rule iam.service-linked-role).
SERVICE_LINKED_ROLE = "AWSServiceRoleForRedshift"
SERVICE_LINKED_ROLE_PATH = "/aws-service-role/redshift.amazonaws.com/"


def has_service_linked_role(account: str) -> bool:
    """Whether ``account`` holds AWSServiceRoleForRedshift."""
    from moto.iam.models import iam_backends  # noqa: PLC0415  (moto's, at call time)

    return any(r.name == SERVICE_LINKED_ROLE for r in list(iam_backends[account]["global"].roles.values()))


def ensure_service_linked_role(account: str) -> None:
    """Creates AWSServiceRoleForRedshift in ``account`` unless it has it: Redshift's first cluster or endpoint there does.

    moto's own create_service_linked_role would name it AWSServiceRoleForredshift; the guide's name is used.
    """
    from moto.iam.models import iam_backends  # noqa: PLC0415

    rule("iam.service-linked-role")
    if has_service_linked_role(account):
        return
    trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["redshift.amazonaws.com"]},"Action":["sts:AssumeRole"]}]}'
    iam_backends[account]["global"].create_role(
        SERVICE_LINKED_ROLE,
        trust,
        SERVICE_LINKED_ROLE_PATH,
        None,
        "Allows Amazon Redshift to call AWS services on your behalf",
        [],
        None,
        linked_service="redshift.amazonaws.com",
    )


def find_endpoint(caller: str, region: str, endpoint_name: str) -> EndpointAccess | None:
    """The caller's endpoint of that name, or None (for IAM enforcement's check behind ModifyEndpointAccess)."""
    with _LOCK:
        return _state(_backend(caller, region)).endpoints.get(endpoint_name)


def _own_endpoint(caller: str, region: str, endpoint_name: str) -> EndpointAccess:
    endpoint = _state(_backend(caller, region)).endpoints.get(endpoint_name)
    if endpoint is None:
        rule("endpoint.not-found")
        raise EndpointNotFoundFault(f"The endpoint {endpoint_name} was not found.")
    return endpoint


def _require_active(endpoint: EndpointAccess) -> None:
    if endpoint.status != "active":
        rule("endpoint.active-to-change")
        raise InvalidEndpointStateFault(f"The endpoint {endpoint.endpoint_name} is {endpoint.status}; it must be active.")


def delete_endpoint_access(caller: str, region: str, endpoint_name: str) -> EndpointAccess:
    """DeleteEndpointAccess: delete one of the caller's endpoints.

    Model: input ``DeleteEndpointAccessMessage`` (``EndpointName`` required);
    output ``EndpointAccess`` in ``DeleteEndpointAccessResult``. Errors used:
    ``EndpointNotFound`` (404), ``InvalidEndpointState`` (400; not active).
    The endpoint is ``deleting`` for the configured delay, then gone with its
    VPC endpoint and network interface.
    """
    endpoint = _own_endpoint(caller, region, endpoint_name)
    if endpoint.status != FAILED_STATUS:
        _require_active(endpoint)
    _start_delete(endpoint)
    return endpoint


def modify_endpoint_access(caller: str, region: str, endpoint_name: str, group_ids: list[str]) -> EndpointAccess:
    """ModifyEndpointAccess: replace the endpoint's VPC security groups.

    Model: input ``ModifyEndpointAccessMessage`` (``EndpointName`` required,
    ``VpcSecurityGroupIds``); output ``EndpointAccess`` in
    ``ModifyEndpointAccessResult``. Errors used: ``EndpointNotFound`` (404),
    ``InvalidEndpointState`` (400; not active), ``InvalidParameterValue``
    (400; a group outside the VPC, or the groups it already has). The endpoint
    is ``modifying`` for the configured delay, then ``active``.
    """
    rule("modify.security-groups-only")
    endpoint = _own_endpoint(caller, region, endpoint_name)
    _require_active(endpoint)
    groups = _security_groups(caller, region, endpoint.vpc_id, group_ids)
    if sorted(groups) == sorted(endpoint.security_group_ids):
        rule("modify.same-groups")
        raise InvalidParameterValueError("The specified VPC security group identifiers are already associated with the endpoint.")
    endpoint.security_group_ids = groups
    ec2 = ec2_backends[caller][region]
    eni = ec2.enis.get(endpoint.network_interface_id)
    if eni is not None:
        eni._group_set = [ec2.get_security_group_from_id(g) for g in groups]
    vpce = ec2.vpc_end_points.get(endpoint.vpc_endpoint_id)
    if vpce is not None:
        vpce.security_group_ids = groups
    _settle(endpoint, "modifying")
    return endpoint


def describe_endpoint_access(
    caller: str,
    region: str,
    cluster_identifier: str | None,
    resource_owner: str | None,
    endpoint_name: str | None,
    vpc_id: str | None,
) -> list[EndpointAccess]:
    """DescribeEndpointAccess: the caller's endpoints, and endpoints to clusters the caller owns.

    Model: input ``DescribeEndpointAccessMessage`` (``ClusterIdentifier``,
    ``ResourceOwner``, ``EndpointName``, ``VpcId``, ``MaxRecords``,
    ``Marker``); output ``EndpointAccessList`` in
    ``DescribeEndpointAccessResult``. Errors used: ``EndpointNotFound`` (404)
    when ``EndpointName`` is given and matches nothing (the AWS provider
    relies on it to see an endpoint gone).
    """
    rule("describe-endpoint.owner-view")
    visible = [
        e
        for backend in _region_backends(region)
        for e in _state(backend).endpoints.values()
        if e.owner == caller or e.resource_owner == caller
    ]
    found = [
        e
        for e in visible
        if (cluster_identifier is None or e.cluster_identifier == cluster_identifier)
        and (resource_owner is None or e.resource_owner == resource_owner)
        and (endpoint_name is None or e.endpoint_name == endpoint_name)
        and (vpc_id is None or e.vpc_id == vpc_id)
    ]
    if endpoint_name is not None and not found:
        rule("describe-endpoint.not-found-by-name")
        raise EndpointNotFoundFault(f"The endpoint {endpoint_name} was not found.")
    return sorted(found, key=lambda e: (e.owner, e.endpoint_name))
