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

So this package replaces moto's check (``ActionAuthenticatorMixin.
_authenticate_and_authorize_action``, through its Python API; no installed
file is edited) with one that knows, for the actions this project's policies
grant, the resource ARNs of a request and the condition keys AWS fills in
(``REQUEST_CONTEXT`` in ``context.py``), and evaluates them as IAM does: a request is
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

The package follows the seams of the check: ``context.py`` (what IAM would
know about a request, per service), ``evaluate.py`` (identity-policy
evaluation), ``caller_checks.py`` (what AWS checks on the caller behind a
call), ``hook.py`` (moto's hook, the denial and the call log) and ``seed.py``
(the roles' policies).
"""

from __future__ import annotations

from .caller_checks import CALLER_CHECKS, CallerCheck, caller_checks, dependent_checks
from .context import REQUEST_CONTEXT, Context, Request, Resource, request_context, route53_vpc_value, route53_vpcs
from .evaluate import Decision, evaluate
from .hook import BASE_ACCOUNT_ID, CallLog, IamDenied, install
from .seed import seed_role_policies

__all__ = [
    "BASE_ACCOUNT_ID",
    "CALLER_CHECKS",
    "REQUEST_CONTEXT",
    "CallLog",
    "CallerCheck",
    "Context",
    "Decision",
    "IamDenied",
    "Request",
    "Resource",
    "evaluate",
    "install",
    "request_context",
    "route53_vpc_value",
    "route53_vpcs",
    "seed_role_policies",
]
