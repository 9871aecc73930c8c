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
 * `compareGrantsWithCalls` sets them against the documents.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { S3 } from "iam-floyd/lib/generated/policy-statements/s3";
import type { Config } from "../config";
import { consumerStackId, producerStackId } from "../config/layout";
import type { ExplainedStatement, PolicyDocument } from "./iam-policies";
import { VERIFY_SESSION_NAME } from "./verify";

/** The read-only role the rehearsal's observer assumes in each account. */
export const INSPECTOR_ROLE_NAME = "redshift-endpoints-emulator-inspector";
/** The manifest file the emulator reads from `--role-policies DIR`. */
export const ROLE_MANIFEST_FILE = "role-policies.json";
/** The call log the rehearsal asks the emulator to write, in the same folder. */
export const CALL_LOG_FILE = "calls.jsonl";
export const STATE_POLICY_FILE = "terraform-state.json";
export const INSPECTOR_POLICY_FILE = "inspector.json";

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

/** The stacks of one environment with the role each assumes. */
export function stackRoles(config: Config, environment: string): Array<{ stackId: string; accountId: string; roleArn: string }> {
  const env = config.environments[environment];
  const stacks = [
    { stackId: producerStackId(environment), accountId: env.producer.accountId, roleArn: env.producer.roleArn, where: `environments.${environment}.producer` },
    ...env.consumers.map((c, i) => ({
      stackId: consumerStackId(environment, c.name),
      accountId: c.accountId,
      roleArn: c.roleArn,
      where: `environments.${environment}.consumers[${i}]`,
    })),
  ];
  return stacks.map((s) => {
    if (s.roleArn === undefined)
      throw new IamEnforcementError(`${s.where}.roleArn is not set; rehearsing under the generated policies needs the role each stack assumes`);
    return { stackId: s.stackId, accountId: s.accountId, roleArn: s.roleArn };
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
  for (const { stackId, accountId, roleArn } of stackRoles(config, environment)) {
    add(roleArn, stackId, `${stackId}.json`);
    add(verifyRoleArn(roleArn), `${stackId}.verify`, `${stackId}.verify.json`);
    accounts.add(accountId);
  }
  const backend = config.environments[environment].backend;
  if (backend?.type === "s3" && backend.roleArn !== undefined) add(backend.roleArn, "terraform-state", STATE_POLICY_FILE);
  for (const account of [...accounts].sort()) add(`arn:aws:iam::${account}:role/${INSPECTOR_ROLE_NAME}`, "inspect", INSPECTOR_POLICY_FILE);
  return [...roles.entries()].map(([roleArn, inlinePolicies]) => ({ roleArn, inlinePolicies }));
}

/**
 * Writes the manifest and the documents iam-policies does not write into
 * `dir`, which already holds `npm run iam-policies` output for the config.
 * Fails, naming the file, when a document the manifest needs is missing.
 */
export function writeRoleManifest(dir: string, config: Config, environment: string): ManifestRole[] {
  const backend = config.environments[environment].backend;
  if (backend?.type === "s3") writeFileSync(join(dir, STATE_POLICY_FILE), `${JSON.stringify(statePolicy(backend.bucket, backend.keyPrefix), null, 2)}\n`);
  writeFileSync(join(dir, INSPECTOR_POLICY_FILE), `${JSON.stringify(INSPECTOR_POLICY, null, 2)}\n`);
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

/** The session name the AWS provider uses for a stack (stacks/account-stack.ts). */
export const deploySessionName = (stackId: string) => `redshift-endpoints-${stackId}`.slice(0, 64);

/** The denied calls of a log, as `action by role (session)` lines. */
export function deniedCalls(calls: readonly CallRecord[]): string[] {
  return [
    ...new Set(calls.filter((c) => !c.allowed).map((c) => `${c.action} by ${c.role} (session ${c.session ?? "-"}) on ${(c.resources ?? ["?"]).join(", ")}`)),
  ].sort();
}

/** A stack's documents with their reasons, and the role each document sat on. */
export interface StackGrants {
  readonly stackId: string;
  readonly kind: "deploy" | "verify";
  readonly roleArn: string;
  readonly statements: readonly ExplainedStatement[];
}

/**
 * An action granted but never called in any scenario, with why that is
 * expected. The emulator sees every call the provider makes, so these are
 * actions AWS evaluates during another call, and provider calls that only an
 * update the scenarios do not make would send.
 */
export const NOT_EXERCISED: ReadonlyMap<string, string> = new Map<string, string>([
  [
    "ec2:CreateTags",
    "the provider sends the default tags in CreateSecurityGroup's and AuthorizeSecurityGroupIngress's TagSpecifications, which AWS authorizes as ec2:CreateTags (the emulator does not check tag-on-create); called directly only when tags change, and no scenario changes the default tags",
  ],
  ["ec2:DeleteTags", "update only: a tag removed from tags_all; no scenario changes the default tags"],
  ["ec2:ModifySecurityGroupRules", "update only: a rule's description, ports or CIDR changed in place; no scenario changes a rule"],
  [
    "redshift:CreateTags",
    "the provider sends the default tags in CreateClusterSubnetGroup's Tags, which AWS authorizes as redshift:CreateTags (the emulator does not check tag-on-create); called directly only when tags change",
  ],
  ["redshift:DeleteTags", "update only: a tag removed from tags_all; no scenario changes the default tags"],
  [
    "redshift:ModifyClusterSubnetGroup",
    "update only: subnet_ids or the description changed in place; the AZ runbook also changes the group's name, which replaces it",
  ],
  ["redshift:ModifyEndpointAccess", "update only: the endpoint's security groups changed; no scenario changes them"],
  ["route53:AssociateVPCWithHostedZone", "update only: the private zone's VPC changed; no scenario moves the zone"],
  ["route53:DisassociateVPCFromHostedZone", "update only: the private zone's VPC changed; no scenario moves the zone"],
  ["route53:UpdateHostedZoneComment", "update only: the zone's comment changed; no scenario changes it"],
]);

export interface GrantComparison {
  readonly stackId: string;
  readonly kind: "deploy" | "verify";
  readonly granted: readonly string[];
  readonly called: readonly string[];
  /** Called but not granted: each was a denial. */
  readonly calledNotGranted: readonly string[];
  /** Granted, never called, with the reason (`caller: "aws"`, or NOT_EXERCISED); an empty reason is a finding unless `unexplainedGrants` finds the call elsewhere. */
  readonly notCalled: ReadonlyArray<{ readonly action: string; readonly reason: string }>;
  /** Each granted action's types: the resources or data sources (`resource.<type>`, `data.<type>`, `verify`) it is granted for. */
  readonly grantedFor: Readonly<Record<string, readonly string[]>>;
}

/**
 * Sets each stack's documents against the calls its sessions made (the
 * provider's session for deploy documents, verify's session on the verify
 * role). Calls of other sessions (the observer, the state backend) do not
 * count for any stack.
 */
export function compareGrantsWithCalls(
  grants: readonly StackGrants[],
  calls: readonly CallRecord[],
  notExercised: ReadonlyMap<string, string> = NOT_EXERCISED,
): GrantComparison[] {
  const byStack = new Map<string, { granted: Map<string, string>; types: Map<string, Set<string>>; called: Set<string>; grant: StackGrants }>();
  for (const g of grants) {
    const key = `${g.kind} ${g.stackId}`;
    const entry = byStack.get(key) ?? { granted: new Map<string, string>(), types: new Map<string, Set<string>>(), called: new Set<string>(), grant: g };
    for (const s of g.statements)
      for (const a of s.actions) {
        const reason = a.caller === "aws" ? `AWS checks it during ${a.via}: ${a.detail}` : (notExercised.get(a.action) ?? "");
        // An action granted once for the stack's own calls must be called, even if another statement grants it for a reason.
        const previous = entry.granted.get(a.action);
        entry.granted.set(a.action, previous === undefined ? reason : previous === "" || reason === "" ? "" : previous);
        entry.types.set(a.action, (entry.types.get(a.action) ?? new Set<string>()).add(a.type));
      }
    byStack.set(key, entry);
  }
  for (const c of calls) {
    for (const entry of byStack.values()) {
      const g = entry.grant;
      const session = g.kind === "deploy" ? deploySessionName(g.stackId) : VERIFY_SESSION_NAME;
      if (c.role === g.roleArn && c.session === session && c.action !== "sts:GetCallerIdentity") entry.called.add(c.action);
    }
  }
  // Stacks on one role share a session only for verify (one session name); there the role's documents together are what allowed a call.
  const sessionKey = (g: StackGrants) => `${g.roleArn} ${g.kind === "deploy" ? deploySessionName(g.stackId) : VERIFY_SESSION_NAME}`;
  const grantedBySession = new Map<string, Set<string>>();
  for (const { granted, grant } of byStack.values()) {
    const all = grantedBySession.get(sessionKey(grant)) ?? new Set<string>();
    for (const a of granted.keys()) all.add(a);
    grantedBySession.set(sessionKey(grant), all);
  }
  return [...byStack.values()]
    .map(({ granted, types, called: sessionCalls, grant }) => {
      const sessionGranted = grantedBySession.get(sessionKey(grant)) ?? new Set<string>();
      // A shared session's call counts for this stack when this stack's document grants it.
      const called = new Set([...sessionCalls].filter((a) => granted.has(a) || !sessionGranted.has(a)));
      return { granted, types, called, grant, calledNotGranted: [...called].filter((a) => !granted.has(a)).sort() };
    })
    .map(({ granted, types, called, grant, calledNotGranted }) => ({
      stackId: grant.stackId,
      kind: grant.kind,
      granted: [...granted.keys()].sort(),
      called: [...called].sort(),
      calledNotGranted,
      notCalled: [...granted.entries()]
        .filter(([a]) => !called.has(a))
        .map(([action, reason]) => ({ action, reason }))
        .sort((a, b) => a.action.localeCompare(b.action)),
      grantedFor: Object.fromEntries([...types].map(([a, t]) => [a, [...t].sort()])),
    }))
    .sort((a, b) => a.stackId.localeCompare(b.stackId) || a.kind.localeCompare(b.kind));
}

/** One row per stack and document over every scenario that rehearsed it: the union of what was granted and called. */
export function mergeComparisons(rows: readonly GrantComparison[]): GrantComparison[] {
  const merged = new Map<string, GrantComparison>();
  for (const r of rows) {
    const key = `${r.stackId} ${r.kind}`;
    const prev = merged.get(key);
    if (prev === undefined) {
      merged.set(key, r);
      continue;
    }
    const called = new Set([...prev.called, ...r.called]);
    const reasons = new Map([...prev.notCalled, ...r.notCalled].map((n) => [n.action, n.reason]));
    const grantedFor: Record<string, string[]> = {};
    for (const [action, types] of [...Object.entries(prev.grantedFor), ...Object.entries(r.grantedFor)])
      grantedFor[action] = [...new Set([...(grantedFor[action] ?? []), ...types])].sort();
    merged.set(key, {
      ...r,
      granted: [...new Set([...prev.granted, ...r.granted])].sort(),
      called: [...called].sort(),
      calledNotGranted: [...new Set([...prev.calledNotGranted, ...r.calledNotGranted])].sort(),
      notCalled: [...reasons.entries()].filter(([a]) => !called.has(a)).map(([action, reason]) => ({ action, reason })),
      grantedFor,
    });
  }
  return [...merged.values()].sort((a, b) => a.stackId.localeCompare(b.stackId) || a.kind.localeCompare(b.kind));
}

/**
 * The grants that nothing explains, as `<stack> <deploy|verify>: <action>`:
 * granted for the stack's own calls (no reason in code), never called by the
 * stack's session, and never called by another stack's session either under
 * the same kind of document with the action granted for the same resource
 * type. So a verify call never vouches for a deploy grant, and a producer's
 * call of an action for its cluster never vouches for a consumer's grant of
 * it for its endpoint. `rows` are the comparisons of every scenario.
 */
export function unexplainedGrants(rows: readonly GrantComparison[]): string[] {
  const key = (kind: string, type: string, action: string) => `${kind} ${type} ${action}`;
  const calledFor = new Set<string>();
  for (const r of rows) for (const action of r.called) for (const type of r.grantedFor[action] ?? []) calledFor.add(key(r.kind, type, action));
  return rows.flatMap((r) =>
    r.notCalled
      .filter((n) => n.reason === "" && !(r.grantedFor[n.action] ?? []).some((type) => calledFor.has(key(r.kind, type, n.action))))
      .map((n) => `${r.stackId} ${r.kind}: ${n.action}`),
  );
}

/** The README's table: stack, document, actions granted, actions called, granted but not called. */
export function formatGrantTable(rows: readonly GrantComparison[]): string {
  const lines = ["| stack | policy | actions granted | actions called | granted, not called (reason in code) |", "| --- | --- | ---: | ---: | --- |"];
  for (const r of rows)
    lines.push(`| ${r.stackId} | ${r.kind} | ${r.granted.length} | ${r.called.length} | ${r.notCalled.map((n) => `\`${n.action}\``).join(", ") || "none"} |`);
  return `${lines.join("\n")}\n`;
}
