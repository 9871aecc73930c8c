/**
 * The post-deploy health check behind `npm run verify -- <env>`: what the
 * manual steps checked by hand, read back from AWS.
 *
 * - Producer stack: the credentials are for the configured account, and each
 *   grantee account's endpoint authorization is `Authorized` for exactly the
 *   configured VPCs.
 * - Consumer stacks: the credentials are for the configured account, and the
 *   Redshift-managed VPC endpoint is `active`, in the configured subnet and
 *   that subnet's AZ; optionally a TCP connection to it succeeds from here.
 *
 * AWS clients come from an injected factory and the TCP probe is injected too,
 * so tests run everything against mocks. `verifyCommand` at the end is the
 * command line; `scripts/verify.ts` runs it.
 */
import * as net from "node:net";
import { type ClientFactory, type StackClients, type StackTarget, awsClientFactory } from "../aws/clients";
import { UsageError, defineCommand } from "../cli/command";
import { CONFIG_VARIABLES, loadEnvironment } from "../cli/environment";
import { errorText, isAwsError } from "../aws/errors";
import { DescribeSubnetsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeEndpointAccessCommand,
  DescribeEndpointAuthorizationCommand,
  type EndpointAccess,
  type EndpointAuthorization,
  type RedshiftClient,
} from "@aws-sdk/client-redshift";
import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import type { Adoption, ConsumerConfig, EnvironmentConfig } from "../config";
import { consumerStackId, endpointGrants, producerStackId } from "../config/layout";

/** How long `--connect` waits for a TCP connection, in milliseconds. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** AWS calls and TCP probes in flight at once. */
export const DEFAULT_CONCURRENCY = 4;

/** The session name that CloudTrail shows for the roles this command assumes. */
export const VERIFY_SESSION_NAME = "redshift-endpoints-verify";

/**
 * Attempts per AWS call of `npm run verify`, retries included. The SDK's 3
 * fail a read-only check on a throttled account about once in 37 calls at a
 * 30 % throttle rate (0.3^3); 8 make that one in 15 000.
 */
export const VERIFY_MAX_ATTEMPTS = 8;

/**
 * The outcome of one check.
 * - `OK`: as expected.
 * - `PENDING`: AWS is still creating or modifying the endpoint; re-run later.
 * - `MISSING`: the authorization or the endpoint does not exist.
 * - `FAIL`: it exists but differs from the config, or AWS could not be asked.
 * - `UNREACHABLE`: `--connect` got no TCP connection.
 * - `SKIPPED`: not checked because a check it depends on did not pass.
 */
export type CheckStatus = "OK" | "PENDING" | "MISSING" | "FAIL" | "UNREACHABLE" | "SKIPPED";

/** Every status, in the order the summary lists them. */
export const CHECK_STATUSES: readonly CheckStatus[] = ["OK", "PENDING", "MISSING", "FAIL", "UNREACHABLE", "SKIPPED"];

/**
 * Statuses that make the environment unhealthy (exit 1). `SKIPPED` is not
 * among them: a check is only skipped because another one already failed.
 */
export const UNHEALTHY_STATUSES: ReadonlySet<CheckStatus> = new Set<CheckStatus>(["PENDING", "MISSING", "FAIL", "UNREACHABLE"]);

/** What a row checks. */
export type CheckName = "identity" | "authorization" | "endpoint" | "subnet" | "az" | "connect";

/** One row of the report. */
export interface CheckResult {
  /** The stack the checked resource belongs to: `<env>-producer` or `<env>-consumer-<name>`. */
  readonly stack: string;
  readonly check: CheckName;
  /** What the check is about when a stack has several of it: the grantee account, the endpoint name. */
  readonly subject?: string;
  readonly status: CheckStatus;
  /** One line for a person: what was found and, when unhealthy, what was expected and what to do. */
  readonly detail: string;
}

/** What AWS reports about one consumer's endpoint, next to what the config expects. `null` when unknown. */
export interface EndpointFacts {
  readonly stack: string;
  readonly endpointName: string;
  /** `EndpointStatus` as AWS reports it, e.g. `active`. */
  readonly status: string | null;
  /** The endpoint's DNS address. */
  readonly address: string | null;
  readonly port: number | null;
  readonly privateIpAddress: string | null;
  readonly vpcEndpointId: string | null;
  readonly subnetId: string | null;
  readonly availabilityZone: string | null;
  /** `subnetIds[0]` from the config. */
  readonly expectedSubnetId: string;
  /** The AZ of `expectedSubnetId`, from EC2. */
  readonly expectedAvailabilityZone: string | null;
}

/** The result of verifying one environment. `formatJson` prints exactly this. */
export interface VerifyReport {
  readonly environment: string;
  readonly region: string;
  /** True when no check is PENDING, MISSING, FAIL or UNREACHABLE. */
  readonly healthy: boolean;
  readonly checks: readonly CheckResult[];
  readonly endpoints: readonly EndpointFacts[];
  /** How many checks ended in each status. */
  readonly counts: Readonly<Record<CheckStatus, number>>;
}

/** Outcome of one TCP connection attempt. */
export interface ProbeResult {
  readonly reachable: boolean;
  readonly elapsedMs: number;
  /** Why it failed, e.g. `connection refused (ECONNREFUSED)`. */
  readonly reason?: string;
}

/** Tries one TCP connection. */
export type TcpProbe = (host: string, port: number, timeoutMs: number) => Promise<ProbeResult>;

export interface VerifyOptions {
  /** The environment's name in the config (`dev`). */
  readonly environment: string;
  /** That environment's validated config. */
  readonly config: EnvironmentConfig;
  /** Builds each stack's AWS clients. */
  readonly clients: ClientFactory;
  /** Also try a TCP connection to each endpoint's address and port. @default false */
  readonly connect?: boolean;
  /** How long each TCP attempt may take. @default DEFAULT_CONNECT_TIMEOUT_MS (5000) */
  readonly connectTimeoutMs?: number;
  /** AWS calls and TCP probes in flight at once. @default DEFAULT_CONCURRENCY (4) */
  readonly concurrency?: number;
  /** The TCP probe. @default probeTcp */
  readonly probe?: TcpProbe;
  /**
   * The environment's adoption file: the VPCs an adopted authorization keeps beyond the config's are expected too.
   * @default none
   */
  readonly adoption?: Adoption;
}

/** Runs every check for one environment and returns the report. Never throws for AWS or network errors: they become FAIL rows. */
export async function verifyEnvironment(options: VerifyOptions): Promise<VerifyReport> {
  const created: StackClients[] = [];
  const ctx: Context = {
    options,
    env: options.config,
    limit: limiter(options.concurrency ?? DEFAULT_CONCURRENCY),
    clientsFor: (target) => {
      const clients = options.clients(target);
      created.push(clients);
      return clients;
    },
  };
  try {
    const [producer, ...consumers] = await Promise.all([verifyProducer(ctx), ...ctx.env.consumers.map((c, index) => verifyConsumer(ctx, c, index))]);
    const checks = [...producer, ...consumers.flatMap((c) => c.checks)];
    const counts = Object.fromEntries(CHECK_STATUSES.map((s) => [s, checks.filter((c) => c.status === s).length])) as Record<CheckStatus, number>;
    return {
      environment: options.environment,
      region: ctx.env.region,
      healthy: checks.every((c) => !UNHEALTHY_STATUSES.has(c.status)),
      checks,
      endpoints: consumers.map((c) => c.facts),
      counts,
    };
  } finally {
    for (const c of created) {
      c.sts.destroy();
      c.redshift.destroy();
      c.ec2.destroy();
    }
  }
}

/** 0 when healthy, 1 when anything is unhealthy. */
export function exitCodeFor(report: VerifyReport): 0 | 1 {
  return report.healthy ? 0 : 1;
}

/** The report as pretty-printed JSON, with a final newline. */
export function formatJson(report: VerifyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** A fixed-width table of every check, then a summary line. */
export function formatTable(report: VerifyReport): string {
  const header = ["STACK", "CHECK", "STATUS", "DETAIL"] as const;
  const rows = report.checks.map((c) => [c.stack, c.subject === undefined ? c.check : `${c.check} ${c.subject}`, c.status, c.detail] as const);
  const widths = [0, 1, 2].map((i) => Math.max(header[i].length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => `${cells.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell)).join("  ")}`.trimEnd();
  return [
    `Environment ${report.environment} (${report.region})`,
    "",
    line(header),
    line(widths.map((w) => "-".repeat(w)).concat("-".repeat(6))),
    ...rows.map(line),
    "",
    summaryLine(report),
    "",
  ].join("\n");
}

/** `dev: HEALTHY (7 OK)` or `dev: UNHEALTHY (5 OK, 1 PENDING, 1 SKIPPED)`. */
export function summaryLine(report: VerifyReport): string {
  const counts = CHECK_STATUSES.filter((s) => report.counts[s] > 0).map((s) => `${report.counts[s]} ${s}`);
  const pendingHint =
    report.counts.PENDING > 0 ? `; endpoints still being created or modified: wait a few minutes and re-run npm run verify -- ${report.environment}` : "";
  return `${report.environment}: ${report.healthy ? "HEALTHY" : "UNHEALTHY"} (${counts.join(", ")})${pendingHint}`;
}

/**
 * One TCP connection attempt with a timeout, closed as soon as it opens.
 * Nothing is sent over it.
 */
export const probeTcp: TcpProbe = (host, port, timeoutMs) =>
  new Promise((resolve) => {
    const started = Date.now();
    const socket = net.createConnection({ host, port });
    let settled = false;
    const finish = (reachable: boolean, reason?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ reachable, elapsedMs: Date.now() - started, ...(reason === undefined ? {} : { reason }) });
    };
    const timer = setTimeout(() => finish(false, `no answer within ${timeoutMs} ms`), timeoutMs);
    socket.on("connect", () => finish(true));
    socket.on("error", (e: NodeJS.ErrnoException) => finish(false, socketErrorText(e)));
  });

// ---------------------------------------------------------------------------

interface Context {
  readonly options: VerifyOptions;
  readonly env: EnvironmentConfig;
  readonly limit: Limit;
  readonly clientsFor: (target: StackTarget) => StackClients;
}

type Limit = <T>(task: () => Promise<T>) => Promise<T>;

/** Runs at most `max` tasks at once; the rest wait in order. */
function limiter(max: number): Limit {
  const slots = Math.max(1, Math.floor(max));
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

async function verifyProducer(ctx: Context): Promise<CheckResult[]> {
  const p = ctx.env.producer;
  const stack = producerStackId(ctx.options.environment);
  const clients = ctx.clientsFor({ stack, role: "producer", accountId: p.accountId, roleArn: p.roleArn, region: ctx.env.region });
  const identity = await checkIdentity(ctx, stack, clients.sts, p.accountId, p.roleArn, `environments.${ctx.options.environment}.producer`);
  const grants = [...endpointGrants(ctx.env)];
  if (identity.status !== "OK") {
    return [identity, ...grants.map(([account]) => skipped(stack, "authorization", "no credentials for the producer account (see identity)", account))];
  }
  const kept = (account: string) => ctx.options.adoption?.authorizations?.find((a) => a.accountId === account)?.extraVpcIds ?? [];
  const authorizations = await Promise.all(
    grants.map(([account, vpcIds]) => checkAuthorization(ctx, stack, clients.redshift, account, [...vpcIds, ...kept(account)])),
  );
  return [identity, ...authorizations];
}

async function checkIdentity(ctx: Context, stack: string, sts: STSClient, accountId: string, roleArn: string | undefined, where: string): Promise<CheckResult> {
  const row = (status: CheckStatus, detail: string): CheckResult => ({ stack, check: "identity", status, detail });
  const source = roleArn === undefined ? "the ambient credentials" : `role ${roleArn}`;
  try {
    const me = await ctx.limit(() => sts.send(new GetCallerIdentityCommand({})));
    if (me.Account === accountId) return row("OK", `account ${accountId} as ${me.Arn ?? "unknown ARN"}`);
    return row(
      "FAIL",
      `wrong account: ${source} gave account ${me.Account ?? "unknown"} (${me.Arn ?? "unknown ARN"}), expected ${accountId} (${where}.accountId); ` +
        (roleArn === undefined ? `set ${where}.roleArn or use credentials for ${accountId}` : `check ${where}.roleArn`),
    );
  } catch (e) {
    const hint =
      e instanceof Error && e.name === "CredentialsProviderError"
        ? `; configure AWS credentials here (AWS_PROFILE, environment variables, SSO)${roleArn === undefined ? "" : " that may assume it"}`
        : "";
    return row("FAIL", `cannot get credentials from ${source}: ${errorText(e)}${hint}`);
  }
}

async function checkAuthorization(ctx: Context, stack: string, redshift: RedshiftClient, account: string, vpcIds: readonly string[]): Promise<CheckResult> {
  const cluster = ctx.env.producer.clusterIdentifier;
  const row = (status: CheckStatus, detail: string): CheckResult => ({ stack, check: "authorization", subject: account, status, detail });
  let found: EndpointAuthorization | undefined;
  try {
    const out = await ctx.limit(() =>
      redshift.send(new DescribeEndpointAuthorizationCommand({ ClusterIdentifier: cluster, Account: account, Grantee: false })),
    );
    found = (out.EndpointAuthorizationList ?? []).find((a) => (a.Grantee ?? account) === account && (a.ClusterIdentifier ?? cluster) === cluster);
  } catch (e) {
    if (isAwsError(e, "EndpointAuthorizationNotFound")) found = undefined;
    else if (isAwsError(e, "ClusterNotFound")) return row("FAIL", `cluster ${cluster} not found in account ${ctx.env.producer.accountId} (${ctx.env.region})`);
    else return row("FAIL", `DescribeEndpointAuthorization failed: ${errorText(e)}`);
  }
  if (found === undefined) {
    return row("MISSING", `no authorization for account ${account} on cluster ${cluster}; deploy ${stack}`);
  }
  const problems: string[] = [];
  if ((found.Status ?? "").toLowerCase() !== "authorized") problems.push(`status is ${found.Status ?? "unknown"}, expected Authorized`);
  if (found.AllowedAllVPCs === true) problems.push("allows all VPCs, expected only the configured ones");
  const allowed = found.AllowedVPCs ?? [];
  const missing = vpcIds.filter((v) => !allowed.includes(v));
  const extra = allowed.filter((v) => !vpcIds.includes(v));
  if (missing.length) problems.push(`missing VPC${missing.length === 1 ? "" : "s"} ${missing.join(", ")}`);
  if (extra.length) problems.push(`unexpected VPC${extra.length === 1 ? "" : "s"} ${extra.join(", ")} (not in the config)`);
  if (problems.length) {
    return row("FAIL", `${problems.join("; ")}; expected Authorized for ${[...vpcIds].sort().join(", ")}; deploy ${stack} to converge`);
  }
  return row("OK", `Authorized for ${[...allowed].sort().join(", ")}`);
}

type EndpointLookup =
  | { readonly kind: "found"; readonly endpoint: EndpointAccess }
  | { readonly kind: "missing" }
  | { readonly kind: "error"; readonly detail: string };

type SubnetLookup = { readonly kind: "found"; readonly availabilityZone: string } | { readonly kind: "error"; readonly detail: string };

const PENDING_ENDPOINT_STATUSES = new Set(["creating", "modifying"]);

async function verifyConsumer(ctx: Context, c: ConsumerConfig, index: number): Promise<{ checks: CheckResult[]; facts: EndpointFacts }> {
  const envName = ctx.options.environment;
  const where = `environments.${envName}.consumers[${index}]`;
  const stack = consumerStackId(envName, c.name);
  const expectedSubnetId = c.subnetIds[0];
  const clients = ctx.clientsFor({ stack, role: "consumer", accountId: c.accountId, roleArn: c.roleArn, region: ctx.env.region });
  const identity = await checkIdentity(ctx, stack, clients.sts, c.accountId, c.roleArn, where);
  const empty: EndpointFacts = {
    stack,
    endpointName: c.endpointName,
    status: null,
    address: null,
    port: null,
    privateIpAddress: null,
    vpcEndpointId: null,
    subnetId: null,
    availabilityZone: null,
    expectedSubnetId,
    expectedAvailabilityZone: null,
  };
  if (identity.status !== "OK") {
    const why = "no credentials for the consumer account (see identity)";
    const rest = [
      skipped(stack, "endpoint", why, c.endpointName),
      skipped(stack, "subnet", why),
      skipped(stack, "az", why),
      ...(ctx.options.connect === true ? [skipped(stack, "connect", why)] : []),
    ];
    return { checks: [identity, ...rest], facts: empty };
  }

  const [lookup, subnet] = await Promise.all([describeEndpoint(ctx, clients.redshift, c), describeSubnet(ctx, clients.ec2, expectedSubnetId)]);
  const endpoint = lookup.kind === "found" ? lookup.endpoint : undefined;
  const eni = endpoint?.VpcEndpoint?.NetworkInterfaces?.[0];
  const status = endpoint?.EndpointStatus;
  const port = endpoint?.Port ?? ctx.env.producer.port;
  const facts: EndpointFacts = {
    ...empty,
    status: status ?? null,
    address: endpoint?.Address ?? null,
    port: endpoint === undefined ? null : port,
    privateIpAddress: eni?.PrivateIpAddress ?? null,
    vpcEndpointId: endpoint?.VpcEndpoint?.VpcEndpointId ?? null,
    subnetId: eni?.SubnetId ?? null,
    availabilityZone: eni?.AvailabilityZone ?? null,
    expectedAvailabilityZone: subnet.kind === "found" ? subnet.availabilityZone : null,
  };

  const checks: CheckResult[] = [identity, endpointRow(ctx, stack, c, lookup, facts)];
  const isPending = PENDING_ENDPOINT_STATUSES.has((status ?? "").toLowerCase());
  // A pending endpoint may have no network interface yet; its endpoint row already says PENDING.
  const noEni: CheckStatus = isPending ? "SKIPPED" : "FAIL";
  const noEniDetail = isPending ? `no network interface yet (endpoint is ${status})` : "the endpoint reports no network interface";

  // subnet
  if (endpoint === undefined) checks.push(skipped(stack, "subnet", "no endpoint to inspect"));
  else if (eni === undefined) checks.push({ stack, check: "subnet", status: noEni, detail: noEniDetail });
  else if (eni.SubnetId === expectedSubnetId) checks.push({ stack, check: "subnet", status: "OK", detail: expectedSubnetId });
  else {
    checks.push({
      stack,
      check: "subnet",
      status: "FAIL",
      detail: `the endpoint's network interface is in ${eni.SubnetId ?? "an unknown subnet"}, expected ${expectedSubnetId} (${where}.subnetIds[0])`,
    });
  }

  // az
  if (subnet.kind === "error") checks.push({ stack, check: "az", status: "FAIL", detail: subnet.detail });
  else if (endpoint === undefined) checks.push(skipped(stack, "az", `no endpoint to inspect; ${expectedSubnetId} is in ${subnet.availabilityZone}`));
  else if (eni === undefined) checks.push({ stack, check: "az", status: noEni, detail: noEniDetail });
  else if (eni.AvailabilityZone === subnet.availabilityZone) {
    checks.push({ stack, check: "az", status: "OK", detail: `${subnet.availabilityZone}, the AZ of ${expectedSubnetId}` });
  } else {
    checks.push({
      stack,
      check: "az",
      status: "FAIL",
      detail: `the endpoint is in ${eni.AvailabilityZone ?? "an unknown AZ"}, but ${expectedSubnetId} is in ${subnet.availabilityZone}`,
    });
  }

  // connect
  if (ctx.options.connect === true) {
    if (facts.address === null) checks.push(skipped(stack, "connect", "no address to connect to"));
    else checks.push(await checkConnect(ctx, stack, c, facts.address, port));
  }
  return { checks, facts };
}

function endpointRow(ctx: Context, stack: string, c: ConsumerConfig, lookup: EndpointLookup, facts: EndpointFacts): CheckResult {
  const row = (status: CheckStatus, detail: string): CheckResult => ({ stack, check: "endpoint", subject: c.endpointName, status, detail });
  const p = ctx.env.producer;
  if (lookup.kind === "error") return row("FAIL", lookup.detail);
  if (lookup.kind === "missing") {
    return row("MISSING", `no endpoint ${c.endpointName} in account ${c.accountId} for cluster ${p.clusterIdentifier} (owner ${p.accountId}); deploy ${stack}`);
  }
  const status = facts.status ?? "unknown";
  const where = `${facts.address ?? "no address yet"}${facts.port === null ? "" : `:${facts.port}`}${
    facts.privateIpAddress === null ? "" : ` (${facts.privateIpAddress})`
  }`;
  const lower = status.toLowerCase();
  if (PENDING_ENDPOINT_STATUSES.has(lower)) {
    return row("PENDING", `status ${status}: AWS is still working on it; wait a few minutes and re-run npm run verify -- ${ctx.options.environment}`);
  }
  if (lower !== "active") return row("FAIL", `status ${status}, expected active`);
  if (facts.port !== p.port) {
    return row("FAIL", `active at ${where}, but expected port ${p.port} (environments.${ctx.options.environment}.producer.port)`);
  }
  return row("OK", `active at ${where}`);
}

async function describeEndpoint(ctx: Context, redshift: RedshiftClient, c: ConsumerConfig): Promise<EndpointLookup> {
  const p = ctx.env.producer;
  try {
    const out = await ctx.limit(() =>
      redshift.send(new DescribeEndpointAccessCommand({ EndpointName: c.endpointName, ResourceOwner: p.accountId, ClusterIdentifier: p.clusterIdentifier })),
    );
    const endpoint = (out.EndpointAccessList ?? []).find((e) => (e.EndpointName ?? c.endpointName) === c.endpointName);
    return endpoint === undefined ? { kind: "missing" } : { kind: "found", endpoint };
  } catch (e) {
    if (isAwsError(e, "EndpointNotFound")) return { kind: "missing" };
    if (isAwsError(e, "ClusterNotFound")) {
      return {
        kind: "error",
        detail: `cluster ${p.clusterIdentifier} (owner ${p.accountId}) is not visible from account ${c.accountId}; check the producer's authorization`,
      };
    }
    return { kind: "error", detail: `DescribeEndpointAccess failed: ${errorText(e)}` };
  }
}

async function describeSubnet(ctx: Context, ec2: EC2Client, subnetId: string): Promise<SubnetLookup> {
  const notFound: SubnetLookup = { kind: "error", detail: `configured subnet ${subnetId} not found in this account and region` };
  try {
    const out = await ctx.limit(() => ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] })));
    const az = (out.Subnets ?? []).find((s) => s.SubnetId === subnetId)?.AvailabilityZone;
    return az === undefined ? notFound : { kind: "found", availabilityZone: az };
  } catch (e) {
    if (isAwsError(e, "InvalidSubnetID.NotFound")) return notFound;
    return { kind: "error", detail: `cannot look up the AZ of ${subnetId}: DescribeSubnets failed: ${errorText(e)}` };
  }
}

async function checkConnect(ctx: Context, stack: string, c: ConsumerConfig, host: string, port: number): Promise<CheckResult> {
  const timeoutMs = ctx.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const probe = ctx.options.probe ?? probeTcp;
  const result = await ctx.limit(() => probe(host, port, timeoutMs));
  if (result.reachable) return { stack, check: "connect", status: "OK", detail: `reachable: connected to ${host}:${port} in ${result.elapsedMs} ms` };
  return {
    stack,
    check: "connect",
    status: "UNREACHABLE",
    detail:
      `unreachable: no TCP connection to ${host}:${port}: ${result.reason ?? "unknown reason"}; ` +
      `this host must be inside ${c.vpcId} (or routed to it) and within allowedCidrs ${c.allowedCidrs.join(", ")}`,
  };
}

function skipped(stack: string, check: CheckName, why: string, subject?: string): CheckResult {
  return { stack, check, ...(subject === undefined ? {} : { subject }), status: "SKIPPED", detail: `skipped: ${why}` };
}

const SOCKET_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "timed out",
  EHOSTUNREACH: "no route to host",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "DNS name not found from here",
  EAI_AGAIN: "DNS lookup failed",
};

function socketErrorText(e: NodeJS.ErrnoException): string {
  const code = e.code;
  if (code === undefined) return e.message;
  return `${SOCKET_ERRORS[code] ?? e.message} (${code})`;
}

/** `npm run verify -- <environment> [--connect] [--timeout-ms MS] [--json]`. */
export const verifyCommand = defineCommand(
  {
    name: "verify",
    summary:
      "Checks a deployed environment against the config: the producer's endpoint authorizations, and each consumer's\nRedshift-managed VPC endpoint (active, in its subnet and AZ). Read-only: the verify policies of npm run iam-policies suffice.",
    positionals: [{ name: "environment", description: "an environment of the config" }],
    options: {
      connect: { type: "boolean", description: "also open a TCP connection to each endpoint's address and port" },
      "timeout-ms": { type: "string", value: "MS", description: `how long each --connect attempt may take (default ${DEFAULT_CONNECT_TIMEOUT_MS})` },
      json: { type: "boolean", description: "print the report as JSON instead of a table" },
    },
    environment: CONFIG_VARIABLES,
    exits: {
      usage: 2,
      failed: 1,
      meanings: [
        [0, "healthy"],
        [1, "something is unhealthy, or the check could not run"],
        [2, "bad usage"],
      ],
    },
    more: "See docs/verify.md.",
  },
  async ({ positionals, values }, io) => {
    const timeoutText = values["timeout-ms"];
    const timeoutMs = timeoutText === undefined ? DEFAULT_CONNECT_TIMEOUT_MS : Number(timeoutText);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
      throw new UsageError(`--timeout-ms must be a positive whole number of milliseconds; got ${JSON.stringify(timeoutText)}`);
    const selected = loadEnvironment(io, positionals.environment);
    const report = await verifyEnvironment({
      environment: selected.name,
      config: selected.environment,
      clients: awsClientFactory({ roleSessionName: VERIFY_SESSION_NAME, maxAttempts: VERIFY_MAX_ATTEMPTS }),
      connect: values.connect ?? false,
      connectTimeoutMs: timeoutMs,
      adoption: selected.adoption,
    });
    io.stdout(values.json ? formatJson(report) : formatTable(report));
    return exitCodeFor(report);
  },
);
