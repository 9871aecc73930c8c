/**
 * Rehearsing under the generated policies: which role gets which document in
 * the emulator, and what the emulator's call log says about them.
 *
 * `npm run iam-policies` writes `<stackId>.json` (deploy) and
 * `<stackId>.verify.json` (verify) per stack; `roleManifest` decides which
 * emulated role holds which of them, as that role's only inline policies:
 * - the deploy role of a stack (its `roleArn`) holds the stack's deploy
 *   document, named after the stack. Stacks that assume the same role (a
 *   consumer in the producer's own account) put each of their documents on it,
 *   as separate inline policies: the role can do the union, as it could in AWS.
 * - a verify role per deploy role, `<role name>-verify` in the same account,
 *   holds the verify documents of those stacks; the rehearsal's `verify` runs
 *   with a copy of the config whose `roleArn`s name these roles
 *   (`verifyConfig`), so verify is proven to need nothing but its read-only
 *   policy.
 * - the S3 backend's state role holds `terraform-state.json`
 *   (`statePolicy`), which iam-policies does not write: the backend's
 *   documented needs on the state bucket.
 * - an inspector role in each account (`INSPECTOR_ROLE_NAME`) holds a
 *   read-only policy for the rehearsal's own observer (emulator/world.py and
 *   the tests' SDK clients): it lists whole accounts, which no deploy policy
 *   allows. It is not a deploy role and is left out of every comparison.
 *
 * The emulator (emulator/iam/hook.py) writes one JSON line per call;
 * granted-vs-called.ts sets them against the documents.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { S3 } from "iam-floyd/lib/generated/policy-statements/s3";
import type { Config } from "../config";
import { consumerStackId, producerStackId } from "../config/layout";
import type { PolicyDocument } from "../iam/policies";

/** The read-only role the rehearsal's observer assumes in each account. */
export const INSPECTOR_ROLE_NAME = "redshift-endpoints-emulator-inspector";
/** The manifest file the emulator reads from `--role-policies DIR`. */
export const ROLE_MANIFEST_FILE = "role-policies.json";
/** The call log the rehearsal asks the emulator to write, in the same folder. */
export const CALL_LOG_FILE = "calls.jsonl";
export const STATE_POLICY_FILE = "terraform-state.json";
export const STATE_READ_POLICY_FILE = "terraform-state-read.json";
export const INSPECTOR_POLICY_FILE = "inspector.json";
/**
 * The role a person at the console has in each account: anything goes. The
 * drift scenarios make their hand changes through it; it is no stack's role,
 * so granted-vs-called leaves its calls out.
 */
export const CONSOLE_ROLE_NAME = "redshift-endpoints-emulator-console";
export const CONSOLE_POLICY_FILE = "console.json";
export const CONSOLE_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Sid: "APersonAtTheConsole", Effect: "Allow", Action: "*", Resource: "*" }],
} as const;

export class IamEnforcementError extends Error {}

/** One role of the manifest and its only inline policies (policy name → file in the same folder). */
export interface ManifestRole {
  readonly roleArn: string;
  readonly inlinePolicies: Readonly<Record<string, string>>;
}

/** The verify role of a deploy role: `<name>-verify`, same account and path. */
export function verifyRoleArn(roleArn: string): string {
  const name = roleArn.split("/").pop() ?? "";
  if (name.length + "-verify".length > 64) throw new IamEnforcementError(`role name ${name} is too long to add -verify (IAM allows 64 characters)`);
  return `${roleArn}-verify`;
}

/** The stacks of one environment with the role each assumes, and the read-only role the config names, if any. */
export function stackRoles(config: Config, environment: string): Array<{ stackId: string; accountId: string; roleArn: string; readOnlyRoleArn?: string }> {
  const env = config.environments[environment];
  const stacks = [
    { stackId: producerStackId(environment), ...env.producer, where: `environments.${environment}.producer` },
    ...env.consumers.map((c, i) => ({ stackId: consumerStackId(environment, c.name), ...c, where: `environments.${environment}.consumers[${i}]` })),
  ];
  return stacks.map((s) => {
    if (s.roleArn === undefined)
      throw new IamEnforcementError(`${s.where}.roleArn is not set; rehearsing under the generated policies needs the role each stack assumes`);
    return { stackId: s.stackId, accountId: s.accountId, roleArn: s.roleArn, ...(s.readOnlyRoleArn ? { readOnlyRoleArn: s.readOnlyRoleArn } : {}) };
  });
}

/**
 * What the Terraform S3 backend does on the state bucket with `use_lockfile`:
 * lists the bucket, reads and writes `<keyPrefix>/<stackId>.tfstate`, writes and
 * deletes the `.tflock` beside it.
 */
export function statePolicy(bucket: string, keyPrefix: string, partition = "aws"): PolicyDocument {
  const statements = [
    new S3("ListStateBucket").allow().toListBucket().onBucket(bucket, partition),
    new S3("ReadWriteStateAndLock").allow().toGetObject().toPutObject().onObject(bucket, `${keyPrefix}/*`, partition),
    new S3("DeleteLockFile").allow().toDeleteObject().onObject(bucket, `${keyPrefix}/*.tflock`, partition),
  ];
  return { Version: "2012-10-17", Statement: statements.map((s) => s.toJSON()) as PolicyDocument["Statement"] };
}

/** What a read-only plan (drift, diff --read-only: no lock) does on the state bucket: lists it and reads state under the prefix. */
export function stateReadPolicy(bucket: string, keyPrefix: string, partition = "aws"): PolicyDocument {
  const statements = [
    new S3("ListStateBucket").allow().toListBucket().onBucket(bucket, partition),
    new S3("ReadState").allow().toGetObject().onObject(bucket, `${keyPrefix}/*`, partition),
  ];
  return { Version: "2012-10-17", Statement: statements.map((s) => s.toJSON()) as PolicyDocument["Statement"] };
}

/** The observer's read-only policy: every list and describe call emulator/world.py and the tests make. */
export const INSPECTOR_POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "RehearsalObserverReadsEverything",
      Effect: "Allow",
      Action: ["ec2:Describe*", "redshift:Describe*", "route53:Get*", "route53:List*"],
      Resource: "*",
    },
  ],
} as const;

/** Which role holds which documents (see the file comment); `stateRole` is the S3 backend's role, if any. */
export function roleManifest(config: Config, environment: string): ManifestRole[] {
  const roles = new Map<string, Record<string, string>>();
  const add = (roleArn: string, name: string, file: string) => {
    const policies = roles.get(roleArn) ?? {};
    policies[name] = file;
    roles.set(roleArn, policies);
  };
  const accounts = new Set<string>();
  for (const { stackId, accountId, roleArn, readOnlyRoleArn } of stackRoles(config, environment)) {
    add(roleArn, stackId, `${stackId}.json`);
    add(verifyRoleArn(roleArn), `${stackId}.verify`, `${stackId}.verify.json`);
    // A stack's read-only role holds its drift document only, as a user's would (docs/day-two.md).
    if (readOnlyRoleArn !== undefined) add(readOnlyRoleArn, `${stackId}.drift`, `${stackId}.drift.json`);
    accounts.add(accountId);
  }
  const backend = config.environments[environment].backend;
  if (backend?.type === "s3" && backend.roleArn !== undefined) add(backend.roleArn, "terraform-state", STATE_POLICY_FILE);
  if (backend?.type === "s3" && backend.readOnlyRoleArn !== undefined) add(backend.readOnlyRoleArn, "terraform-state-read", STATE_READ_POLICY_FILE);
  for (const account of [...accounts].sort()) {
    add(`arn:aws:iam::${account}:role/${INSPECTOR_ROLE_NAME}`, "inspect", INSPECTOR_POLICY_FILE);
    add(`arn:aws:iam::${account}:role/${CONSOLE_ROLE_NAME}`, "console", CONSOLE_POLICY_FILE);
  }
  return [...roles.entries()].map(([roleArn, inlinePolicies]) => ({ roleArn, inlinePolicies }));
}

/**
 * Writes the manifest and the documents iam-policies does not write into
 * `dir`, which already holds `npm run iam-policies` output for the config.
 * Fails, naming the file, when a document the manifest needs is missing.
 */
export function writeRoleManifest(dir: string, config: Config, environment: string): ManifestRole[] {
  const backend = config.environments[environment].backend;
  if (backend?.type === "s3") {
    writeFileSync(join(dir, STATE_POLICY_FILE), `${JSON.stringify(statePolicy(backend.bucket, backend.keyPrefix), null, 2)}\n`);
    writeFileSync(join(dir, STATE_READ_POLICY_FILE), `${JSON.stringify(stateReadPolicy(backend.bucket, backend.keyPrefix), null, 2)}\n`);
  }
  writeFileSync(join(dir, INSPECTOR_POLICY_FILE), `${JSON.stringify(INSPECTOR_POLICY, null, 2)}\n`);
  writeFileSync(join(dir, CONSOLE_POLICY_FILE), `${JSON.stringify(CONSOLE_POLICY, null, 2)}\n`);
  const roles = roleManifest(config, environment);
  for (const role of roles)
    for (const file of Object.values(role.inlinePolicies)) {
      try {
        JSON.parse(readFileSync(join(dir, file), "utf8"));
      } catch (e) {
        throw new IamEnforcementError(`${join(dir, file)}: ${(e as Error).message}; npm run iam-policies should have written it for ${role.roleArn}`);
      }
    }
  writeFileSync(join(dir, ROLE_MANIFEST_FILE), `${JSON.stringify({ roles }, null, 2)}\n`);
  return roles;
}

/** The config `npm run verify` runs with under enforcement: every stack's `roleArn` is its verify role. */
export function verifyConfig(config: Config, environment: string): Config {
  const env = config.environments[environment];
  const swap = (arn: string | undefined) => (arn === undefined ? undefined : verifyRoleArn(arn));
  return {
    ...config,
    environments: {
      ...config.environments,
      [environment]: {
        ...env,
        producer: { ...env.producer, roleArn: swap(env.producer.roleArn) },
        consumers: env.consumers.map((c) => ({ ...c, roleArn: swap(c.roleArn) })),
      },
    },
  };
}

/** One line of the emulator's call log. */
export interface CallRecord {
  readonly account: string;
  /** The assumed role's ARN, or `base` for the base credentials. */
  readonly role: string;
  readonly session: string | null;
  readonly action: string;
  readonly allowed: boolean;
  /** The request's resource ARNs, or null when the emulator does not model them for this action. */
  readonly resources: readonly string[] | null;
  /** What the emulator could not check on this call: condition keys, and `resource`. */
  readonly unenforced: readonly string[];
  /** The operation AWS checks this action behind (a caller-side check, say ec2:CreateVpcEndpoint behind redshift:CreateEndpointAccess); absent for the operation called. */
  readonly via?: string | null;
  /** Whether the action is a dependent action of the one checked (the service authorization reference). */
  readonly dependent?: boolean;
}

/** Parses a call log; a bad line fails naming its number. */
export function parseCallLog(text: string, file = "call log"): CallRecord[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((line, i) => {
      try {
        return JSON.parse(line) as CallRecord;
      } catch {
        throw new IamEnforcementError(`${file} line ${i + 1} is not JSON: ${line.slice(0, 120)}`);
      }
    });
}

/** The denied calls of a log, as `action by role (session)` lines. */
export function deniedCalls(calls: readonly CallRecord[]): string[] {
  return [
    ...new Set(
      calls
        .filter((c) => !c.allowed)
        .map(
          (c) =>
            `${c.action}${c.via ? ` (checked behind ${c.via}${c.dependent ? ", a dependent action" : ""})` : ""} by ${c.role} (session ${c.session ?? "-"}) on ${(c.resources ?? ["?"]).join(", ")}`,
        ),
    ),
  ].sort();
}
