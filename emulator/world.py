"""What the emulator holds in one environment's accounts, as sorted JSON lines.

The rehearsal (lib/rehearsal/world.ts) takes this snapshot after seeding and
again after a destroy or a refused deploy: equal snapshots mean nothing was
left behind and nothing was created. It asks through boto3, the AWS SDK for
Python, exactly as it would ask AWS: each account through its stack's role.

    python emulator/world.py --config FILE --environment ENV --endpoint URL
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Iterable

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

#: The snapshot observes; it must not fail where the system under test would
#: retry. Standard mode retries throttles and 5xx (emulator/faults.py) up to
#: 20 attempts.
OBSERVER = Config(retries={"mode": "standard", "max_attempts": 20})


def _session(role_arn: str | None, region: str, endpoint: str) -> boto3.Session:
    base = boto3.Session(region_name=region)
    if role_arn is None:
        return base
    creds = base.client("sts", endpoint_url=endpoint).assume_role(RoleArn=role_arn, RoleSessionName="redshift-endpoints-world")["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterable[dict[str, Any]]:
    if client.can_paginate(operation):
        for page in client.get_paginator(operation).paginate(**kwargs):
            yield from page.get(key, [])
    else:
        yield from getattr(client, operation)(**kwargs).get(key, [])


def _redshift(session: boto3.Session, endpoint: str, account: str) -> list[str]:
    rs = session.client("redshift", endpoint_url=endpoint, config=OBSERVER)
    rows = [f"{account} redshift cluster {c['ClusterIdentifier']} relocation={c.get('AvailabilityZoneRelocationStatus', '')}" for c in _pages(rs, "describe_clusters", "Clusters")]
    rows += [f"{account} redshift subnet-group {g['ClusterSubnetGroupName']}" for g in _pages(rs, "describe_cluster_subnet_groups", "ClusterSubnetGroups")]
    for grantee in (False, True):
        try:
            auths = list(_pages(rs, "describe_endpoint_authorization", "EndpointAuthorizationList", Grantee=grantee))
        except ClientError as e:
            rows.append(f"{account} redshift endpoint-authorization error {e.response['Error']['Code']}")
            continue
        rows += [
            f"{account} redshift endpoint-authorization {a['ClusterIdentifier']} {a['Grantor']}->{a['Grantee']} vpcs={','.join(sorted(a.get('AllowedVPCs', [])))} all={a.get('AllowedAllVPCs')}"
            for a in auths
        ]
    rows += [
        f"{account} redshift endpoint {e['EndpointName']} cluster={e['ClusterIdentifier']} status={e['EndpointStatus']}"
        for e in _pages(rs, "describe_endpoint_access", "EndpointAccessList")
    ]
    return rows


def _ec2(session: boto3.Session, endpoint: str, account: str) -> list[str]:
    ec2 = session.client("ec2", endpoint_url=endpoint, config=OBSERVER)
    rows = [f"{account} ec2 security-group {g['GroupId']} {g['GroupName']}" for g in _pages(ec2, "describe_security_groups", "SecurityGroups")]
    rows += [f"{account} ec2 security-group-rule {r['SecurityGroupRuleId']} {r['GroupId']}" for r in _pages(ec2, "describe_security_group_rules", "SecurityGroupRules")]
    rows += [f"{account} ec2 network-interface {n['NetworkInterfaceId']} {n['SubnetId']}" for n in _pages(ec2, "describe_network_interfaces", "NetworkInterfaces")]
    rows += [f"{account} ec2 vpc-endpoint {v['VpcEndpointId']}" for v in _pages(ec2, "describe_vpc_endpoints", "VpcEndpoints")]
    return rows


def _route53(session: boto3.Session, endpoint: str, account: str) -> list[str]:
    r53 = session.client("route53", endpoint_url=endpoint, config=OBSERVER)
    rows: list[str] = []
    for zone in _pages(r53, "list_hosted_zones", "HostedZones"):
        rows.append(f"{account} route53 zone {zone['Id']} {zone['Name']}")
        for record in _pages(r53, "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone["Id"]):
            if record["Type"] in ("SOA", "NS"):
                continue
            values = ",".join(sorted(v["Value"] for v in record.get("ResourceRecords", [])))
            rows.append(f"{account} route53 record {zone['Id']} {record['Name']} {record['Type']} {values}")
    return rows


def snapshot(config: dict[str, Any], environment: str, endpoint: str, inspect_as: str | None = None) -> list[str]:
    """Every row of the environment's accounts: one per resource, sorted.

    ``inspect_as`` names a read-only role in each account to ask through
    instead of the stack's role, when the stack's role holds exactly its
    deploy policy (IAM enforcement), which does not list whole accounts.
    """
    env = config["environments"][environment]
    region = env["region"]
    accounts: dict[str, str | None] = {env["producer"]["accountId"]: env["producer"].get("roleArn")}
    for consumer in env["consumers"]:
        accounts.setdefault(consumer["accountId"], consumer.get("roleArn"))
    rows: list[str] = []
    for account, role_arn in sorted(accounts.items()):
        if inspect_as is not None:
            role_arn = f"arn:aws:iam::{account}:role/{inspect_as}"
        session = _session(role_arn, region, endpoint)
        rows += _redshift(session, endpoint, account) + _ec2(session, endpoint, account) + _route53(session, endpoint, account)
    return sorted(set(rows))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--environment", required=True)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--inspect-as", metavar="ROLE_NAME", help="ask each account through this role instead of the stack's (IAM enforcement)")
    args = parser.parse_args(argv)
    with open(args.config, encoding="utf-8") as f:
        config = json.load(f)
    json.dump(snapshot(config, args.environment, args.endpoint, args.inspect_as), sys.stdout, indent=0)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
