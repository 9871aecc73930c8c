"""What AWS checks on the caller behind a call: ``CALLER_CHECKS``, per action, with the source of each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from moto.ec2.models import ec2_backends

from .context import Context, Request, Resource, _ec2_arn, _security_group


@dataclass
class CallerCheck:
    """An action AWS authorizes against the caller's policies while serving another call, and its context."""

    action: str
    context: Context
    #: The error the calling service answers with when the check fails: (code, HTTP status).
    error: tuple[str, int]


def _redshift_list(params: dict[str, list[str]], name: str) -> list[str]:
    """A Redshift query-protocol list (``Name.Member.N`` or ``Name.member.N``), in order."""
    found = [(int(m.group(1)), v[0]) for k, v in params.items() if (m := re.fullmatch(re.escape(name) + r"\.[A-Za-z]+\.(\d+)", k))]
    return [v for _, v in sorted(found)]


def _create_vpc_endpoint_check(req: Request) -> CallerCheck | None:
    """``ec2:CreateVpcEndpoint`` behind ``redshift:CreateEndpointAccess``.

    Source: Amazon Redshift Management Guide, "Redshift-managed VPC endpoints", considerations: creating a
    Redshift-managed VPC endpoint needs ec2:CreateVpcEndpoint in the caller's IAM policy. The resources are
    the ones the service authorization reference lists for ec2:CreateVpcEndpoint (vpc*, vpc-endpoint*,
    subnet, security-group): the subnet group's VPC, the subnet this emulator places the endpoint in (its
    first), the endpoint's security groups (the VPC's default group when none is given) and the new VPC
    endpoint. How AWS makes this check (a forward access session or otherwise) is not documented: assumed.
    The error, Redshift's UnauthorizedOperation (400), is the one botocore's model lists for
    CreateEndpointAccess ("Your account is not authorized to perform the requested operation.").
    """
    from moto.redshift.models import redshift_backends  # noqa: PLC0415  (moto's, at call time)

    group_name = (req.params.get("SubnetGroupName") or [None])[0]
    group = redshift_backends[req.account][req.region].subnet_groups.get(group_name) if group_name else None
    if group is None:
        return None  # the call itself fails with ClusterSubnetGroupNotFoundFault
    groups = _redshift_list(req.params, "VpcSecurityGroupIds")
    if not groups:
        try:
            groups = [ec2_backends[req.account][req.region].get_security_group_from_name("default", vpc_id=group.vpc_id).id]
        except Exception:
            groups = []
    resources = [Resource(_ec2_arn(req, "vpc", group.vpc_id)), Resource(_ec2_arn(req, "subnet", group.subnet_ids[0]))]
    resources += [_security_group(req, g) for g in groups]
    resources.append(Resource(_ec2_arn(req, "vpc-endpoint", "*")))
    return CallerCheck("ec2:CreateVpcEndpoint", Context(resources, {"aws:RequestedRegion": [req.region]}, {"aws:RequestedRegion"}), ("UnauthorizedOperation", 400))


def _modify_vpc_endpoint_check(req: Request) -> CallerCheck | None:
    """``ec2:ModifyVpcEndpoint`` behind ``redshift:ModifyEndpointAccess``.

    Source: the same considerations of the Management Guide (modifying needs ec2:ModifyVpcEndpoint). The
    resources are the endpoint's VPC endpoint and the new security groups (vpc-endpoint*, security-group in
    the reference, the group with its ec2:Vpc). The mechanism is not documented: assumed. Error as above
    (botocore lists UnauthorizedOperation for ModifyEndpointAccess).
    """
    import redshift_endpoints  # noqa: PLC0415  (the emulator's own package, loaded by server.py)

    name = (req.params.get("EndpointName") or [None])[0]
    endpoint = redshift_endpoints.find_endpoint(req.account, req.region, name) if name else None
    if endpoint is None:
        return None  # the call itself fails with EndpointNotFound
    resources = [Resource(_ec2_arn(req, "vpc-endpoint", endpoint.vpc_endpoint_id))]
    resources += [_security_group(req, g) for g in _redshift_list(req.params, "VpcSecurityGroupIds")]
    return CallerCheck("ec2:ModifyVpcEndpoint", Context(resources, {"aws:RequestedRegion": [req.region]}, {"aws:RequestedRegion"}), ("UnauthorizedOperation", 400))


#: Per action, what AWS checks on the caller behind it (see each function's source).
CALLER_CHECKS: dict[str, Callable[[Request], CallerCheck | None]] = {
    "redshift:CreateEndpointAccess": _create_vpc_endpoint_check,
    "redshift:ModifyEndpointAccess": _modify_vpc_endpoint_check,
}
