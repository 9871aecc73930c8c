"""What AWS checks on the caller behind a call, with the source of each.

- ``CALLER_CHECKS``: per action, the checks a service documents behind it
  (the Redshift guide's ec2:CreateVpcEndpoint and ec2:ModifyVpcEndpoint; the
  service-linked role an account's first endpoint creates).
- ``dependent_checks``: the dependent actions the service authorization
  reference names for an action and the resource types of its request, and
  ec2:CreateTags for what a request tags as it creates it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from moto.ec2.models import ec2_backends

from rules import rule

from . import reference
from .context import Context, Request, Resource, _ec2_arn, _security_group, resource_type, route53_vpc_value, typed


@dataclass
class CallerCheck:
    """An action AWS authorizes against the caller's policies while serving another call, and its context."""

    action: str
    context: Context
    #: The error the calling service answers with when the check fails: (code, HTTP status); None for the
    #: service's own access-denied answer.
    error: tuple[str, int] | None


def _redshift_list(params: dict[str, list[str]], name: str) -> list[str]:
    """A Redshift query-protocol list (``Name.Member.N`` or ``Name.member.N``), in order."""
    found = [(int(m.group(1)), v[0]) for k, v in params.items() if (m := re.fullmatch(re.escape(name) + r"\.[A-Za-z]+\.(\d+)", k))]
    return [v for _, v in sorted(found)]


def _create_vpc_endpoint_check(req: Request) -> CallerCheck | None:
    """``ec2:CreateVpcEndpoint`` behind ``redshift:CreateEndpointAccess``.

    Source: Amazon Redshift Management Guide, "Redshift-managed VPC endpoints", Considerations: a note on creating
    or modifying a Redshift-managed VPC endpoint, not read verbatim here (the stored copies end at "To create or
    modify a Redshi…"; that it asks for ec2:CreateVpcEndpoint in the caller's IAM policy is as issue 19 reported
    it); the CloudFormation registry schema of AWS::Redshift::EndpointAccess lists ec2:CreateVpcEndpoint among its
    create permissions (rules.CFN_REGISTRY_ACCESS; the repository's own schema lists ec2:CreateClientVpnEndpoint
    instead). The resources are
    the ones the service authorization reference lists for ec2:CreateVpcEndpoint (vpc*, vpc-endpoint*,
    subnet, security-group): the subnet group's VPC, the subnet this emulator places the endpoint in (its
    first), the endpoint's security groups (the VPC's default group when none is given) and the new VPC
    endpoint. How AWS makes this check (a forward access session or otherwise) is not documented: assumed.
    The error, Redshift's UnauthorizedOperation (400), is the one botocore's model lists for
    CreateEndpointAccess ("Your account is not authorized to perform the requested operation."); its message is
    this emulator's (IAM's access-denied wording): AWS's is unrecorded.
    """
    from moto.redshift.models import redshift_backends  # noqa: PLC0415  (moto's, at call time)

    rule("iam.caller-check-vpc-endpoint")
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
    resources += [_security_group(req, g, "ec2:CreateVpcEndpoint") for g in groups]
    resources.append(Resource(_ec2_arn(req, "vpc-endpoint", "*")))
    # ec2:Vpc is in no row of this action in the reference: modelled, and absent (a condition on it is false).
    modelled = {"aws:RequestedRegion", "ec2:Vpc"}
    return CallerCheck("ec2:CreateVpcEndpoint", Context(resources, {"aws:RequestedRegion": [req.region]}, modelled), ("UnauthorizedOperation", 400))


def _modify_vpc_endpoint_check(req: Request) -> CallerCheck | None:
    """``ec2:ModifyVpcEndpoint`` behind ``redshift:ModifyEndpointAccess``.

    Source: the same note of the Management Guide (not read verbatim; modifying needs ec2:ModifyVpcEndpoint as
    issue 19 reported it), and the registry schema's update permissions, which list ec2:ModifyVpcEndpoint. The
    resources are the endpoint's VPC endpoint and the new security groups (vpc-endpoint*, security-group in
    the reference, the group with its ec2:Vpc). The mechanism is not documented: assumed. Error as above
    (botocore lists UnauthorizedOperation for ModifyEndpointAccess).
    """
    import redshift_endpoints  # noqa: PLC0415  (the emulator's own package, loaded by server.py)

    rule("iam.caller-check-vpc-endpoint")
    name = (req.params.get("EndpointName") or [None])[0]
    endpoint = redshift_endpoints.find_endpoint(req.account, req.region, name) if name else None
    if endpoint is None:
        return None  # the call itself fails with EndpointNotFound
    resources = [Resource(_ec2_arn(req, "vpc-endpoint", endpoint.vpc_endpoint_id))]
    resources += [_security_group(req, g, "ec2:ModifyVpcEndpoint") for g in _redshift_list(req.params, "VpcSecurityGroupIds")]
    # ec2:Vpc is in this action's security-group row, not its vpc-endpoint row: on the endpoint it is absent.
    modelled = {"aws:RequestedRegion", "ec2:Vpc"}
    return CallerCheck("ec2:ModifyVpcEndpoint", Context(resources, {"aws:RequestedRegion": [req.region]}, modelled), ("UnauthorizedOperation", 400))


def _service_linked_role_check(req: Request) -> CallerCheck | None:
    """``iam:CreateServiceLinkedRole`` behind ``redshift:CreateEndpointAccess``, when the account lacks AWSServiceRoleForRedshift.

    Source: Amazon Redshift Management Guide, "Using service-linked roles": "Amazon Redshift creates a
    service-linked role in your account the first time you create a cluster or a Redshift-managed VPC
    endpoint"; IAM User Guide, "Service-linked role permissions": the IAM entity that creates the role needs
    iam:CreateServiceLinkedRole, which its iam:AWSServiceName key narrows to the service. The error is assumed
    to be Redshift's UnauthorizedOperation, as for the check above.
    """
    import redshift_endpoints  # noqa: PLC0415

    rule("iam.caller-check-service-linked-role")
    if redshift_endpoints.has_service_linked_role(req.account):
        return None
    arn = f"arn:aws:iam::{req.account}:role/aws-service-role/redshift.amazonaws.com/{redshift_endpoints.SERVICE_LINKED_ROLE}"
    return CallerCheck(
        "iam:CreateServiceLinkedRole",
        Context([Resource(arn)], {"iam:AWSServiceName": ["redshift.amazonaws.com"]}, {"iam:AWSServiceName"}),
        ("UnauthorizedOperation", 400),
    )


#: Per action, what AWS checks on the caller behind it (see each function's source).
CALLER_CHECKS: dict[str, list[Callable[[Request], CallerCheck | None]]] = {
    "redshift:CreateEndpointAccess": [_service_linked_role_check, _create_vpc_endpoint_check],
    "redshift:ModifyEndpointAccess": [_modify_vpc_endpoint_check],
}


def caller_checks(req: Request, action: str) -> list[CallerCheck]:
    """The checks ``CALLER_CHECKS`` makes behind ``action`` for this request."""
    checks = [check for build in CALLER_CHECKS.get(action, []) if (check := build(req)) is not None]
    for check in checks:
        typed(check.action, check.context)
    return checks


def _tagged_types(req: Request) -> list[str]:
    """The resource types an EC2 request tags as it creates them (``TagSpecification.N.ResourceType``)."""
    return sorted({v[0] for k, v in req.params.items() if re.fullmatch(r"TagSpecification\.\d+\.ResourceType", k)})


def _vpc_of(context: Context) -> tuple[str, str] | None:
    """The VPC id and region of the request's VPC resource, when it names one."""
    for resource in context.resources or []:
        match = re.fullmatch(r"arn:aws:ec2:([^:]+):[^:]*:vpc/(vpc-[0-9a-f]+)", resource.arn)
        if match:
            return match.group(2), match.group(1)
    return None


def dependent_checks(req: Request, action: str, context: Context, error: tuple[str, int] | None) -> list[CallerCheck]:
    """The dependent actions of ``action`` (service authorization reference), each as a check on the caller.

    Which resource a dependent check is on is not documented: assumed. Where the dependent action has resource
    types, its resource here is that type's ARN with a wildcard id (a grant scoped to one named resource cannot
    cover what the caller did not name); otherwise ``*``. Keys: route53:VPCs of the request's VPC in Route 53's
    form; aws:RequestedRegion is not modelled (which region AWS evaluates for a check made through another
    service's endpoint is documented nowhere) and is reported as unenforced. ec2:CreateTags is checked only for
    what the request tags as it creates it, with ec2:CreateAction set to the creating action (Amazon EC2 User
    Guide, "Grant permission to tag resources during creation"); a creation that tags nothing needs no
    ec2:CreateTags.
    """
    rule("iam.dependent-actions")
    types = {t for r in context.resources or [] if (t := resource_type(r.arn))}
    checks: list[CallerCheck] = []
    for dependent in reference.dependent_actions(action, types):
        if dependent == "ec2:CreateTags":
            tagged = _tagged_types(req) if action.startswith("ec2:") and action.split(":")[1] == req.action else []
            if tagged:
                rule("iam.tag-on-create")
                resources = [Resource(_ec2_arn(req, t, "*")) for t in tagged]
                keys = {"ec2:CreateAction": [action.split(":", 1)[1]]}
                checks.append(CallerCheck(dependent, Context(resources, keys, {"ec2:CreateAction"}), error))
            continue
        own_types = reference.resource_types(dependent)
        if own_types:
            template = reference.arn_template(dependent, next(iter(own_types)))
            arn = _fill_arn(template, req) if template else "*"
        else:
            arn = "*"
        keys: dict[str, list[str]] = {}
        modelled: set[str] = set()
        vpc = _vpc_of(context)
        if dependent.startswith("route53:") and (vpc is not None or "route53:VPCs" in context.keys):
            keys["route53:VPCs"] = [route53_vpc_value(*vpc)] if vpc is not None else list(context.keys["route53:VPCs"])
            modelled.add("route53:VPCs")
        checks.append(CallerCheck(dependent, Context([Resource(arn)], keys, modelled), error))
    return checks


def _fill_arn(template: str, req: Request) -> str:
    """The reference's ARN format with the request's partition, region and account, and ``*`` for the id."""
    arn = template.replace("${Partition}", "aws").replace("${Region}", req.region).replace("${Account}", req.account)
    return re.sub(r"\$\{[^}]+\}", "*", arn)
