"""The project's AWS emulator: moto's server plus ``redshift_endpoints`` and ``moto_gaps``, seeded from a config.

    python emulator/server.py --seed config/environments.json [--port 0] [options]
    python emulator/server.py --help      (every flag, from emulator/options.json)

The flags are one table, ``emulator/options.json``: each entry a flag's name
(without dashes), type, default, metavar, help, and whether ``npm run
rehearse`` passes it through (``rehearse``). ``parse_args`` builds the
argparse parser from it.

Listens on 127.0.0.1 only. Prints ``emulator ready on http://127.0.0.1:<port>``
on stdout once it serves (``--port 0`` picks a free port and prints it).

The seed is exactly the world the config names, per environment and region:
the producer's cluster (RA3 ``ra3.xlplus``, relocation on, ``producer.port``),
each consumer's VPC, its active subnet (``subnetIds[0]``) and each standby
subnet in other AZs, the extra security groups, the existing private hosted
zone of ``dns.zoneId``, an IAM role for every ``roleArn`` (trusting the base
account), and the S3 state bucket of an ``s3`` backend. Environments that
share accounts, VPCs or clusters are seeded once. The options break the world
the ways people broke it by hand.

Ids are the config's own: moto 5.2.5 has no custom-id hook for EC2, so the
seed swaps moto's id generator for the one call that creates each resource.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import signal
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent))

import faults  # noqa: E402  (after the path fix above)
import iam  # noqa: E402  (after the path fix above)
import moto_gaps  # noqa: E402
import redshift_endpoints  # noqa: E402
from moto.core import DEFAULT_ACCOUNT_ID  # noqa: E402
from moto.ec2 import ec2_backends  # noqa: E402
from moto.ec2.models import security_groups as ec2_security_groups  # noqa: E402
from moto.ec2.models import subnets as ec2_subnets  # noqa: E402
from moto.ec2.models import vpcs as ec2_vpcs  # noqa: E402
from moto.iam.models import iam_backends  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402
from moto.redshift.models import redshift_backends  # noqa: E402
from moto.route53.models import HostedZoneIdentifier, route53_backends  # noqa: E402
from moto.s3.models import s3_backends  # noqa: E402
from moto.utilities.id_generator import moto_id_manager  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

HOST = "127.0.0.1"
READY_PREFIX = "emulator ready on"

#: The account of the base (non-assumed) credentials; every seeded role trusts it.
BASE_ACCOUNT_ID = DEFAULT_ACCOUNT_ID


@dataclass
class SeedOptions:
    """How the seeded world differs from a healthy one."""

    relocation: bool = True
    node_type: str = "ra3.xlplus"
    cluster_port: int | None = None


@dataclass
class SeedReport:
    """What was seeded, for the start-up log."""

    clusters: list[str] = field(default_factory=list)
    vpcs: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    buckets: list[str] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)


@contextmanager
def fixed_id(module: Any, generator: str, value: str) -> Iterator[None]:
    """Makes ``module.generator()`` return ``value`` once, for the one create call inside."""
    original: Callable[[], str] = getattr(module, generator)
    setattr(module, generator, lambda: value)
    try:
        yield
    finally:
        setattr(module, generator, original)


class Seeder:
    """Builds the world of one config in moto's backends, deduplicating shared resources."""

    def __init__(self, options: SeedOptions) -> None:
        self.options = options
        self.report = SeedReport()
        self.vpc_accounts: dict[str, str] = {}
        self.subnet_vpcs: dict[str, str] = {}
        self.next_cidr = 10
        self.seen: set[tuple[str, ...]] = set()

    def seed(self, config: dict[str, Any]) -> SeedReport:
        """Seeds every environment of ``config`` (the shape of config/environments.json)."""
        quotas = config.get("quotas") or {}
        redshift_endpoints.set_quotas(
            redshift_endpoints.Quotas(
                authorizations_per_cluster=quotas.get("granteesPerCluster", 5),
                endpoints_per_authorization=quotas.get("endpointsPerAuthorization", 5),
                endpoints_per_cluster=quotas.get("endpointsPerCluster", 30),
            )
        )
        for env in config["environments"].values():
            self.environment(env)
        return self.report

    def once(self, *key: str) -> bool:
        """True the first time ``key`` is seen."""
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def environment(self, env: dict[str, Any]) -> None:
        region = env["region"]
        producer = env["producer"]
        self.role(producer.get("roleArn"))
        self.cluster(producer["accountId"], region, producer["clusterIdentifier"], producer["port"])
        for consumer in env["consumers"]:
            self.consumer(consumer, region)
        backend = env.get("backend") or {"type": "local"}
        if backend["type"] == "s3":
            self.role(backend.get("roleArn"))
            self.bucket(backend)

    def role(self, arn: str | None) -> None:
        """An IAM role for ``arn`` in its account, trusting the base account."""
        if not arn or not self.once("role", arn):
            return
        account, name = arn.split(":")[4], arn.split("/")[-1]
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{BASE_ACCOUNT_ID}:root"}, "Action": "sts:AssumeRole"}],
        }
        path = "/" + "/".join(arn.split(":role/")[1].split("/")[:-1])
        iam_backends[account]["global"].create_role(
            role_name=name,
            assume_role_policy_document=json.dumps(trust),
            path=path if path.endswith("/") else path + "/",
            permissions_boundary=None,
            description="Seeded by the project's emulator",
            tags=[],
            max_session_duration=None,
        )
        self.report.roles.append(arn)

    def cluster(self, account: str, region: str, identifier: str, port: int) -> None:
        """The producer's provisioned cluster."""
        if not self.once("cluster", account, region, identifier):
            return
        backend = redshift_backends[account][region]
        cluster = backend.create_cluster(
            cluster_identifier=identifier,
            node_type=self.options.node_type,
            master_username="admin",
            master_user_password="Emulator-Passw0rd",
            db_name="dev",
            cluster_type="multi-node",
            cluster_security_groups=[],
            vpc_security_group_ids=[],
            cluster_subnet_group_name=None,
            availability_zone=None,
            preferred_maintenance_window=None,
            cluster_parameter_group_name=None,
            automated_snapshot_retention_period=None,
            port=self.options.cluster_port or port,
            cluster_version=None,
            allow_version_upgrade=True,
            number_of_nodes=2,
            publicly_accessible=False,
            encrypted=True,
            region_name=region,
        )
        moto_gaps.set_relocation(cluster, self.options.relocation)
        # Redshift creates its service-linked role with an account's first cluster (emulator/rules.py iam.service-linked-role).
        redshift_endpoints.ensure_service_linked_role(account)
        self.report.clusters.append(f"{account}/{region}/{identifier}")

    def consumer(self, consumer: dict[str, Any], region: str) -> None:
        """The consumer's VPC, subnets, extra security groups, existing zone and role."""
        account = consumer["accountId"]
        self.role(consumer.get("roleArn"))
        vpc_id = consumer["vpcId"]
        self.vpc(account, region, vpc_id)
        zones = [z.name for z in ec2_backends[account][region].describe_availability_zones()]
        subnets = list(consumer["subnetIds"]) + list(consumer.get("standbySubnetIds") or [])
        for index, subnet_id in enumerate(subnets):
            self.subnet(account, region, vpc_id, subnet_id, zones[index % len(zones)])
        for group_id in consumer.get("securityGroupIds") or []:
            self.security_group(account, region, vpc_id, group_id)
        zone_id = (consumer.get("dns") or {}).get("zoneId")
        if zone_id:
            self.hosted_zone(account, region, vpc_id, zone_id)

    def vpc(self, account: str, region: str, vpc_id: str) -> None:
        owner = self.vpc_accounts.setdefault(vpc_id, account)
        if owner != account:
            raise SystemExit(f"seed: VPC {vpc_id} is named in accounts {owner} and {account}; a VPC id belongs to one account")
        if not self.once("vpc", account, region, vpc_id):
            return
        cidr = f"10.{self.next_cidr}.0.0/16"
        self.next_cidr += 1
        with fixed_id(ec2_vpcs, "random_vpc_id", vpc_id):
            ec2_backends[account][region].create_vpc(cidr)
        self.report.vpcs.append(f"{account}/{region}/{vpc_id} {cidr}")

    def subnet(self, account: str, region: str, vpc_id: str, subnet_id: str, zone: str) -> None:
        owner = self.subnet_vpcs.setdefault(subnet_id, vpc_id)
        if owner != vpc_id:
            raise SystemExit(f"seed: subnet {subnet_id} is named in VPCs {owner} and {vpc_id}; a subnet belongs to one VPC")
        if not self.once("subnet", account, region, subnet_id):
            return
        ec2 = ec2_backends[account][region]
        vpc_cidr = ipaddress.IPv4Network(ec2.get_vpc(vpc_id).cidr_block)
        used = sum(1 for s in ec2.describe_subnets() if s.vpc_id == vpc_id)
        cidr = str(list(vpc_cidr.subnets(new_prefix=24))[used])
        with fixed_id(ec2_subnets, "random_subnet_id", subnet_id):
            ec2.create_subnet(vpc_id, cidr, availability_zone=zone)

    def security_group(self, account: str, region: str, vpc_id: str, group_id: str) -> None:
        if not self.once("sg", account, region, group_id):
            return
        with fixed_id(ec2_security_groups, "random_security_group_id", group_id):
            ec2_backends[account][region].create_security_group(f"seeded-{group_id}", "Seeded by the project's emulator", vpc_id=vpc_id)

    def hosted_zone(self, account: str, region: str, vpc_id: str, zone_id: str) -> None:
        """An existing private hosted zone with the config's id, associated with the VPC."""
        if not self.once("zone", account, zone_id):
            return
        name = f"{zone_id.lower()}.seeded.internal"
        moto_id_manager.set_custom_id(HostedZoneIdentifier(account, name, None), zone_id)
        route53_backends[account]["aws"].create_hosted_zone(name, private_zone=True, vpcid=vpc_id, vpcregion=region, comment="Seeded")
        self.report.zones.append(f"{account}/{zone_id} {name}")

    def bucket(self, backend: dict[str, Any]) -> None:
        """The S3 state bucket, in the account of the backend's role (else the base account)."""
        role = backend.get("roleArn")
        account = role.split(":")[4] if role else BASE_ACCOUNT_ID
        if not self.once("bucket", backend["bucket"]):
            return
        s3_backends[account]["aws"].create_bucket(backend["bucket"], backend["region"])
        self.report.buckets.append(f"{account}/{backend['bucket']}")


#: The command-line flags, one entry per flag; the TypeScript side (lib/rehearsal/emulator-options.ts) reads the same table.
OPTIONS_FILE = Path(__file__).resolve().parent / "options.json"

#: The keys every entry of OPTIONS_FILE has; ``min``/``max`` (a number's or an integer's bounds) and ``choices``
#: (a string's allowed values) are optional.
OPTION_KEYS = ("name", "type", "default", "metavar", "help", "rehearse")

#: An entry's ``type``: "strings" is a repeatable string flag (its values in order).
OPTION_TYPES = ("number", "integer", "string", "boolean", "strings")


def load_options(path: Path = OPTIONS_FILE) -> list[dict[str, Any]]:
    """The flag table, each entry checked to have OPTION_KEYS and a type of OPTION_TYPES."""
    options = json.loads(path.read_text())
    for index, option in enumerate(options):
        missing = [key for key in OPTION_KEYS if key not in option]
        if missing or option["type"] not in OPTION_TYPES:
            raise SystemExit(
                f"{path}: entry {index} ({option.get('name')!r}) needs the keys {', '.join(OPTION_KEYS)} and a type of "
                f"{', '.join(OPTION_TYPES)}; it lacks {missing or 'nothing'} and has type {option.get('type')!r}"
            )
    return options


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parses ``argv`` with a parser built from the flag table (``load_options``)."""
    parser = argparse.ArgumentParser(description="moto server with Redshift-managed VPC endpoints, seeded from a config")
    rehearse = parser.add_argument_group("break or slow the seeded world (npm run rehearse passes these through)")
    for option in load_options():
        group = rehearse if option["rehearse"] else parser
        flag = f"--{option['name']}"
        if option["type"] == "boolean":
            group.add_argument(flag, action="store_true", help=option["help"])
        elif option["type"] == "strings":
            group.add_argument(flag, action="append", default=list(option["default"]), metavar=option["metavar"], help=option["help"])
        else:
            group.add_argument(
                flag, type=_converter(option), default=_default(option), choices=option.get("choices"), metavar=option["metavar"], help=option["help"]
            )
    return parser.parse_args(argv)


def _default(option: dict[str, Any]) -> Any:
    """The entry's default, a float for a "number" (JSON writes 1.0 as 1)."""
    default = option["default"]
    return float(default) if option["type"] == "number" and default is not None else default


def _converter(option: dict[str, Any]) -> Callable[[str], Any]:
    """Reads a flag's value as the entry's type, within its ``min``/``max`` when it has them."""
    if option["type"] == "string":
        return str
    base: Callable[[str], float | int] = float if option["type"] == "number" else int
    low, high = option.get("min"), option.get("max")
    if low is None and high is None:
        return base
    kind = "a number" if option["type"] == "number" else "a whole number"
    bounds = f"from {low} to {high}" if low is not None and high is not None else f"at least {low}" if low is not None else f"at most {high}"

    def convert(text: str) -> float | int:
        try:
            value = base(text)
        except ValueError:
            value = None
        if value is None or not ((low is None or low <= value) and (high is None or value <= high)):
            raise argparse.ArgumentTypeError(f"must be {kind} {bounds}; got {text!r}")
        return value

    return convert


def log(message: str) -> None:
    print(f"[emulator] {message}", file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    for variable in ("MOTO_ACCOUNT_ID",):  # would pin every request to one account
        os.environ.pop(variable, None)
    redshift_endpoints.install(endpoint_delay_seconds=args.endpoint_delay)
    moto_gaps.install()
    redshift_endpoints.fail_endpoints(args.fail_endpoint)
    redshift_endpoints.set_revoke_in_use(args.revoke_in_use)
    if args.seed:
        config = json.loads(Path(args.seed).read_text())
        report = Seeder(SeedOptions(not args.relocation_off, args.node_type, args.cluster_port)).seed(config)
        log(f"seeded clusters {report.clusters}, VPCs {report.vpcs}, roles {len(report.roles)}, zones {report.zones}, buckets {report.buckets}")
    if args.record_calls and not args.role_policies:
        raise SystemExit("--record-calls needs --role-policies (calls are recorded by the IAM enforcement)")
    if args.role_policies:
        seeded = iam.seed_role_policies(Path(args.role_policies) / "role-policies.json")
        iam.install(Path(args.record_calls) if args.record_calls else None)
        log(f"IAM enforced; role policies: {seeded}")
    app = faults.FaultInjector(DomainDispatcherApplication(create_backend_app), args.fault_rate, args.fault_seed, log)
    if args.fault_rate > 0 or args.fail_endpoint:
        log(f"faults: rate {args.fault_rate} (seed {args.fault_seed}) on {', '.join(faults.FAULTED_SERVICES)}; failing endpoints {args.fail_endpoint}; count at {faults.COUNTER_PATH}")
    server = make_server(HOST, args.port, app, threaded=True)
    signal.signal(signal.SIGTERM, _stop)
    if args.exit_with_parent:
        threading.Thread(target=_stop_on_stdin_eof, daemon=True).start()
    print(f"{READY_PREFIX} http://{HOST}:{server.server_port} (base account {BASE_ACCOUNT_ID})", flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
    log("stopped")
    return 0


def _stop_on_stdin_eof() -> None:
    """Blocks until stdin closes, then stops the server as SIGTERM would."""
    sys.stdin.read()
    os.kill(os.getpid(), signal.SIGTERM)


def _stop(*_: object) -> None:
    """SIGTERM: leave serve_forever (shutdown() would wait for the loop this handler interrupts)."""
    raise SystemExit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
