/**
 * What `npm run drift` reports, from what the engine and AWS said: pure.
 *
 * One plan per stack, refreshed and never applied (lib/operations/drift.ts
 * runs it). Its `resource_changes` are what a deploy would change, AWS's value
 * against the config's; its `resource_drift` is what the refresh found changed
 * outside Terraform, the state's value against AWS's (what a refresh-only plan
 * reports: the same refresh). A change a deploy would make is:
 * - outside Terraform, when the refresh found that attribute changed: the row
 *   says what the state held and what AWS holds now;
 * - not deployed yet, otherwise: the row says what the config says and what
 *   AWS holds.
 * What the refresh found changed and a deploy would leave alone (an
 * authorization's endpoint_count, which AWS raises as endpoints are created)
 * is not drift. And what no state holds, found through the AWS SDK: ingress rules on a
 * consumer's security group that no rule resource holds, and endpoints to the
 * cluster in a consumer's account that no consumer stack holds.
 *
 * One row per attribute that differs. A row is security-relevant, and says
 * why, when AWS holds ingress wider than `allowedCidrs`, a port other than
 * the cluster's, a VPC the grant was not configured with, or one endpoint
 * more or fewer than the config's.
 */
import { cidrWithin } from "../config/rules";

/** Where a difference comes from. */
export type DriftChange = "outside Terraform" | "not deployed yet";

/** One attribute that differs. */
export interface DriftRow {
  readonly stack: string;
  /** The resource's address in its stack, or the AWS object no state holds. */
  readonly address: string;
  /** A path into the resource's attributes (`tags.team`), or `(resource)` for the whole of it. */
  readonly attribute: string;
  /** What the state (outside Terraform) or the config (not deployed yet) says. */
  readonly expected: string;
  /** What AWS says (for a change not deployed yet, the state, which the refresh-only plan holds to AWS). */
  readonly actual: string;
  readonly change: DriftChange;
  /** Why the difference matters for security, when it does. */
  readonly security?: string;
  /** What a deploy does about it, or what to do when a deploy cannot. */
  readonly remedy: string;
}

/** What one stack was configured with, for the security checks. */
export interface StackExpectations {
  readonly stack: string;
  /** The cluster's port. */
  readonly port: number;
  /** A consumer's client CIDRs; none for the producer. */
  readonly allowedCidrs?: readonly string[];
  /** A producer's grants: grantee account -> VPCs. */
  readonly grants?: ReadonlyMap<string, readonly string[]>;
}

/** The parts of `tofu show -json <plan>` read here. */
export interface PlanJson {
  readonly configuration?: {
    readonly root_module?: { readonly resources?: ReadonlyArray<{ readonly address: string; readonly expressions?: Record<string, unknown> }> };
  };
  readonly resource_drift?: readonly ResourceChange[];
  readonly resource_changes?: readonly ResourceChange[];
  readonly prior_state?: { readonly values?: { readonly root_module?: StateModule } };
}

export interface ResourceChange {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before: Record<string, unknown> | null;
    readonly after: Record<string, unknown> | null;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
  };
}

interface StateModule {
  readonly resources?: ReadonlyArray<{ readonly address: string; readonly mode: string; readonly type: string; readonly values: Record<string, unknown> }>;
  readonly child_modules?: readonly StateModule[];
}

/** A managed resource of a plan's prior state. */
export interface StateResource {
  readonly address: string;
  readonly type: string;
  readonly values: Record<string, unknown>;
}

/** The managed resources of a plan's prior state, in nested modules too. */
export function stateResources(plan: PlanJson): StateResource[] {
  const walk = (m: StateModule | undefined): StateResource[] => [
    ...(m?.resources ?? []).filter((r) => r.mode === "managed").map((r) => ({ address: r.address, type: r.type, values: r.values })),
    ...(m?.child_modules ?? []).flatMap(walk),
  ];
  return walk(plan.prior_state?.values?.root_module);
}

/**
 * Attributes a refresh reports that belong to something else:
 * aws_security_group's `ingress` lists every rule of the group, the rule
 * resources' own and hand-made ones alike; the rule resources and the SDK's
 * look at the group's rules say which is which (`extraIngressRows`).
 */
const OWNED_ELSEWHERE: Readonly<Record<string, readonly string[]>> = { aws_security_group: ["ingress"] };

/** A value as a row shows it. */
export function show(value: unknown): string {
  if (value === undefined) return "(absent)";
  if (value === null) return "null";
  if (typeof value === "string") return value === "" ? '""' : value;
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.length === 0 ? "[]" : value.join(", ");
  return JSON.stringify(value);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The paths where `before` and `after` differ: into objects key by key, lists and scalars whole. `unknown` marks values known only after apply. */
export function differences(
  before: unknown,
  after: unknown,
  unknown: unknown = undefined,
  prefix = "",
): Array<{ path: string; before: unknown; after: unknown }> {
  if (unknown === true) return [{ path: prefix, before, after: "(known after apply)" }];
  // A map the state holds as null (no tags of its own, say) compares key by key with one that has keys.
  const asMap = (v: unknown, other: unknown) => (isObject(v) ? v : (v === null || v === undefined) && isObject(other) ? {} : undefined);
  const b = asMap(before, after);
  const a = asMap(after, before);
  if (b !== undefined && a !== undefined) {
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    return keys.flatMap((k) => differences(b[k], a[k], isObject(unknown) ? unknown[k] : undefined, prefix ? `${prefix}.${k}` : k));
  }
  // A map or list the config leaves out reads as null on one side and empty on the other: no difference.
  const empty = (v: unknown) => v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
  if (empty(before) && empty(after)) return [];
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: prefix, before, after }];
}

/**
 * A tag changed by hand shows twice: in `tags_all` (every tag, the provider's
 * default_tags included) and in `tags` (the resource's own, where the provider
 * now finds a value default_tags did not set). Keep the `tags_all` row: its
 * values are what was really there. `aws` is AWS's side of each difference.
 */
function withoutRepeatedTags<T extends { path: string; aws: unknown }>(diffs: T[]): T[] {
  const all = new Map(diffs.filter((d) => d.path.startsWith("tags_all.")).map((d) => [d.path.slice("tags_all.".length), JSON.stringify(d.aws)]));
  return diffs.filter((d) => !(d.path.startsWith("tags.") && all.get(d.path.slice("tags.".length)) === JSON.stringify(d.aws)));
}

/** Why AWS's value of an attribute matters for security, if it does. */
export function securityOf(type: string, attribute: string, actual: unknown, expected: StackExpectations): string | undefined {
  if (type === "aws_vpc_security_group_ingress_rule") {
    if ((attribute === "cidr_ipv4" || attribute === "cidr_ipv6") && typeof actual === "string" && !cidrWithin(actual, expected.allowedCidrs ?? []))
      return `ingress wider than allowedCidrs (${(expected.allowedCidrs ?? []).join(", ")})`;
    if ((attribute === "from_port" || attribute === "to_port") && actual !== expected.port) return `a port other than the cluster's (${expected.port})`;
    if (attribute === "ip_protocol" && actual !== "tcp") return `a protocol other than tcp on the cluster port (${show(actual)})`;
  }
  if (type === "aws_redshift_endpoint_authorization" && attribute === "vpc_ids" && Array.isArray(actual)) {
    const configured = new Set([...(expected.grants?.values() ?? [])].flat());
    const extra = actual.filter((v) => typeof v === "string" && !configured.has(v));
    if (extra.length) return `an extra VPC in the grant (${extra.join(", ")})`;
  }
  if (type === "aws_redshift_endpoint_authorization" && attribute === "allowed_all_vpcs" && actual === true) return "the grant allows all the account's VPCs";
  return undefined;
}

/** Whether `flags` (a plan's before_sensitive or after_sensitive) marks `path` or a parent of it sensitive. */
function sensitiveAt(flags: unknown, path: string): boolean {
  let node = flags;
  for (const key of path.split(".")) {
    if (node === true) return true;
    if (!isObject(node)) return false;
    node = node[key];
  }
  return node === true;
}

/** A value as a row shows it, masked where the plan marks it sensitive. */
const shown = (value: unknown, flags: unknown, path: string) => (sensitiveAt(flags, path) ? "(sensitive)" : show(value));

/** The rows of one stack's plan: one row per attribute a deploy would change, outside Terraform or not deployed yet. */
export function planRows(expected: StackExpectations, plan: PlanJson): DriftRow[] {
  const rows: DriftRow[] = [];
  const drifted = new Map((plan.resource_drift ?? []).filter((r) => r.mode === "managed").map((r) => [r.address, r]));
  const row = (r: ResourceChange, fields: Omit<DriftRow, "stack" | "address">): DriftRow => ({ stack: expected.stack, address: r.address, ...fields });
  for (const r of plan.resource_changes ?? []) {
    if (r.mode !== "managed") continue;
    const { actions, before, after, after_unknown, before_sensitive, after_sensitive } = r.change;
    if (actions.length === 1 && (actions[0] === "no-op" || actions[0] === "read")) continue;
    const outside = drifted.get(r.address);
    if (actions.includes("create") && before === null) {
      const gone = outside !== undefined && outside.change.after === null;
      rows.push(
        gone
          ? row(r, {
              attribute: "(resource)",
              expected: `exists${outside.change.before?.id ? ` (${show(outside.change.before.id)})` : ""}`,
              actual: "gone",
              change: "outside Terraform",
              security: r.type === "aws_redshift_endpoint_access" ? "a missing endpoint" : undefined,
              remedy: "npm run deploy creates it again",
            })
          : row(r, { attribute: "(resource)", expected: "in the config", actual: "absent", change: "not deployed yet", remedy: "npm run deploy creates it" }),
      );
      continue;
    }
    if (actions.includes("delete") && after === null) {
      rows.push(
        row(r, { attribute: "(resource)", expected: "not in the config", actual: "exists", change: "not deployed yet", remedy: "npm run deploy destroys it" }),
      );
      continue;
    }
    const replace = actions.includes("delete") && actions.includes("create");
    const changedOutside = new Map((outside ? differences(outside.change.before, outside.change.after) : []).map((d) => [d.path, d] as const));
    const skip = OWNED_ELSEWHERE[r.type] ?? [];
    // AWS's value is the plan's before: a tag changed by hand shows once, on tags_all.
    for (const d of withoutRepeatedTags(differences(before, after, after_unknown).map((x) => ({ ...x, aws: x.before })))) {
      if (skip.includes(d.path.split(".")[0])) continue;
      if (d.after === "(known after apply)" && !replace) continue; // computed, follows from another row
      const o = changedOutside.get(d.path);
      rows.push(
        o
          ? row(r, {
              attribute: d.path,
              expected: shown(o.before, outside?.change.before_sensitive, d.path),
              actual: shown(o.after, outside?.change.after_sensitive, d.path),
              change: "outside Terraform",
              security: securityOf(r.type, d.path, o.after, expected),
              remedy: replace ? "npm run deploy replaces the resource" : "npm run deploy puts back what the state holds",
            })
          : row(r, {
              attribute: d.path,
              expected: shown(d.after, after_sensitive, d.path),
              actual: shown(d.before, before_sensitive, d.path),
              change: "not deployed yet",
              security: securityOf(r.type, d.path, d.before, expected),
              remedy: replace ? "npm run deploy replaces the resource" : "npm run deploy applies it",
            }),
      );
    }
  }
  return rows;
}

/** An ingress rule as EC2's DescribeSecurityGroupRules returns it. */
export interface IngressRule {
  readonly ruleId: string;
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  /** The CIDR, prefix list or group it admits. */
  readonly source: string;
}

/** Rows for the ingress rules of a consumer's security group that no rule resource of its state holds. */
export function extraIngressRows(expected: StackExpectations, groupAddress: string, groupId: string, extra: readonly IngressRule[]): DriftRow[] {
  return extra.map((rule) => {
    const ports = rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
    const wider = !/^[0-9a-f.:]+\/\d+$/i.test(rule.source) || !cidrWithin(rule.source, expected.allowedCidrs ?? []);
    const otherPort = rule.protocol !== "tcp" || rule.fromPort !== expected.port || rule.toPort !== expected.port;
    const why = [
      wider ? `ingress wider than allowedCidrs (${(expected.allowedCidrs ?? []).join(", ")})` : undefined,
      otherPort ? `a port other than the cluster's (${expected.port})` : undefined,
    ].filter((w): w is string => w !== undefined);
    return {
      stack: expected.stack,
      address: `${groupAddress} (${groupId})`,
      attribute: `ingress rule ${rule.ruleId}`,
      expected: "absent",
      actual: `${rule.protocol === "-1" ? "all traffic" : `${rule.protocol} ${ports}`} from ${rule.source}`,
      change: "outside Terraform",
      security: why.length ? why.join("; ") : undefined,
      remedy: `no state holds it, so npm run deploy leaves it: aws ec2 revoke-security-group-ingress --group-id ${groupId} --security-group-rule-ids ${rule.ruleId}`,
    };
  });
}

/** Rows for grants on the producer's cluster to accounts the config does not name. */
export function extraGrantRows(
  producer: StackExpectations,
  clusterIdentifier: string,
  extra: ReadonlyArray<{ readonly account: string; readonly vpcIds: readonly string[] }>,
): DriftRow[] {
  return extra.map((g) => ({
    stack: producer.stack,
    address: `grant to ${g.account}`,
    attribute: "(resource)",
    expected: "absent",
    actual: g.vpcIds.length ? `allows ${g.vpcIds.join(", ")}` : "allows all the account's VPCs",
    change: "outside Terraform",
    security: "an extra account in the grant",
    remedy: `no state holds it, so npm run deploy leaves it: add the account to the config, or revoke it (aws redshift revoke-endpoint-access --cluster-identifier ${clusterIdentifier} --account ${g.account})`,
  }));
}

/** Rows for the endpoints to the cluster in a consumer's account that no consumer stack holds. */
export function extraEndpointRows(stack: string, extra: ReadonlyArray<{ readonly name: string; readonly vpcId: string }>): DriftRow[] {
  return extra.map((e) => ({
    stack,
    address: `endpoint ${e.name}`,
    attribute: "(resource)",
    expected: "absent",
    actual: `exists in ${e.vpcId}`,
    change: "outside Terraform",
    security: "an extra endpoint",
    remedy: `no state holds it, so npm run deploy leaves it: adopt it (npm run adopt) or delete it (aws redshift delete-endpoint-access --endpoint-name ${e.name})`,
  }));
}

/** A stack that could not be checked, and why. */
export interface UncheckedStack {
  readonly stack: string;
  readonly error: string;
}

/** The whole report of one environment. */
export interface DriftReport {
  readonly environment: string;
  readonly stacks: readonly string[];
  readonly rows: readonly DriftRow[];
  readonly unchecked: readonly UncheckedStack[];
}

/** 0 no drift, 2 drift, 1 a stack could not be checked (whatever the others show). */
export function driftExitCode(report: DriftReport): 0 | 1 | 2 {
  if (report.unchecked.length > 0) return 1;
  return report.rows.length > 0 ? 2 : 0;
}

/** Rows in a stable order: stack, address, attribute. */
export function sortRows(rows: readonly DriftRow[]): DriftRow[] {
  return [...rows].sort((a, b) => a.stack.localeCompare(b.stack) || a.address.localeCompare(b.address) || a.attribute.localeCompare(b.attribute));
}

/** The report for a person: a table, then the security rows and what to do, then one line of summary. */
export function formatReport(report: DriftReport): string {
  const rows = sortRows(report.rows);
  const lines: string[] = [];
  if (rows.length > 0) {
    const header = ["STACK", "RESOURCE", "ATTRIBUTE", "STATE OR CONFIG", "AWS", "CHANGE", "SECURITY"];
    const cells = rows.map((r) => [r.stack, r.address, r.attribute, r.expected, r.actual, r.change, r.security ?? ""]);
    const width = header.map((h, i) => Math.min(80, Math.max(h.length, ...cells.map((c) => c[i].length))));
    const line = (c: string[]) =>
      c
        .map((v, i) => (i === c.length - 1 ? v : v.padEnd(width[i])))
        .join("  ")
        .trimEnd();
    lines.push(line(header), ...cells.map(line), "");
    const remedies = [...new Set(rows.map((r) => `${r.stack} ${r.address}: ${r.remedy}`))];
    lines.push("What to do:", ...remedies.map((r) => `  - ${r}`), "");
  }
  for (const u of report.unchecked) lines.push(`${u.stack}: could not check: ${u.error.trim()}`, "");
  const security = rows.filter((r) => r.security !== undefined).length;
  const outside = rows.filter((r) => r.change === "outside Terraform").length;
  const checked = report.stacks.length - report.unchecked.length;
  lines.push(
    report.unchecked.length > 0
      ? `${report.environment}: could not check ${report.unchecked.length} of ${report.stacks.length} stacks; ${rows.length} difference(s) in the others`
      : rows.length === 0
        ? `${report.environment}: no drift in ${checked} stacks`
        : `${report.environment}: ${rows.length} difference(s) in ${new Set(rows.map((r) => r.stack)).size} of ${checked} stacks: ${outside} outside Terraform, ${
            rows.length - outside
          } not deployed yet; ${security} security-relevant`,
  );
  return `${lines.join("\n")}\n`;
}
