"""The two targets the parity suite runs against, chosen by TEST_TARGET.

- ``EMULATOR`` (the default): the project's emulator (emulator/server.py),
  started here as a subprocess on 127.0.0.1 with ``--port 0
  --exit-with-parent``, seeded from ``world.json`` (one cluster owner, 111111111111,
  with RA3 cluster ``parity-cluster``, relocation on) and enforcing IAM
  (``--role-policies``, ``--record-calls``): the owner's and the grantee's
  (222222222222) roles hold an allow-everything policy, and every other role
  a test needs is created by the test through IAM, as on AWS. The clients use
  the base credentials and assume the roles, as lib/rehearsal/emulator.ts does.
- ``AWS_CLOUD``: a real account pair. PARITY_OWNER_PROFILE and
  PARITY_GRANTEE_PROFILE name the two profiles, PARITY_REGION the region and
  PARITY_CLUSTER an existing RA3 cluster of the owner with relocation on
  (``npm run parity:record -- --create-cluster`` creates one and deletes it
  afterwards).

Waiting is polling with a timeout derived from the target: the emulator
settles an endpoint in 1 second, AWS takes minutes.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
WORLD = HERE / "world.json"

EMULATOR = "EMULATOR"
AWS_CLOUD = "AWS_CLOUD"

#: Static test credentials of the emulator's base account (lib/rehearsal/emulator.ts). Not a real key.
EMULATOR_ACCESS_KEY_ID = "AKIAEMULATOR0TESTKEY"
EMULATOR_SECRET_ACCESS_KEY = "emulator-test-secret-not-a-real-key"
EMULATOR_BASE_ACCOUNT_ID = "123456789012"
EMULATOR_READY = "emulator ready on http://127.0.0.1:"

#: The roles world.json seeds and the manifest gives an allow-everything policy.
EMULATOR_ROLES = {"owner": "arn:aws:iam::111111111111:role/parity-owner", "grantee": "arn:aws:iam::222222222222:role/parity-grantee"}
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Sid": "ParityAdministrator", "Effect": "Allow", "Action": "*", "Resource": "*"}]}

T = TypeVar("T")


@dataclass(frozen=True)
class Timing:
    """How long the target takes, in seconds: the poll interval and the time to give up waiting."""

    poll: float
    endpoint: float
    cluster: float
    #: How long a new IAM role or policy takes to be seen by the services (AWS: eventually consistent).
    iam_settle: float


EMULATOR_TIMING = Timing(poll=0.2, endpoint=30, cluster=30, iam_settle=0)
#: AWS: endpoints take minutes (the Terraform provider waits up to 10, CloudFormation up to 60); a relocation change
#: is a cluster modification. IAM changes are eventually consistent (IAM User Guide, "Changes that I make are not
#: always immediately visible").
AWS_TIMING = Timing(poll=15, endpoint=45 * 60, cluster=45 * 60, iam_settle=15)


@dataclass
class Side:
    """One account of the pair: a boto3 session acting in it, and where its clients send requests."""

    name: str
    account: str
    session: boto3.Session
    endpoint_url: str | None
    clients: dict[str, Any] = field(default_factory=dict, repr=False)

    def client(self, service: str) -> Any:
        """One client per service, made once: making one costs more than a call, and some checks must land within the
        emulator's 1-second delay (describe while creating)."""
        if service not in self.clients:
            config = Config(retries={"mode": "standard", "max_attempts": 8})
            self.clients[service] = self.session.client(service, endpoint_url=self.endpoint_url, config=config)
        return self.clients[service]


@dataclass
class Target:
    name: str
    region: str
    owner: Side
    grantee: Side
    cluster_identifier: str
    timing: Timing
    #: Assumes a role of ``side``'s account with whatever credentials are allowed to (the base credentials, or the profile).
    assume: Callable[[Side, str], boto3.Session]
    #: The principal a role created by a test trusts, so that ``assume`` may assume it.
    trust_principal: Callable[[Side], str]
    #: The emulator's call log (``--record-calls``); None on AWS.
    call_log_file: Path | None = None
    stop: Callable[[], None] = field(default=lambda: None)

    @property
    def is_aws(self) -> bool:
        return self.name == AWS_CLOUD

    def call_log(self) -> list[dict[str, Any]] | None:
        if self.call_log_file is None:
            return None
        return [json.loads(line) for line in self.call_log_file.read_text().splitlines() if line.strip()]

    def wait_for(self, what: str, probe: Callable[[], T | None], timeout: float | None = None) -> T:
        """Polls ``probe`` until it returns something other than None; fails naming ``what`` after the target's timeout."""
        limit = timeout if timeout is not None else self.timing.endpoint
        deadline = time.monotonic() + limit
        while True:
            found = probe()
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not reached within {limit:.0f} s on {self.name}")
            time.sleep(self.timing.poll)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


# --------------------------------------------------------------------------
# EMULATOR
# --------------------------------------------------------------------------


def _role_session(base: boto3.Session, endpoint_url: str | None, role_arn: str, region: str) -> boto3.Session:
    creds = base.client("sts", endpoint_url=endpoint_url).assume_role(RoleArn=role_arn, RoleSessionName="parity")["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )


def start_emulator(workdir: Path, extra_args: tuple[str, ...] = ()) -> Target:
    """Starts the emulator enforcing IAM (with ``extra_args``, e.g. ``--revoke-in-use accept``) and waits for its ready
    line; ``stop`` ends it."""
    world = json.loads(WORLD.read_text())
    env_config = next(iter(world["environments"].values()))
    region = env_config["region"]
    (workdir / "allow-all.json").write_text(json.dumps(ALLOW_ALL))
    manifest = {"roles": [{"roleArn": arn, "inlinePolicies": {"parity-administrator": "allow-all.json"}} for arn in EMULATOR_ROLES.values()]}
    (workdir / "role-policies.json").write_text(json.dumps(manifest))
    call_log = workdir / "calls.jsonl"
    stderr = (workdir / "emulator.stderr").open("w")
    command = [sys.executable, str(ROOT / "emulator" / "server.py"), "--seed", str(WORLD), "--port", "0", "--exit-with-parent"]
    command += ["--role-policies", str(workdir), "--record-calls", str(call_log), *extra_args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "MOTO_ACCOUNT_ID"}
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env, cwd=ROOT)
    url = _ready_url(process, workdir / "emulator.stderr", timeout=120)
    if not url.startswith("http://127.0.0.1:"):
        raise RuntimeError(f"the emulator must listen on loopback only; it printed {url}")

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for pipe in (process.stdin, process.stdout):
            if pipe:
                pipe.close()
        stderr.close()

    base = boto3.Session(aws_access_key_id=EMULATOR_ACCESS_KEY_ID, aws_secret_access_key=EMULATOR_SECRET_ACCESS_KEY, region_name=region)
    sides = {
        name: Side(name, arn.split(":")[4], _role_session(base, url, arn, region), url) for name, arn in EMULATOR_ROLES.items()
    }
    return Target(
        name=EMULATOR,
        region=region,
        owner=sides["owner"],
        grantee=sides["grantee"],
        cluster_identifier=env_config["producer"]["clusterIdentifier"],
        timing=EMULATOR_TIMING,
        assume=lambda side, role_arn: _role_session(base, url, role_arn, region),
        trust_principal=lambda side: f"arn:aws:iam::{EMULATOR_BASE_ACCOUNT_ID}:root",
        call_log_file=call_log,
        stop=stop,
    )


def _ready_url(process: subprocess.Popen[str], stderr_file: Path, timeout: float) -> str:
    """The URL of the emulator's ready line; fails with its stderr when it exits or stays silent."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            if line.startswith(EMULATOR_READY):
                return line.split()[3]
    process.kill()
    raise RuntimeError(f"the emulator did not print its ready line within {timeout:.0f} s (exit code {process.poll()});\n{stderr_file.read_text()[-4000:]}")


# --------------------------------------------------------------------------
# AWS_CLOUD
# --------------------------------------------------------------------------

#: What AWS_CLOUD needs, and what for.
AWS_VARIABLES = {
    "PARITY_OWNER_PROFILE": "the AWS profile of the cluster owner's account",
    "PARITY_GRANTEE_PROFILE": "the AWS profile of the grantee's account (another account)",
    "PARITY_REGION": "the region of the cluster",
    "PARITY_CLUSTER": "an RA3 cluster of the owner with relocation on (npm run parity:record -- --create-cluster makes one)",
}


def grant_in_the_way(target: Target) -> str | None:
    """Why the suite must not run against ``target``, or None: the grantee account already holds an authorization on
    the cluster. The suite authorizes the grantee (which adds VPCs to a grant that exists) and cleans up by revoking
    the grantee's authorization with Force (parity_ledger.revoke_authorization), which would delete every endpoint
    another team made under it. Checked before anything is made; a grant someone makes during the run is not seen."""
    try:
        found = target.owner.client("redshift").describe_endpoint_authorization(ClusterIdentifier=target.cluster_identifier, Account=target.grantee.account)
    except ClientError as e:
        if error_code(e) == "ClusterNotFound":
            return None  # the cluster fixture names that problem
        raise
    if not found["EndpointAuthorizationList"]:
        return None
    grant = found["EndpointAuthorizationList"][0]
    vpcs = "all its VPCs" if grant.get("AllowedAllVPCs") else "VPCs " + ", ".join(grant.get("AllowedVPCs") or [])
    return (
        f"parity: refusing to start: account {target.grantee.account} already holds an authorization on cluster {target.cluster_identifier}"
        f" ({vpcs}; {grant.get('EndpointCount', 0)} endpoint(s); status {grant.get('Status')}). The suite cleans up by revoking the"
        " grantee's authorization with Force, which would delete those endpoints. Name a grantee account (PARITY_GRANTEE_PROFILE)"
        " with no authorization on PARITY_CLUSTER, or another cluster."
    )


def aws_target(env: dict[str, str]) -> Target:
    """The real account pair the variables name; fails naming every missing variable."""
    missing = [f"{k} ({why})" for k, why in AWS_VARIABLES.items() if not env.get(k)]
    if missing:
        raise RuntimeError("TEST_TARGET=AWS_CLOUD needs " + "; ".join(missing))
    region = env["PARITY_REGION"]
    sides: dict[str, Side] = {}
    for name, variable in (("owner", "PARITY_OWNER_PROFILE"), ("grantee", "PARITY_GRANTEE_PROFILE")):
        session = boto3.Session(profile_name=env[variable], region_name=region)
        account = session.client("sts").get_caller_identity()["Account"]
        sides[name] = Side(name, account, session, None)
    if sides["owner"].account == sides["grantee"].account:
        raise RuntimeError(f"PARITY_OWNER_PROFILE and PARITY_GRANTEE_PROFILE are both account {sides['owner'].account}; the grantee must be another account")

    def assume(side: Side, role_arn: str) -> boto3.Session:
        # A new role is eventually consistent: AssumeRole may be refused for a few seconds after CreateRole.
        deadline = time.monotonic() + 120
        while True:
            try:
                return _role_session(side.session, None, role_arn, region)
            except ClientError as e:
                if error_code(e) != "AccessDenied" or time.monotonic() > deadline:
                    raise
                time.sleep(5)

    return Target(
        name=AWS_CLOUD,
        region=region,
        owner=sides["owner"],
        grantee=sides["grantee"],
        cluster_identifier=env["PARITY_CLUSTER"],
        timing=AWS_TIMING,
        assume=assume,
        trust_principal=lambda side: f"arn:aws:iam::{side.account}:root",
    )
