/**
 * lib/iam: least-privilege IAM documents, derived from synthesized stacks.
 * grants.ts holds what each Terraform type needs and why (the one place for
 * a grant's reason); this file turns a stack's types into its deploy and
 * verify documents, scoped to the stack's own names, account and region.
 *
 * Statements are built with iam-floyd, which carries the service
 * authorization reference as typed methods: an action, a resource type or a
 * condition key that does not exist does not compile. Whether a resource type
 * or condition key applies to an action is checked against the current
 * reference in CI (`npm run iam-lint`).
 *
 * A type with no entry in GRANTS fails generation loudly instead of producing
 * a policy that would be denied halfway through an apply.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { UsageError, defineCommand } from "../cli/command";
import { CONFIG_VARIABLES, configFileOf } from "../cli/environment";
import { loadConfig } from "../config";
import { synthesizeConfig } from "../synth/parallel-synth";
import { type ActionReason, DRIFT_GRANTS, FREE_TYPES, GRANTS, type Grant, type GrantFactory, type StackContext, VERIFY_GRANTS } from "./grants";
import { checkGitHubRepository, writePipelinePolicies } from "./pipeline";

/** A synthesized stack (`cdk.tf.json`), read field by field with optional chaining. */
// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON has no static type; every read is guarded
export type StackJson = any;

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: PolicyStatement[];
}

/** One action of a statement, with the Terraform type that needs it and why. */
export interface ExplainedAction extends ActionReason {
  readonly action: string;
  /** `resource.<type>` or `data.<type>`, or `verify` for the verify policy. */
  readonly type: string;
}

/** A statement of a generated document and the reason for each of its actions. */
export interface ExplainedStatement {
  readonly Sid: string;
  readonly actions: readonly ExplainedAction[];
}

export class IamPolicyError extends Error {}

/** Reads the deploy context of one stack from its synthesized JSON. */
export function stackContext(stackId: string, stack: StackJson): StackContext {
  const aws = stack.provider?.aws?.[0];
  const region: string | undefined = aws?.region;
  const accountId: string | undefined = aws?.allowed_account_ids?.[0];
  if (!region || !accountId) throw new IamPolicyError(`${stackId}: the AWS provider pins no region or allowed_account_ids; cannot scope a policy`);
  const partition = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
  const literal = (v: unknown) => (typeof v === "string" && !v.includes("${") ? v : undefined);
  const first = (blocks: Record<string, StackJson> | undefined) => (blocks ? Object.values(blocks)[0] : undefined);
  const records = Object.values<StackJson>(stack.resource?.aws_route53_record ?? {});
  // The name a change request carries, as route53:ChangeResourceRecordSetsNormalizedRecordNames sees it: the FQDN,
  // lowercase, no trailing dot. In a zone the stack creates, the stack writes the FQDN itself. In an existing zone
  // (`dns.zoneId`: zone_id is a literal) the name is a single label, and the provider appends the zone's name,
  // which the stack does not hold: that record is matched as `<label>.*` within that one zone. (Found by rehearsing
  // a `dns.zoneId` consumer under enforcement: the bare label never matched, so the record could not be created.)
  const recordName = (r: StackJson) => {
    const name = (literal(r.name) ?? "${").toLowerCase().replace(/\.$/, "");
    return literal(r.zone_id) === undefined ? name : `${name}.*`;
  };
  const literals = (values: unknown[]) => {
    const found = values.map(literal);
    // One non-literal value means the set is unknown: no condition rather than a wrong one.
    return found.every((v): v is string => v !== undefined) ? [...new Set(found)].sort() : [];
  };
  const subnetGroup = Object.keys(stack.resource?.aws_redshift_subnet_group ?? {}).length === 1 ? first(stack.resource.aws_redshift_subnet_group) : undefined;
  const subnetGroupName = literal(subnetGroup?.name);
  const activeSubnet = literal(subnetGroup?.subnet_ids?.[0]);
  const otherSubnets = Object.values<StackJson>(stack.data?.aws_subnet ?? {})
    .map((d) => literal(d.id))
    .filter((id): id is string => id !== undefined && id !== activeSubnet);
  return {
    stackId,
    partition,
    region,
    accountId,
    clusterIdentifier: literal(first(stack.data?.aws_redshift_cluster)?.cluster_identifier),
    vpcId: literal(first(stack.resource?.aws_security_group)?.vpc_id),
    subnetGroupName,
    endpointSubnetIds: activeSubnet ? [activeSubnet, ...[...new Set(otherSubnets)].sort()] : [],
    standbySubnetGroupNames:
      subnetGroupName && activeSubnet && subnetGroupName.includes(activeSubnet)
        ? [...new Set(otherSubnets.map((id) => subnetGroupName.replace(activeSubnet, id)))].sort()
        : [],
    hostedZoneIds: literals(records.map((r) => r.zone_id)),
    recordNames: literals(records.map(recordName)),
    recordTypes: literals(records.map((r) => r.type)),
    forceDeleteAuthorizations: Object.values<StackJson>(stack.resource?.aws_redshift_endpoint_authorization ?? {}).some((a) => a.force_delete === true),
  };
}

/** The Terraform types a stack holds, as `resource.<type>` and `data.<type>`. */
export function stackTypes(stack: StackJson): string[] {
  return [...Object.keys(stack.resource ?? {}).map((t) => `resource.${t}`), ...Object.keys(stack.data ?? {}).map((t) => `data.${t}`)].sort();
}

interface Explained {
  readonly statement: PolicyStatement;
  readonly actions: ExplainedAction[];
}

/** A grant as plain JSON, after checking that its reasons name exactly its actions. */
function render(stackId: string, type: string, grant: Grant): Explained {
  const json = grant.statement.toJSON() as { Sid?: string; Action: string | string[]; Resource?: string | string[]; Condition?: PolicyStatement["Condition"] };
  const actions = [json.Action].flat().sort();
  const reasons = Object.keys(grant.why).sort();
  const sid = json.Sid ?? "";
  if (JSON.stringify(actions) !== JSON.stringify(reasons)) {
    throw new IamPolicyError(
      `${stackId}: ${type} statement ${sid} grants [${actions.join(", ")}] but gives reasons for [${reasons.join(", ")}]; every action needs exactly one reason`,
    );
  }
  const statement: PolicyStatement = {
    Sid: sid,
    Effect: "Allow",
    Action: actions,
    Resource: json.Resource ?? "*",
    ...(json.Condition ? { Condition: json.Condition } : {}),
  };
  return { statement, actions: actions.map((action) => ({ action, type, ...grant.why[action] })) };
}

/** The deploy statements of one synthesized stack, each with its reasons. */
export function explainStack(
  stackId: string,
  stack: StackJson,
  grantsByType: Readonly<Record<string, GrantFactory>> = GRANTS,
): { document: PolicyDocument; statements: ExplainedStatement[] } {
  const ctx = stackContext(stackId, stack);
  const explained: Explained[] = [];
  for (const type of stackTypes(stack)) {
    if (FREE_TYPES.has(type)) continue;
    const grants = grantsByType[type];
    if (!grants) throw new IamPolicyError(`${stackId}: no IAM mapping for ${type}; add its deploy actions to GRANTS in lib/iam/grants.ts`);
    for (const grant of grants(ctx)) explained.push(render(stackId, type, grant));
  }
  return assemble(explained);
}

/** The deploy policy document of one synthesized stack. */
export function policyForStack(stackId: string, stack: StackJson): PolicyDocument {
  return explainStack(stackId, stack).document;
}

/** Joins statements with the same resources and condition, and sorts actions, so documents are small and stable. */
function assemble(explained: Explained[]): { document: PolicyDocument; statements: ExplainedStatement[] } {
  const byScope = new Map<string, { statement: PolicyStatement; actions: ExplainedAction[] }>();
  for (const { statement: s, actions } of explained) {
    const key = JSON.stringify([s.Resource, s.Condition ?? null]);
    const existing = byScope.get(key);
    if (existing === undefined) {
      byScope.set(key, { statement: { ...s, Action: [...s.Action] }, actions: [...actions] });
    } else {
      const sids = existing.statement.Sid.split("And");
      byScope.set(key, {
        statement: {
          ...existing.statement,
          Sid: sids.includes(s.Sid) ? existing.statement.Sid : `${existing.statement.Sid}And${s.Sid}`,
          Action: [...existing.statement.Action, ...s.Action],
        },
        actions: [...existing.actions, ...actions],
      });
    }
  }
  const merged = [...byScope.values()].map(({ statement, actions }) => ({
    statement: {
      ...statement,
      // Several grants with no resource type share one statement; its name says so.
      Sid: statement.Resource === "*" && statement.Sid.includes("And") ? "NoResourceLevelPermissions" : statement.Sid,
      Action: [...new Set(statement.Action)].sort(),
    },
    actions: [...actions].sort((a, b) => a.action.localeCompare(b.action) || a.type.localeCompare(b.type)),
  }));
  const sids = merged.map((m) => m.statement.Sid);
  const duplicate = sids.find((sid, i) => sids.indexOf(sid) !== i);
  if (duplicate !== undefined) throw new IamPolicyError(`two statements are named ${duplicate}; a Sid must be unique in a policy`);
  return {
    document: { Version: "2012-10-17", Statement: merged.map((m) => m.statement) },
    statements: merged.map((m) => ({ Sid: m.statement.Sid, actions: m.actions })),
  };
}

/** Whether a stack is a producer or a consumer, by what it holds. */
function accountRole(stackId: string, stack: StackJson, document: string): "producer" | "consumer" {
  const role = stack.resource?.aws_redshift_endpoint_access ? "consumer" : stack.data?.aws_redshift_cluster ? "producer" : undefined;
  if (role === undefined)
    throw new IamPolicyError(
      `${stackId}: neither a producer (data.aws_redshift_cluster) nor a consumer (resource.aws_redshift_endpoint_access); no ${document} policy`,
    );
  return role;
}

export function explainVerify(stackId: string, stack: StackJson): { document: PolicyDocument; statements: ExplainedStatement[] } {
  const role = accountRole(stackId, stack, "verify");
  return assemble(VERIFY_GRANTS[role](stackContext(stackId, stack)).map((g) => render(stackId, "verify", g)));
}

/** Whether the provider needs an action to read what exists: a refresh of a resource, a data source. */
const providerRead = (reason: ActionReason): boolean => reason.caller === "provider" && reason.operations.includes("read");

/**
 * The drift statements of one synthesized stack (`npm run drift`): of every
 * deploy grant, only the actions the provider calls to read (a refresh-only
 * plan and a plan read and never write), with the grant's own resources and
 * conditions; then what drift calls itself (DRIFT_GRANTS). Nothing that
 * writes: iam-lint checks each action's access level in the reference.
 */
export function explainDrift(stackId: string, stack: StackJson): { document: PolicyDocument; statements: ExplainedStatement[] } {
  const role = accountRole(stackId, stack, "drift");
  const ctx = stackContext(stackId, stack);
  const explained: Explained[] = [];
  for (const type of stackTypes(stack)) {
    if (FREE_TYPES.has(type)) continue;
    const grants = GRANTS[type];
    if (!grants) throw new IamPolicyError(`${stackId}: no IAM mapping for ${type}; add its deploy actions to GRANTS in lib/iam/grants.ts`);
    for (const grant of grants(ctx)) {
      const full = render(stackId, type, grant);
      const reads = new Set(full.actions.filter(providerRead).map((a) => a.action));
      if (reads.size === 0) continue;
      const partial = reads.size < full.statement.Action.length;
      explained.push({
        // A statement cut down to its reads says so in its name: ManageEndpointAuthorizations grants writes, its reads do not.
        statement: {
          ...full.statement,
          Sid: partial ? `${full.statement.Sid}Reads` : full.statement.Sid,
          Action: full.statement.Action.filter((a) => reads.has(a)),
        },
        actions: full.actions.filter((a) => reads.has(a.action)),
      });
    }
  }
  for (const grant of DRIFT_GRANTS[role](ctx)) explained.push(render(stackId, "drift", grant));
  return assemble(explained);
}

/** The drift policy document of one synthesized stack. */
export function driftPolicyForStack(stackId: string, stack: StackJson): PolicyDocument {
  return explainDrift(stackId, stack).document;
}

/** File name of a stack's drift policy. */
export const driftPolicyFile = (stackId: string) => `${stackId}.drift.json`;

/** The verify policy document of one synthesized stack. */
export function verifyPolicyForStack(stackId: string, stack: StackJson): PolicyDocument {
  return explainVerify(stackId, stack).document;
}

/** File name of a stack's verify policy. The dot keeps it apart from any stack id. */
export const verifyPolicyFile = (stackId: string) => `${stackId}.verify.json`;

/**
 * Writes `<stackId>.json` (deploy), `<stackId>.verify.json` (verify) and
 * `<stackId>.drift.json` (drift, for its readOnlyRoleArn) for
 * every AWS stack of a synthesized output folder. Stacks without an AWS
 * provider (the Terraform Cloud bootstrap) are skipped. Returns the files written.
 */
export function writePolicies(synthDir: string, destDir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(synthDir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const documents: Array<[string, PolicyDocument]> = [];
  for (const [stackId, entry] of Object.entries(manifest.stacks).sort(([a], [b]) => a.localeCompare(b))) {
    const stack = JSON.parse(readFileSync(join(synthDir, entry.synthesizedStackPath), "utf8"));
    if (!stack.provider?.aws) continue;
    documents.push(
      [`${stackId}.json`, policyForStack(stackId, stack)],
      [verifyPolicyFile(stackId), verifyPolicyForStack(stackId, stack)],
      [driftPolicyFile(stackId), driftPolicyForStack(stackId, stack)],
    );
  }
  mkdirSync(destDir, { recursive: true });
  return documents.map(([name, doc]) => {
    const file = join(destDir, name);
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
    return file;
  });
}

/** `npm run iam-policies -- --out DIR [--config FILE] [--github-repository OWNER/REPO]`. */
export const iamPoliciesCommand = defineCommand(
  {
    name: "iam-policies",
    summary:
      "Synthesizes the configured environments into a temporary folder and writes, per AWS stack, DIR/<stackId>.json: the\n" +
      "least-privilege policy its deploy role needs, derived from the resource types in the stack; DIR/<stackId>.verify.json:\n" +
      "the read-only policy npm run verify needs for that stack; and DIR/<stackId>.drift.json: the read-only policy of the\n" +
      "stack's readOnlyRoleArn (npm run drift, npm run diff -- --read-only). With --github-repository, also the GitHub Actions\n" +
      "pipeline's roles: DIR/<env>.pipeline-{apply,read}.json and their trust policies, and the trust statement of each role\n" +
      "they assume, in DIR/trust (lib/iam/pipeline.ts).",
    positionals: [],
    options: {
      out: { type: "string", value: "DIR", description: "where to write the documents (required)" },
      config: { type: "string", value: "FILE", description: "config file (default: REDSHIFT_ENDPOINTS_CONFIG or config/environments.json)" },
      "github-repository": {
        type: "string",
        value: "OWNER/REPO",
        description: "also write the pipeline's OIDC roles for this repository, as its OIDC subject claim spells it (default: none)",
      },
    },
    environment: CONFIG_VARIABLES,
    more: "See docs/iam.md and examples/github-actions/README.md.",
  },
  async ({ values }, io) => {
    if (values.out === undefined) throw new UsageError("--out DIR is required");
    const repository = values["github-repository"];
    if (repository !== undefined) checkGitHubRepository(repository);
    const config = loadConfig(values.config ?? configFileOf(io));
    const work = mkdtempSync(join(tmpdir(), "iam-policies-"));
    try {
      const outdir = join(work, "cdktf.out");
      synthesizeConfig(config, { outdir, stateDir: io.cwd });
      for (const file of writePolicies(outdir, resolve(io.cwd, values.out))) io.stdout(`wrote ${file}\n`);
      if (repository !== undefined) {
        const pipeline = writePipelinePolicies(config, repository, resolve(io.cwd, values.out));
        for (const file of pipeline.written) io.stdout(`wrote ${file}\n`);
        for (const note of pipeline.notes) io.stderr(`${note}\n`);
      }
      return 0;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
);
