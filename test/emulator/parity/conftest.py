"""The parity suite's fixtures: the target, the grantee's network, the ledger of what was created, and the snapshot.

TEST_TARGET picks the target (parity_targets.py): EMULATOR (default) or
AWS_CLOUD. The same tests run on both; the snapshots (``*.snapshot.json``,
localstack-snapshot's format) are what the emulator is held to. With
``--snapshot-update`` (or SNAPSHOT_UPDATE=1) the run writes them instead:
against AWS that is a recording (``npm run parity:record``); against the
emulator it derives them from what the emulator does, which is only as good
as the documents behind it (snapshots.meta.json says which is which).

Against AWS the suite refuses to start when the grantee already holds an
authorization on the cluster (``grant_in_the_way``): its clean-up revokes
the grantee's authorization with Force, which would delete another team's
endpoints.

Two guards keep a snapshot honest:
- a snapshot recorded against AWS is never overwritten from the emulator
  (the test verifies against it instead), nor is one of a test expected to
  fail on the emulator (``xfail``: the emulator differs from AWS);
- a test that failed writes nothing, and an AWS recording that still holds a
  raw account id after the transformers is refused.

In CI (CI=true) a skipped test fails the run: a tier that cannot run fails.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any, Iterator

import pytest
from localstack_snapshot.snapshots import SnapshotSession
from localstack_snapshot.snapshots.transformer import GenericTransformer, KeyValueBasedTransformer, TimestampTransformer, TransformContext
from parity_ledger import Ledger
from parity_snapshots import load_metadata
from parity_targets import AWS_CLOUD, EMULATOR, Target, aws_target, grant_in_the_way, start_emulator

pytest_plugins = ["localstack_snapshot.pytest.snapshot"]

#: Where npm run parity:record reads which snapshots a run recorded (one scope key per line).
REPORT_VARIABLE = "PARITY_RECORDED_FILE"


def target_name() -> str:
    name = os.environ.get("TEST_TARGET", EMULATOR)
    if name not in (EMULATOR, AWS_CLOUD):
        raise pytest.UsageError(f"TEST_TARGET is {name!r}; expected {EMULATOR} (the default) or {AWS_CLOUD}")
    return name


def on_emulator() -> bool:
    """For ``xfail(condition=...)``: the mark applies where the emulator answers, never to a recording against AWS."""
    return target_name() == EMULATOR


def pytest_configure(config: pytest.Config) -> None:
    target_name()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"parity_{report.when}_failed", report.failed or getattr(report, "wasxfail", None) is not None)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test fails the run (STYLE.md: a tier that cannot run never passes as SKIPPED)."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("CI") == "true" and skipped and session.exitstatus == 0:
        if reporter:
            reporter.write_line(f"parity: {skipped} test(s) skipped; in CI every test must run", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --------------------------------------------------------------------------
# The target and what the suite makes in it
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    if target_name() == AWS_CLOUD:
        chosen = aws_target(dict(os.environ))
        refusal = grant_in_the_way(chosen)
        if refusal:
            pytest.exit(refusal, returncode=pytest.ExitCode.USAGE_ERROR)
    else:
        chosen = start_emulator(tmp_path_factory.mktemp("emulator"))
    try:
        yield chosen
    finally:
        chosen.stop()


@pytest.fixture(scope="session")
def ledger(target: Target) -> Iterator[Ledger]:
    path = os.environ.get("PARITY_LEDGER")
    book = Ledger(target, Path(path) if path else None)
    yield book
    left = book.sweep()
    if left:
        raise AssertionError("the parity suite could not delete what it made:\n" + "\n".join(left))


@pytest.fixture(scope="session")
def run_id() -> str:
    """Names everything the run makes (``p`` and 6 hex digits: endpoint names take lowercase letters and digits)."""
    return "p" + secrets.token_hex(3)


@pytest.fixture(scope="session")
def network(target: Target, ledger: Ledger, run_id: str) -> Iterator[dict[str, str]]:
    """The grantee's two VPCs, each with one subnet, a security group and a cluster subnet group; a second group in VPC a.

    Made through the EC2 and Redshift APIs on both targets, tagged ``parity-run``; deleted at the end of the session.
    """
    ec2 = target.grantee.client("ec2")
    rs = target.grantee.client("redshift")
    zone = ec2.describe_availability_zones(Filters=[{"Name": "state", "Values": ["available"]}])["AvailabilityZones"][0]["ZoneName"]
    made: dict[str, str] = {"zone": zone}
    tags = lambda kind: [{"ResourceType": kind, "Tags": [{"Key": "parity-run", "Value": run_id}]}]  # noqa: E731
    for index, letter in enumerate("ab"):
        vpc = ec2.create_vpc(CidrBlock=f"10.{77 + index}.0.0/16", TagSpecifications=tags("vpc"))["Vpc"]["VpcId"]
        ledger.add("vpc", "grantee", VpcId=vpc)
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{77 + index}.1.0/24", AvailabilityZone=zone, TagSpecifications=tags("subnet"))["Subnet"]["SubnetId"]
        ledger.add("subnet", "grantee", SubnetId=subnet)
        groups = ["sg"] + (["sg2"] if letter == "a" else [])
        for group in groups:
            group_id = ec2.create_security_group(GroupName=f"{run_id}-{letter}-{group}", Description="parity suite", VpcId=vpc, TagSpecifications=tags("security-group"))["GroupId"]
            ledger.add("security-group", "grantee", GroupId=group_id)
            made[f"{group}_{letter}"] = group_id
        name = f"{run_id}-{letter}"
        rs.create_cluster_subnet_group(ClusterSubnetGroupName=name, Description="parity suite", SubnetIds=[subnet])
        ledger.add("subnet-group", "grantee", ClusterSubnetGroupName=name)
        made.update({f"vpc_{letter}": vpc, f"subnet_{letter}": subnet, f"subnet_group_{letter}": name})
    yield made
    left = ledger.sweep()  # the network goes last: first whatever still uses it
    if left:
        raise AssertionError("the parity suite could not delete what it made:\n" + "\n".join(left))


@pytest.fixture(autouse=True)
def _delete_what_the_test_made(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test's finalizer, even when the test failed: what it made is deleted before the next test starts.
    (A test that uses no target, such as the table's, starts none.)"""
    if "target" not in request.fixturenames:
        yield
        return
    ledger: Ledger = request.getfixturevalue("ledger")
    mark = ledger.last_seq()
    yield
    left = ledger.sweep(after=mark)
    if left:
        raise AssertionError("the test's resources could not be deleted:\n" + "\n".join(left))


@pytest.fixture(scope="session")
def cluster(target: Target) -> dict[str, Any]:
    """The owner's cluster as DescribeClusters answers; it must be RA3 with relocation on."""
    found = target.owner.client("redshift").describe_clusters(ClusterIdentifier=target.cluster_identifier)["Clusters"][0]
    problems = []
    if not str(found["NodeType"]).startswith("ra3."):
        problems.append(f"node type {found['NodeType']} (Redshift-managed VPC endpoints need RA3)")
    if found.get("AvailabilityZoneRelocationStatus") != "enabled":
        problems.append(f"relocation {found.get('AvailabilityZoneRelocationStatus')!r} (endpoints need it on)")
    if found["ClusterStatus"] != "available":
        problems.append(f"status {found['ClusterStatus']}")
    if problems:
        raise RuntimeError(f"cluster {target.cluster_identifier} cannot be used: " + "; ".join(problems))
    return found


# --------------------------------------------------------------------------
# The snapshot
# --------------------------------------------------------------------------


def _status_only(data: dict[str, Any], ctx: TransformContext) -> dict[str, Any]:
    """Keeps only the HTTP status of each ResponseMetadata: request ids, dates and retry counts differ on every call."""
    for key, value in list(data.items()):
        if key == "ResponseMetadata" and isinstance(value, dict):
            data[key] = {"HTTPStatusCode": value.get("HTTPStatusCode")}
        elif isinstance(value, dict):
            _status_only(value, ctx)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    _status_only(item, ctx)
    return data


def _key(key: str, replacement: str, reference: bool = True) -> KeyValueBasedTransformer:
    return KeyValueBasedTransformer(lambda k, v: v if k == key and v not in (None, "") else None, replacement, replace_reference=reference)


def _add_transformers(session: SnapshotSession, target: Target, network: dict[str, str], run_id: str) -> None:
    """What differs between runs and between the targets, replaced by what it is."""
    session.add_transformer(GenericTransformer(_status_only))
    session.add_transformer(TimestampTransformer())
    # Generated by the service: numbered in order of appearance.
    for key, name in (("VpcEndpointId", "vpc-endpoint-id"), ("NetworkInterfaceId", "network-interface-id"), ("PrivateIpAddress", "private-ip")):
        session.add_transformer(_key(key, name))
    # Formats no document gives (the endpoint's DNS name), or values that depend on the target's cluster and zone.
    for key, name in (("Address", "endpoint-address"), ("Port", "cluster-port"), ("AvailabilityZone", "availability-zone"), ("CallerReference", "caller-reference"), ("Location", "location")):
        session.add_transformer(_key(key, f"<{name}>", reference=False))
    session.add_transformer(session.transform.regex(r"/hostedzone/[A-Z0-9]+", "/hostedzone/<hosted-zone-id>"))
    session.add_transformer(session.transform.regex(r"/change/[A-Z0-9]+", "/change/<change-id>"))
    # Known before the call: named by their role in the suite. Longest first, so no name is cut by a shorter one.
    known = {
        target.owner.account: "<owner-account>",
        target.grantee.account: "<grantee-account>",
        target.cluster_identifier: "<cluster>",
        run_id: "<run>",
        target.region: "<region>",
    }
    for name, value in network.items():
        if name != "zone":
            known[value] = f"<{name.replace('_', '-')}>"
    for text in sorted(known, key=len, reverse=True):
        session.add_transformer(session.transform.text(text, known[text]))


@pytest.fixture
def snapshot(_snapshot_session: SnapshotSession, request: pytest.FixtureRequest, target: Target, network: dict[str, str], run_id: str) -> Iterator[SnapshotSession]:
    """localstack-snapshot's session with the suite's transformers and guards (see the module comment)."""
    session = _snapshot_session
    _add_transformers(session, target, network, run_id)
    entry = load_metadata()["snapshots"].get(session.scope_key, {})
    xfail = request.node.get_closest_marker("xfail")
    expected_to_fail = xfail is not None and all(xfail.args[:1] or [xfail.kwargs.get("condition", True)])
    if not target.is_aws and session.update and (entry.get("recorded") or expected_to_fail):
        session.update = False
    yield session
    if session.update and (getattr(request.node, "parity_call_failed", True) or getattr(request.node, "parity_setup_failed", False)):
        session.update = False  # a failed test's observations are not a snapshot
    if session.update and target.is_aws:
        written = json.dumps(session.observed_state)
        leaked = [a for a in (target.owner.account, target.grantee.account) if a in written]
        if leaked:
            session.update = False
            raise AssertionError(f"refused to write {session.scope_key}: account id(s) {leaked} survived the transformers")
        report = os.environ.get(REPORT_VARIABLE)
        if report:
            with open(report, "a", encoding="utf-8") as f:
                f.write(session.scope_key + "\n")


def match_when_recorded(snapshot: SnapshotSession, key: str, value: Any) -> None:
    """``snapshot.match`` for a test that is expected to fail on the emulator: until AWS has recorded the key, the
    test's own assertions (the documents' claims) stand alone, and the emulator's answer is never written down."""
    if snapshot.update or (snapshot.recorded_state or {}).get(key) is not None:
        snapshot.match(key, value)
