/**
 * `npm run drift -- <environment> [--json]`: does AWS still hold what the
 * state says, and has the config all been deployed? Read-only, under each
 * stack's `readOnlyRoleArn`.
 *
 * 1. Synthesizes the environment's stacks into their own folder
 *    (`cdktf.out.drift/<environment>`), each provider assuming its read-only
 *    role (lib/config withReadOnlyRoles); the deploy's `cdktf.out` is left alone.
 * 2. Checks every stack side by side, as a deploy applies the consumers:
 *    `init`, then one plan, refreshed, `-lock=false`, never applied (the state
 *    and AWS are never written), read back with `show -json`. Its
 *    `resource_drift` is what a refresh-only plan reports (the same refresh),
 *    its `resource_changes` what a deploy would change; one engine run answers
 *    both, where a refresh-only plan and a plan without refresh took two and
 *    twice the CPU (docs/benchmark.md, drift). lib/operations/drift-report.ts
 *    turns it into rows.
 * 3. Asks AWS, through the same read-only roles, what no state holds: grants
 *    on the cluster to accounts the config does not name, ingress rules on a
 *    consumer's security group beside its rule resources, and endpoints to the
 *    cluster in a consumer's account beside the stacks'.
 *
 * Exit 0: no drift; 2: drift; 1: a stack could not be checked, or the command
 * itself could not run (bad usage included: a pipeline reading 2 as drift must
 * never see it for a typo).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DescribeSecurityGroupRulesCommand } from "@aws-sdk/client-ec2";
import { DescribeEndpointAccessCommand, DescribeEndpointAuthorizationCommand } from "@aws-sdk/client-redshift";
import { deploySessionName } from "../../stacks/account-stack";
import { type StackTarget, awsClientFactory } from "../aws/clients";
import { isAwsError } from "../aws/errors";
import { type Command, defineCommand } from "../cli/command";
import { CONFIG_VARIABLES, configFileOf, selectEnvironment } from "../cli/environment";
import { capturedRunner } from "../cli/processes";
import { type Adoption, type Config, type EnvironmentConfig, UserError, loadAdoptions, loadConfig, withReadOnlyRoles } from "../config";
import { consumerStackId, producerStackId } from "../config/layout";
import { synthesizeConfig } from "../synth/parallel-synth";
import { type EngineRunner, engineStep } from "./adoption-guard";
import {
  type DriftReport,
  type DriftRow,
  type IngressRule,
  type PlanJson,
  type StackExpectations,
  type UncheckedStack,
  driftExitCode,
  extraEndpointRows,
  extraGrantRows,
  extraIngressRows,
  formatReport,
  planRows,
  sortRows,
  stateResources,
} from "./drift-report";
import type { EngineSelection } from "./environment";
import { wantedGrants } from "./revoke-guard";

/** Reads, through a stack's read-only role, what no state holds. */
export interface DriftLookups {
  /** The grants of the producer's cluster: grantee account and VPCs (none for all VPCs). */
  readonly grants: (producer: StackTarget, clusterIdentifier: string) => Promise<Array<{ account: string; vpcIds: string[] }>>;
  /** The ingress rules of security group `groupId`; none when the group is gone. */
  readonly ingressRules: (consumer: StackTarget, groupId: string) => Promise<IngressRule[]>;
  /** The account's endpoints to `owner`'s cluster, in any VPC. */
  readonly endpoints: (consumer: StackTarget, owner: string, clusterIdentifier: string) => Promise<Array<{ name: string; vpcId: string }>>;
}

/** One stack's checked plan, and what its state holds. */
interface CheckedStack {
  readonly stack: string;
  readonly rows: DriftRow[];
  readonly plan: PlanJson;
}

const PLAN_FILE = "drift.tfplan";

/** A stack's target for the SDK: its read-only role, and the session name its provider uses. */
function readOnlyTarget(
  stack: string,
  role: "producer" | "consumer",
  s: { accountId: string; roleArn?: string; readOnlyRoleArn?: string },
  region: string,
): StackTarget {
  return { stack, role, accountId: s.accountId, roleArn: s.readOnlyRoleArn ?? s.roleArn, region };
}

/** Plans one synthesized stack and reads the plan back; throws Error with the engine's output. */
async function checkStack(stackDir: string, terraformBinary: string, run: EngineRunner, expected: StackExpectations): Promise<CheckedStack> {
  const step = (args: readonly string[]) => engineStep(run, terraformBinary, args, stackDir);
  try {
    await step(["init", "-input=false", "-no-color"]);
    await step(["plan", "-input=false", "-lock=false", "-no-color", `-out=${PLAN_FILE}`]);
    const plan = JSON.parse(await step(["show", "-json", PLAN_FILE])) as PlanJson;
    return { stack: expected.stack, rows: planRows(expected, plan), plan };
  } finally {
    // A saved plan holds a copy of the state: it does not outlive the check.
    fs.rmSync(path.join(stackDir, PLAN_FILE), { force: true });
  }
}

/** Options of one drift check. */
export interface DriftOptions {
  readonly envName: string;
  readonly config: Config;
  readonly adoption?: Adoption;
  /** Where the read-only synth goes (replaced on each run). */
  readonly outdir: string;
  /** Where local state files live (as the deploy's synth was told). */
  readonly stateDir: string;
  /** The hashicorp/aws version the stacks require, when not the bindings'. */
  readonly awsProviderVersion?: string;
  readonly terraformBinary: string;
  readonly run: EngineRunner;
  /** What no state holds; none skips those checks. */
  readonly lookups?: DriftLookups;
  readonly announce?: (line: string) => void;
}

/** Checks every stack of the environment side by side; never throws for one stack's failure (it is `unchecked`). */
export async function driftEnvironment(options: DriftOptions): Promise<DriftReport> {
  const { envName, config } = options;
  const env: EnvironmentConfig = config.environments[envName];
  const only: Config = { ...config, environments: { [envName]: env } };
  synthesizeConfig(withReadOnlyRoles(only), {
    outdir: options.outdir,
    stateDir: options.stateDir,
    awsProviderVersion: options.awsProviderVersion,
    adoptions: options.adoption ? { [envName]: options.adoption } : {},
  });
  const producer: StackExpectations = { stack: producerStackId(envName), port: env.producer.port, grants: wantedGrants(env, options.adoption) };
  const consumers = env.consumers.map((c) => ({
    consumer: c,
    expected: { stack: consumerStackId(envName, c.name), port: env.producer.port, allowedCidrs: c.allowedCidrs } as StackExpectations,
  }));
  const all = [producer, ...consumers.map((c) => c.expected)];
  const deployRoles = [
    ...(env.producer.readOnlyRoleArn === undefined ? [producer.stack] : []),
    ...consumers.filter((c) => c.consumer.readOnlyRoleArn === undefined).map((c) => c.expected.stack),
  ];
  if (deployRoles.length > 0)
    options.announce?.(`NOTICE: no readOnlyRoleArn for ${deployRoles.join(", ")}: drift assumes the roleArn (the deploy role) there instead (docs/day-two.md)`);
  options.announce?.(`> checking ${all.map((s) => s.stack).join(", ")} side by side: one refreshed plan each, never applied, never locked`);
  const unchecked: UncheckedStack[] = [];
  const checked = await Promise.all(
    all.map((expected) =>
      checkStack(path.join(options.outdir, "stacks", expected.stack), options.terraformBinary, options.run, expected).catch((e: Error) => {
        unchecked.push({ stack: expected.stack, error: e.message });
        return undefined;
      }),
    ),
  );
  const rows = checked.flatMap((c) => c?.rows ?? []);
  if (options.lookups) rows.push(...(await notInState(options, env, producer, consumers, checked, unchecked)));
  return { environment: envName, stacks: all.map((s) => s.stack), rows: sortRows(rows), unchecked };
}

/** The SDK's rows: ingress rules and endpoints that no state holds. */
async function notInState(
  options: DriftOptions,
  env: EnvironmentConfig,
  producer: StackExpectations,
  consumers: ReadonlyArray<{ consumer: EnvironmentConfig["consumers"][number]; expected: StackExpectations }>,
  checked: ReadonlyArray<CheckedStack | undefined>,
  unchecked: UncheckedStack[],
): Promise<DriftRow[]> {
  const lookups = options.lookups as DriftLookups;
  const rows: DriftRow[] = [];
  const byStack = new Map(checked.filter((c): c is CheckedStack => c !== undefined).map((c) => [c.stack, c]));
  // Grants to accounts the config does not name: no state holds them, and each opens the cluster to another account.
  if (byStack.has(producer.stack)) {
    try {
      const grants = await lookups.grants(readOnlyTarget(producer.stack, "producer", env.producer, env.region), env.producer.clusterIdentifier);
      rows.push(
        ...extraGrantRows(
          producer,
          env.producer.clusterIdentifier,
          grants.filter((g) => !producer.grants?.has(g.account)),
        ),
      );
    } catch (e) {
      unchecked.push({ stack: producer.stack, error: `reading the cluster's grants failed: ${(e as Error).message}` });
    }
  }
  const held = new Set<string>();
  for (const { consumer, expected } of consumers) {
    const state = byStack.get(expected.stack);
    if (state === undefined) continue;
    const resources = stateResources(state.plan);
    for (const r of resources) if (r.type === "aws_redshift_endpoint_access") held.add(String(r.values.endpoint_name));
    const group = resources.find((r) => r.type === "aws_security_group");
    if (group === undefined) continue;
    const ruleIds = new Set(
      resources.filter((r) => r.type === "aws_vpc_security_group_ingress_rule").map((r) => String(r.values.security_group_rule_id ?? r.values.id)),
    );
    try {
      const rules = await lookups.ingressRules(readOnlyTarget(expected.stack, "consumer", consumer, env.region), String(group.values.id));
      rows.push(
        ...extraIngressRows(
          expected,
          group.address,
          String(group.values.id),
          rules.filter((rule) => !ruleIds.has(rule.ruleId)),
        ),
      );
    } catch (e) {
      unchecked.push({ stack: expected.stack, error: `reading the security group's ingress rules failed: ${(e as Error).message}` });
    }
  }
  // One look per consumer account: its endpoints to the cluster that no consumer stack of the environment holds.
  const accounts = new Map<string, (typeof consumers)[number]>();
  for (const c of consumers) if (!accounts.has(c.consumer.accountId) && byStack.has(c.expected.stack)) accounts.set(c.consumer.accountId, c);
  for (const { consumer, expected } of accounts.values()) {
    try {
      const endpoints = await lookups.endpoints(
        readOnlyTarget(expected.stack, "consumer", consumer, env.region),
        env.producer.accountId,
        env.producer.clusterIdentifier,
      );
      rows.push(
        ...extraEndpointRows(
          expected.stack,
          endpoints.filter((e) => !held.has(e.name)),
        ),
      );
    } catch (e) {
      unchecked.push({ stack: expected.stack, error: `reading the account's endpoints failed: ${(e as Error).message}` });
    }
  }
  return rows;
}

/** The real lookups: the AWS SDK through each consumer's read-only role, in the session its provider uses. */
export const awsDriftLookups: DriftLookups = {
  grants: async (producer, clusterIdentifier) => {
    const clients = awsClientFactory({ roleSessionName: deploySessionName(producer.stack) })(producer);
    try {
      const found: Array<{ account: string; vpcIds: string[] }> = [];
      let Marker: string | undefined;
      do {
        const out = await clients.redshift.send(new DescribeEndpointAuthorizationCommand({ ClusterIdentifier: clusterIdentifier, Marker }));
        for (const a of out.EndpointAuthorizationList ?? []) found.push({ account: a.Grantee ?? "?", vpcIds: a.AllowedAllVPCs ? [] : (a.AllowedVPCs ?? []) });
        Marker = out.Marker;
      } while (Marker);
      return found;
    } finally {
      for (const c of [clients.redshift, clients.sts, clients.ec2]) c.destroy();
    }
  },
  ingressRules: async (consumer, groupId) => {
    const clients = awsClientFactory({ roleSessionName: deploySessionName(consumer.stack) })(consumer);
    try {
      const rules: IngressRule[] = [];
      let NextToken: string | undefined;
      do {
        const out = await clients.ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }], NextToken }));
        for (const r of out.SecurityGroupRules ?? []) {
          if (r.IsEgress) continue;
          rules.push({
            ruleId: r.SecurityGroupRuleId ?? "?",
            protocol: r.IpProtocol ?? "?",
            fromPort: r.FromPort,
            toPort: r.ToPort,
            source: r.CidrIpv4 ?? r.CidrIpv6 ?? r.PrefixListId ?? r.ReferencedGroupInfo?.GroupId ?? "?",
          });
        }
        NextToken = out.NextToken;
      } while (NextToken);
      return rules;
    } catch (e) {
      if (isAwsError(e, "InvalidGroup.NotFound")) return []; // the group itself is gone: the refresh says so
      throw e;
    } finally {
      for (const c of [clients.redshift, clients.sts, clients.ec2]) c.destroy();
    }
  },
  endpoints: async (consumer, owner, clusterIdentifier) => {
    const clients = awsClientFactory({ roleSessionName: deploySessionName(consumer.stack) })(consumer);
    try {
      const found: Array<{ name: string; vpcId: string }> = [];
      let Marker: string | undefined;
      do {
        const out = await clients.redshift.send(new DescribeEndpointAccessCommand({ ClusterIdentifier: clusterIdentifier, ResourceOwner: owner, Marker }));
        for (const e of out.EndpointAccessList ?? []) found.push({ name: e.EndpointName ?? "?", vpcId: e.VpcEndpoint?.VpcId ?? "?" });
        Marker = out.Marker;
      } while (Marker);
      return found;
    } finally {
      for (const c of [clients.redshift, clients.sts, clients.ec2]) c.destroy();
    }
  },
};

/** What scripts/drift.ts wires in; each part replaceable in tests. */
export interface DriftWiring {
  /** The engine for the environment (the emulator's toolchain, say); none: `terraform` from PATH, or TERRAFORM_BINARY_NAME. */
  readonly engineFor?: (env: Readonly<Record<string, string | undefined>>, cwd: string) => EngineSelection | undefined;
  readonly runEngine?: EngineRunner;
  /** null runs no SDK lookups. @default awsDriftLookups */
  readonly lookups?: DriftLookups | null;
}

/** `npm run drift -- <environment> [--json]`. */
export function driftCommand(wiring: DriftWiring = {}): Command {
  return defineCommand(
    {
      name: "drift",
      summary:
        "Checks every stack of the environment side by side, read-only, under each stack's readOnlyRoleArn: a refresh-only plan\n" +
        "(what changed in AWS outside Terraform) and a plan without refresh (config not yet deployed), then AWS itself for\n" +
        "ingress rules and endpoints no state holds. One row per attribute that differs; security-relevant rows say why.\n" +
        "Never writes state or AWS.",
      positionals: [{ name: "environment", description: "an environment of the config" }],
      options: {
        json: { type: "boolean", description: "print the report as JSON instead of a table" },
      },
      environment: { ...CONFIG_VARIABLES, TERRAFORM_BINARY_NAME: "the engine (default terraform)" },
      exits: {
        usage: 1,
        failed: 1,
        meanings: [
          [0, "no drift"],
          [1, "could not check: a stack's plan or an AWS lookup failed, the config was refused, or bad usage (never 2, which means drift)"],
          [2, "drift: at least one row"],
        ],
      },
      more: "See docs/day-two.md.",
    },
    async ({ positionals, values }, io) => {
      const configFile = configFileOf(io);
      const config = loadConfig(configFile);
      const envName = positionals.environment;
      const env = selectEnvironment(config, envName, configFile);
      if (env.backend?.type === "cloud")
        throw new UserError(
          `environments.${envName}.backend is Terraform Cloud, where drift cannot keep its promises: a plan runs remotely as the workspace's run role (not readOnlyRoleArn) and a saved plan is a run that could be applied. Use Terraform Cloud's health assessments (docs/terraform-cloud.md).`,
        );
      const engine = wiring.engineFor?.(io.env, io.cwd);
      if (engine?.notice) io.stderr(`${engine.notice}\n`);
      const output = engine?.args.includes("--output") ? engine.args[engine.args.indexOf("--output") + 1] : "cdktf.out";
      const stateDir = engine?.env.REDSHIFT_ENDPOINTS_STATE_DIR ?? io.env.REDSHIFT_ENDPOINTS_STATE_DIR ?? io.cwd;
      const report = await driftEnvironment({
        envName,
        config,
        adoption: loadAdoptions(configFile, config)[envName],
        outdir: path.resolve(io.cwd, `${output}.drift`, envName),
        stateDir: path.resolve(io.cwd, stateDir),
        awsProviderVersion: engine?.env.REDSHIFT_ENDPOINTS_AWS_PROVIDER_VERSION ?? (io.env.REDSHIFT_ENDPOINTS_AWS_PROVIDER_VERSION || undefined),
        terraformBinary: engine?.terraformBinary ?? io.env.TERRAFORM_BINARY_NAME ?? "terraform",
        run: wiring.runEngine ?? capturedRunner(io.env, engine?.env),
        lookups: wiring.lookups === null ? undefined : (wiring.lookups ?? awsDriftLookups),
        announce: (line) => io.stderr(`${line}\n`),
      });
      const exitCode = driftExitCode(report);
      if (values.json) io.stdout(`${JSON.stringify({ ...report, drift: report.rows.length > 0 }, null, 2)}\n`);
      else io.stdout(formatReport(report));
      return exitCode;
    },
  );
}
