"""The hook: moto's authorization check replaced by this package's, the access-denied answer, and the call log.

``install()`` replaces ``ActionAuthenticatorMixin._authenticate_and_authorize_action``
so every request is authorized: the base credentials may only assume a
role that trusts them; an assumed role's request is evaluated against the
role's policies (``evaluate.py``) in its context (``context.py``), then any
check AWS makes on the caller behind the call (``caller_checks.py``). Each
decision is written to the call log; a refusal answers ``IamDenied``.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

from moto import settings
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.authorization import ActionAuthenticatorMixin
from moto.iam.access_control import AssumedRoleAccessKey, CreateAccessKeyFailure, IAMPolicy, PermissionResult
from moto.iam.models import iam_backends
from moto.sts.models import sts_backends
from werkzeug.exceptions import HTTPException

from rules import rule

from .caller_checks import caller_checks, dependent_checks
from .context import Request, request_context
from .evaluate import evaluate

BASE_ACCOUNT_ID = DEFAULT_ACCOUNT_ID
UNGATED_ACTIONS = {"sts:GetCallerIdentity"}
BASE_CALLER_ACTIONS = {"sts:AssumeRole", "sts:GetCallerIdentity"}


class IamDenied(HTTPException):
    """AWS's access-denied answer, in the protocol of the service that refused."""

    code = 403

    def __init__(self, service: str, principal: str, action: str, resource: str, code: str | None = None, status: int = 403) -> None:
        super().__init__()
        rule("iam.denial-message")
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
            rule("iam.base-credentials")
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
        # What AWS checks on the caller behind the call, then the dependent actions of the call and of those checks.
        behind = caller_checks(req, action)
        checks = [(check, False) for check in behind] + [(check, True) for check in dependent_checks(req, action, ctx, None)]
        for check in behind:
            checks += [(dependent, True) for dependent in dependent_checks(req, check.action, check.context, check.error)]
        for check, dependent in checks:
            outcome = evaluate(policies, check.action, check.context)
            log.write(
                {
                    **entry,
                    "action": check.action,
                    "via": action,
                    "dependent": dependent,
                    "allowed": outcome.allowed,
                    "resources": [r.arn for r in check.context.resources or []],
                    "unenforced": sorted(outcome.unenforced),
                }
            )
            if not outcome.allowed:
                code, status = check.error if check.error else (None, 403)
                raise IamDenied(service, assumed.arn, check.action, outcome.denied_resource, code=code, status=status)

    ActionAuthenticatorMixin._authenticate_and_authorize_action = authorize  # type: ignore[method-assign]
