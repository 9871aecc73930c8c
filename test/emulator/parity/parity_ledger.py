"""Everything the parity suite creates, and how each is deleted.

Each resource is written into the ledger as soon as it exists (and into
PARITY_LEDGER, a JSON file, when that is set), and deleted through
``release``: by the fixture or test that made it, in a finalizer, even when
the test failed; then, at the end of the session, whatever is still listed
(newest first). ``npm run parity:record`` sweeps the file once more after
pytest has exited, however it exited:

    python test/emulator/parity/parity_ledger.py sweep FILE     (TEST_TARGET=AWS_CLOUD and the PARITY_* variables)

A deletion waits until the resource is gone, so that what depends on it
(a subnet group on its endpoint, a security group on the endpoint's network
interface) can go next. "Not found" counts as deleted.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from botocore.exceptions import ClientError
from parity_targets import Side, Target, error_code

#: Codes that mean the resource is gone already.
GONE = {
    "EndpointNotFound",
    "EndpointAuthorizationNotFound",
    "ClusterSubnetGroupNotFoundFault",
    "InvalidGroup.NotFound",
    "InvalidSubnetID.NotFound",
    "InvalidVpcID.NotFound",
    "NoSuchHostedZone",
    "NoSuchEntity",
}
#: Codes that mean something still depends on the resource: try again until the target's timeout.
BUSY = {"DependencyViolation", "InvalidEndpointState", "InvalidClusterSubnetGroupStateFault", "HostedZoneNotEmpty", "DeleteConflict", "InvalidClusterState"}


@dataclass
class Entry:
    kind: str
    side: str
    ids: dict[str, Any] = field(default_factory=dict)
    #: The order of creation: a test sweeps what it made (``sweep(after=...)``), a module fixture's resources stay.
    seq: int = 0


def _side(target: Target, entry: Entry) -> Side:
    return target.owner if entry.side == "owner" else target.grantee


def _retrying(target: Target, what: str, call: Callable[[], Any], timeout: float) -> None:
    """Runs ``call`` until it succeeds or says the resource is gone; retries while something depends on it."""

    def attempt() -> bool | None:
        try:
            call()
        except ClientError as e:
            if error_code(e) in GONE:
                return True
            if error_code(e) in BUSY:
                return None
            raise
        return True

    target.wait_for(f"delete {what}", attempt, timeout)


def _endpoint_gone(target: Target, side: Side, name: str) -> bool | None:
    try:
        side.client("redshift").describe_endpoint_access(EndpointName=name)
    except ClientError as e:
        if error_code(e) == "EndpointNotFound":
            return True
        raise
    return None


def delete_endpoint(target: Target, entry: Entry) -> None:
    side, name = _side(target, entry), entry.ids["EndpointName"]
    rs = side.client("redshift")

    def attempt() -> bool | None:
        try:
            found = rs.describe_endpoint_access(EndpointName=name)["EndpointAccessList"]
        except ClientError as e:
            if error_code(e) == "EndpointNotFound":
                return True
            raise
        if found and found[0]["EndpointStatus"] == "deleting":
            return None
        try:
            rs.delete_endpoint_access(EndpointName=name)
        except ClientError as e:
            if error_code(e) not in GONE | BUSY:
                raise
        return None

    target.wait_for(f"delete endpoint {name}", attempt, target.timing.endpoint)


def revoke_authorization(target: Target, entry: Entry) -> None:
    """Revokes the grant with Force (its endpoints go with it) and waits until it is gone."""
    rs = target.owner.client("redshift")
    cluster, account = entry.ids["ClusterIdentifier"], entry.ids["Account"]

    def attempt() -> bool | None:
        found = rs.describe_endpoint_authorization(ClusterIdentifier=cluster, Account=account)["EndpointAuthorizationList"]
        if not found:
            return True
        if found[0]["Status"] == "Authorized":
            try:
                rs.revoke_endpoint_access(ClusterIdentifier=cluster, Account=account, Force=True)
            except ClientError as e:
                if error_code(e) not in GONE | BUSY:
                    raise
        return None

    target.wait_for(f"revoke the authorization of {account} on {cluster}", attempt, target.timing.endpoint)


def restore_relocation(target: Target, entry: Entry) -> None:
    """Turns relocation back on (the suite's cluster is named with relocation on) and waits for the cluster."""
    rs = target.owner.client("redshift")
    cluster = entry.ids["ClusterIdentifier"]

    def attempt() -> bool | None:
        found = rs.describe_clusters(ClusterIdentifier=cluster)["Clusters"][0]
        if found["ClusterStatus"] != "available":
            return None
        if found.get("AvailabilityZoneRelocationStatus") == "enabled":
            return True
        try:
            rs.modify_cluster(ClusterIdentifier=cluster, AvailabilityZoneRelocation=True)
        except ClientError as e:
            if error_code(e) not in BUSY:
                raise
        return None

    target.wait_for(f"turn relocation on again on {cluster}", attempt, target.timing.cluster)


def delete_role(target: Target, entry: Entry) -> None:
    iam = _side(target, entry).client("iam")
    name = entry.ids["RoleName"]
    try:
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
    except ClientError as e:
        if error_code(e) not in GONE:
            raise
    _retrying(target, f"role {name}", lambda: iam.delete_role(RoleName=name), 60)


def _simple(service: str, method: str, key: str) -> Callable[[Target, Entry], None]:
    def delete(target: Target, entry: Entry) -> None:
        client = _side(target, entry).client(service)
        _retrying(target, f"{key} {entry.ids[key]}", lambda: getattr(client, method)(**{key: entry.ids[key]}), target.timing.endpoint)

    return delete


#: How each kind of resource is deleted.
DELETERS: dict[str, Callable[[Target, Entry], None]] = {
    "endpoint": delete_endpoint,
    "authorization": revoke_authorization,
    "relocation": restore_relocation,
    "role": delete_role,
    "hosted-zone": _simple("route53", "delete_hosted_zone", "Id"),
    "subnet-group": _simple("redshift", "delete_cluster_subnet_group", "ClusterSubnetGroupName"),
    "security-group": _simple("ec2", "delete_security_group", "GroupId"),
    "subnet": _simple("ec2", "delete_subnet", "SubnetId"),
    "vpc": _simple("ec2", "delete_vpc", "VpcId"),
}


class Ledger:
    """The resources still to delete, in the order they were made; kept in ``path`` when given."""

    def __init__(self, target: Target, path: Path | None = None) -> None:
        self.target = target
        self.path = path
        self.entries: list[Entry] = []
        self.lock = threading.RLock()
        if path is not None and path.exists():
            self.entries = [Entry(**e) for e in json.loads(path.read_text() or "[]")]
        self._seq = max((e.seq for e in self.entries), default=0)

    def _save(self) -> None:
        if self.path is not None:
            self.path.write_text(json.dumps([asdict(e) for e in self.entries], indent=2) + "\n")

    def add(self, kind: str, side: str, **ids: Any) -> Entry:
        if kind not in DELETERS:
            raise ValueError(f"no deleter for {kind!r}; known: {', '.join(DELETERS)}")
        with self.lock:
            self._seq += 1
            entry = Entry(kind, side, ids, self._seq)
            self.entries.append(entry)
            self._save()
        return entry

    def last_seq(self) -> int:
        return self._seq

    def release(self, entry: Entry) -> None:
        """Deletes ``entry``'s resource (waiting until it is gone) and strikes it from the ledger."""
        DELETERS[entry.kind](self.target, entry)
        with self.lock:
            if entry in self.entries:
                self.entries.remove(entry)
            self._save()

    def sweep(self, after: int = 0) -> list[str]:
        """Deletes everything still listed that was made after ``after`` (a ``last_seq()``), newest first; returns
        what could not be deleted, with why."""
        left: list[str] = []
        for entry in sorted((e for e in self.entries if e.seq > after), key=lambda e: e.seq, reverse=True):
            try:
                self.release(entry)
            except Exception as e:  # noqa: BLE001  (one failure must not stop the rest of the clean-up)
                left.append(f"{entry.kind} {entry.ids} ({entry.side}): {e}")
        return left


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "sweep":
        print(__doc__, file=sys.stderr)
        return 2
    import os  # noqa: PLC0415

    from parity_targets import aws_target  # noqa: PLC0415

    path = Path(argv[1])
    if not path.exists():
        print(f"parity sweep: {path} does not exist; nothing was created")
        return 0
    ledger = Ledger(aws_target(dict(os.environ)), path)
    started = time.monotonic()
    count = len(ledger.entries)
    left = ledger.sweep()
    print(f"parity sweep: {count - len(left)} of {count} left-over resources deleted in {time.monotonic() - started:.0f} s")
    for line in left:
        print(f"parity sweep: NOT deleted: {line}", file=sys.stderr)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
