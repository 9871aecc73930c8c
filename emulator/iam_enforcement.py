"""IAM enforcement for the emulator: every request is authorized against the caller's policies, and recorded.

moto has an authorizer of its own (``INITIAL_NO_AUTH_ACTION_COUNT``,
``moto/iam/access_control.py``), but in moto 5.2.5 it cannot judge this
project's policies:

- the resource it checks is ``"*"`` for every service but S3, IAM, SQS and
  STS, so a statement scoped to a cluster, a subnet group, a security group or
  a hosted zone never matches and every such call is denied;
- a condition on an identity policy is evaluated against no values at all:
  ``StringEquals`` then passes whatever it asks, and every other operator
  (``ArnEquals``, ``ForAnyValue:StringEquals``, ``ForAllValues:StringEquals``)
  is ignored.
- an Allow statement whose condition fails returns DENIED, not "not allowed by
  this statement", so a second statement can never allow what the first one's
  condition refused.

So this module replaces moto's check (``ActionAuthenticatorMixin.
_authenticate_and_authorize_action``, through its Python API; no installed
file is edited) with one that knows, for the actions this project's policies
grant, the resource ARNs of a request and the condition keys AWS fills in
(``REQUEST_CONTEXT`` below), and evaluates them as IAM does: a request is
allowed when, for each of its resources, some Allow statement matches the
action, the resource and all its conditions. What the emulator cannot know is
never guessed: a resource it does not model is not checked (the statement
matches on action and conditions), and a condition key it does not model is
not checked; both are written into the call log as ``unenforced``, so a reader
sees exactly what was enforced on each call.

Callers:
- an assumed role: its inline and attached policies (``collect_policies`` of
  moto's own ``AssumedRoleAccessKey``, which also checks the session token);
- the base credentials (moto's default account): the account's root user, as
  the launcher's owner; it may only call ``sts:AssumeRole`` (allowed when the
  role exists and its trust policy names the base account) and
  ``sts:GetCallerIdentity``. Anything else fails, so nothing in a rehearsal
  acts outside a role unnoticed.

``sts:GetCallerIdentity`` is always allowed, as AWS allows it.

Each call is appended to the call log (``--record-calls FILE``), one JSON
object per line: ``account``, ``role`` (the role ARN, or ``base``),
``session``, ``action``, ``allowed``, ``resources`` (null when not modelled),
``unenforced`` (condition keys present in the policy but not modelled, and
``resource`` when the resources were not).

Denials follow AWS's wording: ``User: <arn> is not authorized to perform:
<action> on resource: <arn> because no identity-based policy allows the
<action> action``, with code ``UnauthorizedOperation`` for EC2 (its query
protocol's error shape, ``<Response><Errors><Error>``) and ``AccessDenied``
elsewhere, HTTP 403 (botocore's models give no code; these are the codes AWS
returns).
"""

from __future__ import annotations

import json
import re
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote, urlparse

from moto import settings
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.authorization import ActionAuthenticatorMixin
from moto.ec2.models import ec2_backends
from moto.iam.access_control import AssumedRoleAccessKey, CreateAccessKeyFailure, IAMPolicy, PermissionResult
from moto.iam.models import iam_backends
from moto.sts.models import sts_backends
from werkzeug.exceptions import HTTPException

BASE_ACCOUNT_ID = DEFAULT_ACCOUNT_ID
UNGATED_ACTIONS = {"sts:GetCallerIdentity"}
BASE_CALLER_ACTIONS = {"sts:AssumeRole", "sts:GetCallerIdentity"}


@dataclass
class Resource:
    """One resource of a request, with the condition keys that belong to it (e.g. ``ec2:Vpc`` of a security group)."""

    arn: str
    keys: dict[str, list[str]] = field(default_factory=dict)


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


def _security_group(req: Request, group_id: str) -> Resource:
    """A security group and its ``ec2:Vpc`` (the VPC it belongs to), as AWS fills it in."""
    keys: dict[str, list[str]] = {}
    try:
        group = ec2_backends[req.account][req.region].get_security_group_from_id(group_id)
    except Exception:  # a missing group: the call itself will say so
        group = None
    if group is not None and getattr(group, "vpc_id", None):
        keys["ec2:Vpc"] = [_ec2_arn(req, "vpc", group.vpc_id)]
    return Resource(_ec2_arn(req, "security-group", group_id), keys)


def _indexed(params: dict[str, list[str]], prefix: str) -> list[str]:
    """Query-protocol list members: ``Prefix.1``, ``Prefix.2``…"""
    return [v[0] for k, v in sorted(params.items()) if re.fullmatch(re.escape(prefix) + r"\.\d+", k)]


def _ec2_resource_by_id(req: Request, rid: str) -> Resource:
    if rid.startswith("sg-"):
        return _security_group(req, rid)
    if rid.startswith("sgr-"):
        return Resource(_ec2_arn(req, "security-group-rule", rid))
    if rid.startswith("vpc-"):
        return Resource(_ec2_arn(req, "vpc", rid))
    return Resource(_ec2_arn(req, "*", rid))


def _ec2_context(req: Request) -> Context | None:
    p = req.params
    group = (p.get("GroupId") or [None])[0]
    if req.action in ("DeleteSecurityGroup", "RevokeSecurityGroupEgress", "RevokeSecurityGroupIngress", "AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules"):
        if group is None:
            return None
        resources = [_security_group(req, group)]
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
        return Context([Resource(_ec2_arn(req, "vpc", vpc)), Resource(_ec2_arn(req, "security-group", "*"))], {}, set())
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
    if zone:
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
    builder = REQUEST_CONTEXT.get(req.service)
    ctx = builder(req) if builder else None
    if ctx is None:
        ctx = Context(None, {}, set())
    ctx.keys["aws:RequestedRegion"] = [req.region]
    ctx.modelled.add("aws:RequestedRegion")
    return ctx


# --- what AWS checks on the caller behind a call ----------------------------------------------------------


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
    import redshift_endpoints  # noqa: PLC0415  (the emulator's own module, loaded by server.py)

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


# --- evaluation --------------------------------------------------------------------------------------------


def _like(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda expected, actual: expected == actual,
    "StringEqualsIgnoreCase": lambda expected, actual: expected.lower() == actual.lower(),
    "StringLike": _like,
    "ArnEquals": lambda expected, actual: _like(expected, actual),  # IAM compares ARNs segment-wise with wildcards
    "ArnLike": _like,
}


def _condition_holds(operator: str, expected: list[str], actual: list[str] | None) -> bool | None:
    """True or False as IAM evaluates it; None for an operator this emulator does not know (reported, never guessed)."""
    qualifier, _, base = operator.rpartition(":")
    base = base.removesuffix("IfExists")
    compare = _OPERATORS.get(base)
    if compare is None:
        return None
    if operator.endswith("IfExists") and actual is None:
        return True
    values = actual or []
    match = lambda v: any(compare(e, v) for e in expected)  # noqa: E731
    if qualifier == "ForAllValues":
        return all(match(v) for v in values)
    if qualifier == "ForAnyValue":
        return any(match(v) for v in values)
    # A single-valued operator: the key must be present, and its value match.
    return bool(values) and all(match(v) for v in values)


def _listed(patterns: Any) -> list[str]:
    return [patterns] if isinstance(patterns, str) else list(patterns)


def _action_matches(patterns: Any, action: str) -> bool:
    """Action names match without case, with wildcards."""
    return any(_like(p.lower(), action.lower()) for p in _listed(patterns))


def _resource_matches(patterns: Any, arn: str) -> bool:
    """ARNs match with case, with wildcards."""
    return any(_like(p, arn) for p in _listed(patterns))


@dataclass
class Decision:
    allowed: bool
    unenforced: set[str] = field(default_factory=set)
    denied_resource: str = "*"


def evaluate(policies: list[dict[str, Any]], action: str, ctx: Context) -> Decision:
    """IAM's identity-policy evaluation: an explicit Deny wins; otherwise every resource needs an allowing statement."""
    statements = [s for p in policies for s in (p["Statement"] if isinstance(p["Statement"], list) else [p["Statement"]])]
    unenforced: set[str] = {f"resource:{r}" for r in ctx.unmodelled}
    resources = ctx.resources if ctx.resources is not None else [None]
    if ctx.resources is None:
        unenforced.add("resource")

    def applies(statement: dict[str, Any], resource: Resource | None) -> bool:
        if "Action" in statement and not _action_matches(statement["Action"], action):
            return False
        if "NotAction" in statement and _action_matches(statement["NotAction"], action):
            return False
        if resource is not None and "Resource" in statement and not _resource_matches(statement["Resource"], resource.arn):
            return False
        if resource is not None and "NotResource" in statement and _resource_matches(statement["NotResource"], resource.arn):
            return False
        keys = {**ctx.keys, **(resource.keys if resource else {})}
        for operator, by_key in (statement.get("Condition") or {}).items():
            for key, expected in by_key.items():
                modelled = key in ctx.modelled or (resource is not None and key in resource.keys)
                if not modelled:
                    unenforced.add(key)
                    continue
                holds = _condition_holds(operator, [expected] if isinstance(expected, str) else list(expected), keys.get(key))
                if holds is None:
                    unenforced.add(f"{operator}:{key}")
                elif not holds:
                    return False
        return True

    for resource in resources:
        if any(s.get("Effect") == "Deny" and applies(s, resource) for s in statements):
            return Decision(False, unenforced, resource.arn if resource else "*")
    for resource in resources:
        if not any(s.get("Effect") == "Allow" and applies(s, resource) for s in statements):
            return Decision(False, unenforced, resource.arn if resource else "*")
    return Decision(True, unenforced)


# --- the hook --------------------------------------------------------------------------------------------


class IamDenied(HTTPException):
    """AWS's access-denied answer, in the protocol of the service that refused."""

    code = 403

    def __init__(self, service: str, principal: str, action: str, resource: str, code: str | None = None, status: int = 403) -> None:
        super().__init__()
        self.code = status
        message = f"User: {principal} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action"
        esc = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if code is not None:
            self.error_code = code
            self.body = f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{esc}</Message></Error><RequestId>denied</RequestId></ErrorResponse>'
        elif service == "ec2":
            self.error_code = "UnauthorizedOperation"
            self.body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation. {esc}</Message></Error></Errors><RequestID>denied</RequestID></Response>'
        elif service == "s3":
            self.error_code = "AccessDenied"
            self.body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>{esc}</Message><RequestId>denied</RequestId></Error>'
        else:
            self.error_code = "AccessDenied"
            self.body = f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{esc}</Message></Error><RequestId>denied</RequestId></ErrorResponse>'
        self.description = self.body

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [("Content-Type", "text/xml"), ("X-Amzn-ErrorType", self.error_code)]

    def get_body(self, *args: Any, **kwargs: Any) -> str:
        return self.body


class CallLog:
    """The append-only JSON-lines log of every authorized or refused call."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.lock = threading.Lock()

    def write(self, entry: dict[str, Any]) -> None:
        if self.path is None:
            return
        line = json.dumps(entry, sort_keys=True) + "\n"
        with self.lock, self.path.open("a", encoding="utf-8") as f:
            f.write(line)


def _access_key(headers: Any) -> tuple[str, str, str]:
    """(access key id, signing region, signing service) from the SigV4 Authorization header."""
    auth = headers.get("Authorization", "")
    m = re.search(r"Credential=([^/]+)/\d+/([^/]+)/([^/]+)/", auth)
    if not m:
        return "", "us-east-1", ""
    return m.group(1), m.group(2), m.group(3)


def _trusts_base(role_arn: str) -> bool:
    account = role_arn.split(":")[4]
    try:
        role = iam_backends[account]["global"].get_role_by_arn(role_arn)
    except Exception:
        return False
    result = IAMPolicy(role.assume_role_policy_document).is_action_permitted("sts:AssumeRole", role_arn, f"arn:aws:iam::{BASE_ACCOUNT_ID}:root")
    return result == PermissionResult.PERMITTED


def install(call_log: Path | None) -> None:
    """Authorizes every request from now on (moto's INITIAL_NO_AUTH_ACTION_COUNT = 0, with this module's check)."""
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    log = CallLog(call_log)

    def authorize(self: Any, iam_request_cls: type, resource: str = "*") -> None:
        key_id, region, service = _access_key(self.headers)
        raw_action = self._get_action()
        action = f"{service}:{raw_action[0] if isinstance(raw_action, list) else raw_action}"
        account = self.current_account
        assumed = sts_backends[account]["aws"].get_assumed_role_from_access_key(key_id) if key_id else None
        entry: dict[str, Any] = {"account": account, "action": action, "region": region}
        if assumed is None:
            entry.update(role="base", session=None)
            if "X-Amz-Security-Token" in self.headers:
                entry.update(allowed=False, resources=None, unenforced=[], reason="unknown session token")
                log.write(entry)
                raise IamDenied(service, f"arn:aws:sts::{account}:assumed-role/unknown", action, resource)
            allowed = action in BASE_CALLER_ACTIONS and (action != "sts:AssumeRole" or _trusts_base(resource))
            entry.update(allowed=allowed, resources=[resource], unenforced=[])
            log.write(entry)
            if not allowed:
                raise IamDenied(service, f"arn:aws:iam::{BASE_ACCOUNT_ID}:root", action, resource)
            return
        try:
            access_key = AssumedRoleAccessKey(account, "aws", key_id, self.headers)  # checks the session token
        except CreateAccessKeyFailure:
            raise IamDenied(service, assumed.arn, action, resource) from None
        entry.update(role=assumed.role_arn, session=assumed.session_name)
        if action in UNGATED_ACTIONS:
            entry.update(allowed=True, resources=None, unenforced=[])
            log.write(entry)
            return
        params = {k: (v if isinstance(v, list) else [v]) for k, v in (self.querystring or {}).items()}
        body = self.raw_body or b""
        req = Request(service, action.split(":", 1)[1], account, region, params, self.uri, body.encode() if isinstance(body, str) else body, resource)
        ctx = request_context(req)
        policies = []
        for policy in access_key.collect_policies():
            document = IAMPolicy(policy)._policy_json  # inline and managed, as moto stores them
            policies.append(document)
        decision = evaluate(policies, action, ctx)
        entry.update(
            allowed=decision.allowed,
            resources=[r.arn for r in ctx.resources] if ctx.resources is not None else None,
            unenforced=sorted(decision.unenforced),
        )
        log.write(entry)
        if not decision.allowed:
            raise IamDenied(service, assumed.arn, action, decision.denied_resource)
        check_builder = CALLER_CHECKS.get(action)
        check = check_builder(req) if check_builder else None
        if check is not None:
            behind = evaluate(policies, check.action, check.context)
            log.write(
                {
                    **entry,
                    "action": check.action,
                    "via": action,
                    "allowed": behind.allowed,
                    "resources": [r.arn for r in check.context.resources or []],
                    "unenforced": sorted(behind.unenforced),
                }
            )
            if not behind.allowed:
                raise IamDenied(service, assumed.arn, check.action, behind.denied_resource, code=check.error[0], status=check.error[1])

    ActionAuthenticatorMixin._authenticate_and_authorize_action = authorize  # type: ignore[method-assign]


# --- seeding the roles' policies -------------------------------------------------------------------------


def seed_role_policies(manifest_file: Path) -> list[str]:
    """Creates each role of the manifest (trusting the base account) with exactly its inline policies.

    The manifest (written by lib/operations/iam-enforcement.ts) is
    ``{"roles": [{"roleArn": ..., "inlinePolicies": {"<name>": "<file>"}}]}``;
    a relative file is read from the manifest's folder. A role that already
    exists (seeded from the config) keeps its trust policy and gets the
    policies; it has no other policy.
    """
    manifest = json.loads(manifest_file.read_text())
    seeded: list[str] = []
    for index, role in enumerate(manifest.get("roles", [])):
        arn = role["roleArn"]
        account, name = arn.split(":")[4], arn.split("/")[-1]
        iam = iam_backends[account]["global"]
        try:
            iam.get_role_by_arn(arn)
        except Exception:
            trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{BASE_ACCOUNT_ID}:root"}, "Action": "sts:AssumeRole"}]}
            iam.create_role(name, json.dumps(trust), "/", None, "Seeded by the project's emulator (IAM enforcement)", [], None)
        if iam.list_role_policies(name) or iam.list_attached_role_policies(name)[0]:
            raise SystemExit(f"--role-policies: role {arn} already has policies; manifest roles[{index}] must be its only source")
        for policy_name, file in sorted(role["inlinePolicies"].items()):
            path = Path(file) if Path(file).is_absolute() else manifest_file.parent / file
            document = path.read_text()
            json.loads(document)
            iam.put_role_policy(name, policy_name, document)
        seeded.append(f"{arn} {sorted(role['inlinePolicies'])}")
    return seeded
