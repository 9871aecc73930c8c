"""Fault injection for the emulator: a WSGI middleware of ours around moto's app.

    python emulator/server.py --seed FILE --fault-rate 0.3 [--fault-seed 7]

``--fault-rate R`` answers that share of the Redshift and EC2 calls with a
throttle or a server error **before** moto sees them, so the call does
nothing. Which calls fail is drawn from ``random.Random(--fault-seed)``: the
n-th Redshift/EC2 request of a run gets the same verdict every run (which
operation is n-th depends on the client's timing, which no seed can fix).
Other services (STS, IAM, S3, Route 53) are never faulted.

The answers are the ones AWS sends and the SDKs retry. botocore lists them in
``botocore/data/_retry.json`` and ``botocore/retries/standard.py`` (botocore
1.44.8, pinned in ``emulator/requirements.txt``); aws-sdk-go-v2, which the
Terraform AWS provider uses, retries the same codes and statuses:

=========  ==============  =====================  ======  ==========================================
service    kind            code                   status  botocore
=========  ==============  =====================  ======  ==========================================
redshift   throttle        ThrottlingException    400     _retry.json ``throttling_exception``;
                                                          standard.py ``_THROTTLED_ERROR_CODES``
redshift   server error    InternalFailure        500     _retry.json ``general_server_error``;
                                                          standard.py ``_TRANSIENT_STATUS_CODES``
ec2        throttle        RequestLimitExceeded   503     _retry.json ``retry.ec2`` ``request_limit_exceeded``
ec2        server error    InternalError          500     _retry.json ``general_server_error``
=========  ==============  =====================  ======  ==========================================

EC2 throttles with ``RequestLimitExceeded``, not ``ThrottlingException``:
that is the code EC2 documents ("Error codes for the Amazon EC2 API") and the
only EC2 throttle botocore's retry config names. ``InternalFailure`` is the
500 of AWS's common errors for query APIs, ``InternalError`` EC2's own. The
body is each protocol's error document: ``ErrorResponse/Error/{Type,Code,
Message}`` + ``RequestId`` for Redshift (the ``query`` protocol),
``Response/Errors/Error/{Code,Message}`` + ``RequestID`` for EC2 (the
``ec2`` protocol).

The count of injected faults is served at ``GET /_emulator/faults`` (JSON:
``calls``, ``injected``, ``by`` "service Action Code" -> count), and each
fault is logged on stderr as ``[emulator] fault N: <service> <Action> ->
<Code> <status>``. That path is ours, outside every AWS API.
"""

from __future__ import annotations

import io
import json
import random
import sys
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

#: The services whose calls are faulted (the credential scope's service name).
FAULTED_SERVICES = ("redshift", "ec2")

#: The path of the fault counter; no AWS API lives under it.
COUNTER_PATH = "/_emulator/faults"


@dataclass(frozen=True)
class FaultAnswer:
    code: str
    status: int
    message: str


#: (service, kind) -> the answer; see the module docstring for the sources.
ANSWERS: dict[tuple[str, str], FaultAnswer] = {
    ("redshift", "throttle"): FaultAnswer("ThrottlingException", 400, "Rate exceeded"),
    ("redshift", "server"): FaultAnswer("InternalFailure", 500, "The request processing has failed because of an unknown error, exception or failure."),
    ("ec2", "throttle"): FaultAnswer("RequestLimitExceeded", 503, "Request limit exceeded."),
    ("ec2", "server"): FaultAnswer("InternalError", 500, "An internal error has occurred."),
}

REASONS = {400: "Bad Request", 500: "Internal Server Error", 503: "Service Unavailable"}

#: Share of the faults that are throttles; the rest are server errors.
THROTTLE_SHARE = 0.5


@dataclass
class FaultCounter:
    calls: int = 0
    injected: int = 0
    by: dict[str, int] = field(default_factory=dict)


def service_of(environ: dict[str, Any]) -> str | None:
    """The service of a SigV4-signed request: the 4th field of the credential scope."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    marker = "Credential="
    start = auth.find(marker)
    if start < 0:
        return None
    scope = auth[start + len(marker) :].split(",")[0].split("/")
    return scope[3] if len(scope) >= 5 else None


def error_body(service: str, answer: FaultAnswer, request_id: str) -> bytes:
    """The protocol's error document (query for Redshift, ec2 for EC2)."""
    if service == "ec2":
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{answer.code}</Code><Message>{answer.message}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        )
    else:
        kind = "Sender" if answer.status < 500 else "Receiver"
        xml = (
            '<ErrorResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/">'
            f"<Error><Type>{kind}</Type><Code>{answer.code}</Code><Message>{answer.message}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    return xml.encode("utf-8")


class FaultInjector:
    """WSGI middleware: faults a share of Redshift/EC2 calls, serves the counter, passes the rest on."""

    def __init__(self, app: Callable[..., Iterable[bytes]], rate: float, seed: int | None, log: Callable[[str], None]) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"--fault-rate must be between 0 and 1; got {rate}")
        self.app = app
        self.rate = rate
        self.random = random.Random(seed)
        self.counter = FaultCounter()
        self.lock = threading.Lock()
        self.log = log

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == COUNTER_PATH:
            return self._serve_counter(start_response)
        service = service_of(environ)
        if service not in FAULTED_SERVICES:
            return self.app(environ, start_response)
        action = self._action(environ)
        with self.lock:
            self.counter.calls += 1
            faulted = self.rate > 0 and self.random.random() < self.rate
            kind = "throttle" if self.random.random() < THROTTLE_SHARE else "server"
            if faulted:
                answer = ANSWERS[(service, kind)]
                self.counter.injected += 1
                key = f"{service} {action} {answer.code}"
                self.counter.by[key] = self.counter.by.get(key, 0) + 1
                number = self.counter.injected
        if not faulted:
            return self.app(environ, start_response)
        self.log(f"fault {number}: {service} {action} -> {answer.code} {answer.status}")
        request_id = str(uuid.uuid4())
        body = error_body(service, answer, request_id)
        headers = [("Content-Type", "text/xml"), ("Content-Length", str(len(body))), ("x-amzn-RequestId", request_id)]
        start_response(f"{answer.status} {REASONS[answer.status]}", headers)
        return [body]

    def _serve_counter(self, start_response: Callable[..., Any]) -> Iterable[bytes]:
        with self.lock:
            body = json.dumps({"rate": self.rate, "calls": self.counter.calls, "injected": self.counter.injected, "by": dict(sorted(self.counter.by.items()))}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    @staticmethod
    def _action(environ: dict[str, Any]) -> str:
        """The query ``Action`` (form body or query string); the body is put back for moto."""
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if "Action" in query:
            return query["Action"][0]
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        form = parse_qs(body.decode("utf-8", errors="replace"))
        return form.get("Action", ["?"])[0]


def stderr_log(message: str) -> None:
    print(f"[emulator] {message}", file=sys.stderr, flush=True)
