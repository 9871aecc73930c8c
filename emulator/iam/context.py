"""What IAM would know about a request, per service: its resources and the condition keys AWS fills in.

``request_context`` gives a request's ``Context``: the resource ARNs of the
request and its condition keys, for the actions this project's policies
grant (``REQUEST_CONTEXT``, one builder per service). What is not modelled is
None (resources) or absent from ``modelled`` (keys), and is reported as
``unenforced`` by the evaluation, never guessed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import unquote, urlparse

from moto.ec2.models import ec2_backends
from rules import rule

from . import reference


@dataclass
class Resource:
    """One resource of a request, with the condition keys that belong to it (e.g. ``ec2:Vpc`` of a security group)."""

    arn: str
    keys: dict[str, list[str]] = field(default_factory=dict)
    #: The resource does not exist (yet, or any more): its keys cannot be known, and the call itself answers
    #: NotFound. A condition on its keys is then not judged (reported as unenforced), not failed. Assumed: AWS
    #: documents no order between finding a resource and authorizing on its keys.
    missing: bool = False


@dataclass
class Context:
    """What IAM would know about a request: its resources (None: not modelled) and its request-wide condition keys."""

    resources: list[Resource] | None
    keys: dict[str, list[str]]
    #: Condition keys this emulator models for the action; a modelled key missing from ``keys`` is absent from the request.
    modelled: set[str]
    #: Resources of the request this emulator does not check, by type.
    unmodelled: list[str] = field(default_factory=list)


# --- resources and condition keys per action -------------------------------------------------------------

#: Per action, the resource types this module and caller_checks.py attach to its requests. ``typed`` refuses any
#: other (UndeclaredResourceType), so this table is what the code does, and test/emulator/rules/test_rules.py holds
#: it to the service authorization reference (``iam.resources-per-action``). Outside it: a resource of type ``*``
#: (an action with no resource type), ARNs a request names whole (REQUEST_NAMED; S3 and STS, as moto computes
#: them), and the checks caller_checks.py builds from the reference itself (dependent actions) or from the
#: request's TagSpecifications (tag-on-create).
RESOURCE_TYPES: dict[str, frozenset[str]] = {
    "ec2:AuthorizeSecurityGroupIngress": frozenset({"security-group"}),
    "ec2:CreateSecurityGroup": frozenset({"vpc", "security-group"}),
    "ec2:CreateTags": frozenset({"security-group", "security-group-rule", "subnet", "vpc", "vpc-endpoint"}),
    "ec2:DeleteSecurityGroup": frozenset({"security-group"}),
    "ec2:DeleteTags": frozenset({"security-group", "security-group-rule", "subnet", "vpc", "vpc-endpoint"}),
    "ec2:DescribeVpcAttribute": frozenset({"vpc"}),
    "ec2:ModifySecurityGroupRules": frozenset({"security-group", "security-group-rule"}),
    "ec2:RevokeSecurityGroupEgress": frozenset({"security-group"}),
    "ec2:RevokeSecurityGroupIngress": frozenset({"security-group"}),
    # The checks behind a Redshift call (caller_checks.py).
    "ec2:CreateVpcEndpoint": frozenset({"vpc", "subnet", "security-group", "vpc-endpoint"}),
    "ec2:ModifyVpcEndpoint": frozenset({"vpc-endpoint", "security-group"}),
    "iam:CreateServiceLinkedRole": frozenset({"role"}),
    "redshift:CreateClusterSubnetGroup": frozenset({"subnetgroup"}),
    "redshift:DeleteClusterSubnetGroup": frozenset({"subnetgroup"}),
    "redshift:DescribeClusters": frozenset({"cluster"}),
    "redshift:DescribeLoggingStatus": frozenset({"cluster"}),
    "redshift:ModifyClusterSubnetGroup": frozenset({"subnetgroup"}),
    "route53:AssociateVPCWithHostedZone": frozenset({"hostedzone"}),
    "route53:ChangeResourceRecordSets": frozenset({"hostedzone"}),
    "route53:ChangeTagsForResource": frozenset({"hostedzone", "healthcheck"}),
    "route53:DeleteHostedZone": frozenset({"hostedzone"}),
    "route53:DisassociateVPCFromHostedZone": frozenset({"hostedzone"}),
    "route53:GetChange": frozenset({"change"}),
    "route53:GetHostedZone": frozenset({"hostedzone"}),
    "route53:ListResourceRecordSets": frozenset({"hostedzone"}),
    "route53:ListTagsForResource": frozenset({"hostedzone", "healthcheck"}),
    "route53:UpdateHostedZoneComment": frozenset({"hostedzone"}),
}
#: Actions whose resource ARN the request names whole (Redshift's ResourceName): its type is the caller's choice.
REQUEST_NAMED = frozenset({"redshift:CreateTags", "redshift:DeleteTags"})


class UndeclaredResourceType(RuntimeError):
    """The code attached a resource of a type RESOURCE_TYPES does not declare for the action: a bug of this module."""


def resource_type(arn: str) -> str | None:
    """The resource type of an ARN as the reference names it (``security-group`` of ``...:security-group/sg-1``)."""
    if arn == "*" or ":" not in arn:
        return None
    tail = arn.split(":", 5)[5]
    return tail.split("/", 1)[0] if "/" in tail else tail.split(":", 1)[0]


def typed(action: str, ctx: Context) -> Context:
    """``ctx``, once each of its resources is of a type RESOURCE_TYPES declares for ``action``; else UndeclaredResourceType."""
    if ctx.resources is None or action in REQUEST_NAMED or action.split(":", 1)[0] in ("s3", "sts"):
        return ctx
    declared = RESOURCE_TYPES.get(action, frozenset())
    wrong = sorted({t for r in ctx.resources if (t := resource_type(r.arn)) not in (None, "*") and t not in declared})
    if wrong:
        raise UndeclaredResourceType(f"emulator/iam: {action} was given a resource of type {', '.join(wrong)}, which RESOURCE_TYPES does not declare for it")
    return ctx


@dataclass
class Request:
    service: str
    action: str
    account: str
    region: str
    params: dict[str, list[str]]
    path: str
    body: bytes
    moto_resource: str


def _ec2_arn(req: Request, kind: str, rid: str) -> str:
    return f"arn:aws:ec2:{req.region}:{req.account}:{kind}/{rid}"


def _security_group(req: Request, group_id: str, action: str) -> Resource:
    """A security group as a resource of ``action``, with ``ec2:Vpc`` (the ARN of its VPC) only where the reference
    lists that key in ``action``'s row for security-group (``iam.ec2-vpc``): not for ec2:DeleteTags,
    ec2:CreateSecurityGroup or ec2:CreateVpcEndpoint, where it is absent and a condition on it is false."""
    keys: dict[str, list[str]] = {}
    group = ec2_backends[req.account][req.region].get_security_group_from_id(group_id)
    if group is None:
        # Gone, or never there: a retried delete after its first attempt succeeded looks like this.
        return Resource(_ec2_arn(req, "security-group", group_id), keys, missing=True)
    if getattr(group, "vpc_id", None) and "ec2:Vpc" in reference.condition_keys(action, "security-group"):
        rule("iam.ec2-vpc")
        keys["ec2:Vpc"] = [_ec2_arn(req, "vpc", group.vpc_id)]
    return Resource(_ec2_arn(req, "security-group", group_id), keys)


def _indexed(params: dict[str, list[str]], prefix: str) -> list[str]:
    """Query-protocol list members: ``Prefix.1``, ``Prefix.2``…"""
    return [v[0] for k, v in sorted(params.items()) if re.fullmatch(re.escape(prefix) + r"\.\d+", k)]


def _ec2_resource_by_id(req: Request, rid: str) -> Resource:
    if rid.startswith("sg-"):
        return _security_group(req, rid, f"ec2:{req.action}")
    if rid.startswith("sgr-"):
        return Resource(_ec2_arn(req, "security-group-rule", rid))
    for prefix, kind in (("vpce-", "vpc-endpoint"), ("vpc-", "vpc"), ("subnet-", "subnet")):
        if rid.startswith(prefix):
            return Resource(_ec2_arn(req, kind, rid))
    return Resource(_ec2_arn(req, "*", rid))  # a type this module does not know: matches only a wildcard resource


def _ec2_context(req: Request) -> Context | None:
    p = req.params
    group = (p.get("GroupId") or [None])[0]
    if req.action in ("DeleteSecurityGroup", "RevokeSecurityGroupEgress", "RevokeSecurityGroupIngress", "AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules"):
        if group is None:
            return None
        resources = [_security_group(req, group, f"ec2:{req.action}")]
        # The service authorization reference lists security-group-rule as a resource of ModifySecurityGroupRules
        # (required) and AuthorizeSecurityGroupIngress (the new rule), not of RevokeSecurityGroupIngress or
        # RevokeSecurityGroupEgress: AWS checks no rule ARN there, so neither does this emulator.
        if req.action == "ModifySecurityGroupRules":
            rules = [v[0] for k, v in p.items() if re.fullmatch(r"SecurityGroupRule\.\d+\.SecurityGroupRuleId", k)]
            resources += [Resource(_ec2_arn(req, "security-group-rule", r)) for r in rules]
        # The rule an Authorize call creates has no id yet: this emulator checks the group only (reported as unenforced).
        return Context(resources, {}, {"ec2:Vpc"}, ["security-group-rule (new)"] if req.action == "AuthorizeSecurityGroupIngress" else [])
    if req.action == "CreateSecurityGroup":
        vpc = (p.get("VpcId") or [None])[0]
        if vpc is None:
            return None
        # The reference lists no ec2:Vpc in either row of this action: a condition on it is false (modelled, absent).
        return Context([Resource(_ec2_arn(req, "vpc", vpc)), Resource(_ec2_arn(req, "security-group", "*"))], {}, {"ec2:Vpc"})
    if req.action in ("CreateTags", "DeleteTags"):
        ids = _indexed(p, "ResourceId")
        # Called directly, not through a create call's TagSpecifications: ec2:CreateAction is absent.
        return Context([_ec2_resource_by_id(req, r) for r in ids], {}, {"ec2:CreateAction", "ec2:Vpc"})
    if req.action == "DescribeVpcAttribute":
        vpc = (p.get("VpcId") or [None])[0]
        return Context([Resource(_ec2_arn(req, "vpc", vpc))], {}, set()) if vpc else None
    if req.action.startswith("Describe"):
        return Context([Resource("*")], {}, set())  # no resource type in the reference
    return None


def _redshift_context(req: Request) -> Context | None:
    p = req.params
    arn = f"arn:aws:redshift:{req.region}:{req.account}"
    if req.action in ("DescribeClusters", "DescribeLoggingStatus"):
        cluster = (p.get("ClusterIdentifier") or [None])[0]
        return Context([Resource(f"{arn}:cluster:{cluster}")], {}, set()) if cluster else None
    if req.action in ("CreateClusterSubnetGroup", "DeleteClusterSubnetGroup", "ModifyClusterSubnetGroup"):
        name = (p.get("ClusterSubnetGroupName") or [None])[0]
        return Context([Resource(f"{arn}:subnetgroup:{name}")], {}, set()) if name else None
    if req.action in ("CreateTags", "DeleteTags"):
        name = (p.get("ResourceName") or [None])[0]
        return Context([Resource(name)], {}, set()) if name else None
    if req.action in (
        "AuthorizeEndpointAccess",
        "RevokeEndpointAccess",
        "DescribeEndpointAuthorization",
        "CreateEndpointAccess",
        "DeleteEndpointAccess",
        "DescribeEndpointAccess",
        "ModifyEndpointAccess",
        "DescribeClusterSubnetGroups",
    ):
        return Context([Resource("*")], {}, set())  # no resource type in the reference
    return None


_R53 = "{https://route53.amazonaws.com/doc/2013-04-01/}"


def _xml(body: bytes) -> ET.Element | None:
    try:
        return ET.fromstring(body) if body else None
    except ET.ParseError:
        return None


def route53_vpc_value(vpc_id: str, region: str) -> str:
    """``route53:VPCs`` as IAM fills it: ``VPCId=<vpc-id>,VPCRegion=<region>``, the values in lower case.

    Source: Route 53 Developer Guide, "Normalizing the Route 53 condition key values"
    (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-conditions-route53.html):
    "The value must be in the format of VPCId=<vpc-id>,VPCRegion=<region>"; "The value of <vpc-id> and
    <region> must be in lowercase". The region is the request's ``VPCRegion`` ("The region that an Amazon
    VPC was created in", Route 53 API reference, VPC data type).
    """
    rule("iam.route53-vpcs")
    return f"VPCId={vpc_id.lower()},VPCRegion={region.lower()}"


def route53_vpcs(root: ET.Element | None) -> list[str]:
    """Every ``<VPC>`` of a Route 53 request body, in the form IAM compares (``route53_vpc_value``)."""
    if root is None:
        return []
    values = []
    for vpc in root.iter(f"{_R53}VPC"):
        vpc_id = vpc.findtext(f"{_R53}VPCId") or ""
        region = vpc.findtext(f"{_R53}VPCRegion") or ""
        values.append(route53_vpc_value(vpc_id, region))
    return values


def _route53_context(req: Request) -> Context | None:
    path = unquote(urlparse(req.path).path)
    zone = re.search(r"/hostedzone/([^/]+)", path)
    change = re.search(r"/change/([^/]+)", path)
    root = _xml(req.body)
    texts = lambda tag: [e.text or "" for e in root.iter(f"{_R53}{tag}")] if root is not None else []  # noqa: E731
    if req.action == "CreateHostedZone":
        return Context([Resource("*")], {"route53:VPCs": route53_vpcs(root)}, {"route53:VPCs"})
    if req.action in ("AssociateVPCWithHostedZone", "DisassociateVPCFromHostedZone") and zone:
        return Context([Resource(f"arn:aws:route53:::hostedzone/{zone.group(1)}")], {"route53:VPCs": route53_vpcs(root)}, {"route53:VPCs"})
    if req.action == "ChangeResourceRecordSets" and zone:
        rule("iam.route53-record-keys")
        names = sorted({n.lower().rstrip(".") for n in texts("Name")})
        types = sorted(set(texts("Type")))
        return Context(
            [Resource(f"arn:aws:route53:::hostedzone/{zone.group(1)}")],
            {"route53:ChangeResourceRecordSetsNormalizedRecordNames": names, "route53:ChangeResourceRecordSetsRecordTypes": types},
            {"route53:ChangeResourceRecordSetsNormalizedRecordNames", "route53:ChangeResourceRecordSetsRecordTypes"},
        )
    if req.action == "GetChange" and change:
        return Context([Resource(f"arn:aws:route53:::change/{change.group(1)}")], {}, set())
    if req.action in ("ChangeTagsForResource", "ListTagsForResource"):
        tagged = re.search(r"/tags/(hostedzone|healthcheck)/([^/]+)", path)
        return Context([Resource(f"arn:aws:route53:::{tagged.group(1)}/{tagged.group(2)}")], {}, set()) if tagged else None
    if zone and "hostedzone" in RESOURCE_TYPES.get(f"route53:{req.action}", frozenset()):
        return Context([Resource(f"arn:aws:route53:::hostedzone/{zone.group(1)}")], {}, set())
    return None


def _moto_resource(req: Request) -> Context | None:
    """S3 and STS: moto computes the resource itself (bucket or object ARN; the role ARN)."""
    return Context([Resource(req.moto_resource)], {}, set()) if req.moto_resource != "*" else None


#: Per service, the resources and condition keys of a request; None for an action not modelled.
REQUEST_CONTEXT: dict[str, Callable[[Request], Context | None]] = {
    "ec2": _ec2_context,
    "redshift": _redshift_context,
    "route53": _route53_context,
    "s3": _moto_resource,
    "sts": _moto_resource,
}


def request_context(req: Request) -> Context:
    """The request's context; ``aws:RequestedRegion`` is always known (the signing region)."""
    rule("iam.resources-per-action")
    rule("iam.requested-region")
    builder = REQUEST_CONTEXT.get(req.service)
    ctx = builder(req) if builder else None
    if ctx is None:
        ctx = Context(None, {}, set())
    typed(f"{req.service}:{req.action}", ctx)
    ctx.keys["aws:RequestedRegion"] = [req.region]
    ctx.modelled.add("aws:RequestedRegion")
    return ctx
