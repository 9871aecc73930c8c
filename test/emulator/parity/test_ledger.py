"""The ledger that lets npm run parity:record clean up after a run that died: what one process wrote down, another
process deletes. Against the emulator here (no snapshot: this is the suite's own machinery, not AWS's answers)."""

from __future__ import annotations

from pathlib import Path

from botocore.exceptions import ClientError
from parity_ledger import Ledger
from parity_targets import Target


def test_what_a_run_wrote_down_is_deleted_by_a_later_sweep_of_its_file(target: Target, tmp_path: Path) -> None:
    ec2 = target.grantee.client("ec2")
    file = tmp_path / "ledger.json"
    vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="left-behind", Description="parity ledger test", VpcId=vpc)["GroupId"]
    first = Ledger(target, file)
    first.add("vpc", "grantee", VpcId=vpc)
    first.add("security-group", "grantee", GroupId=group)
    # The run dies here; a new process reads the file and deletes newest first (the group, then its VPC).
    later = Ledger(target, file)
    assert [e.kind for e in later.entries] == ["vpc", "security-group"]
    assert later.sweep() == []
    assert Ledger(target, file).entries == []
    try:
        ec2.describe_vpcs(VpcIds=[vpc])
        raise AssertionError(f"{vpc} is still there")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "InvalidVpcID.NotFound"


def test_a_sweep_names_what_it_could_not_delete_and_goes_on(target: Target, tmp_path: Path) -> None:
    book = Ledger(target, tmp_path / "ledger.json")
    vpc = target.grantee.client("ec2").create_vpc(CidrBlock="10.98.0.0/16")["Vpc"]["VpcId"]
    book.add("vpc", "grantee", VpcId=vpc)
    book.add("subnet", "grantee", Subnet="subnet-0123")  # written down wrong: its deleter cannot run
    left = book.sweep()
    assert left == ["subnet {'Subnet': 'subnet-0123'} (grantee): 'SubnetId'"], left
    assert [e.kind for e in book.entries] == ["subnet"]
