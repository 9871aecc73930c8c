"""Seeding the roles' policies: each role of the manifest gets exactly its inline policies."""

from __future__ import annotations

import json
from pathlib import Path

from moto.iam.models import iam_backends

from .hook import BASE_ACCOUNT_ID


def seed_role_policies(manifest_file: Path) -> list[str]:
    """Creates each role of the manifest (trusting the base account) with exactly its inline policies.

    The manifest (written by lib/rehearsal/iam-enforcement.ts) is
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
