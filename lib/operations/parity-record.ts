/**
 * `npm run parity:record`: runs the parity suite (test/emulator/parity)
 * against a real pair of accounts with the snapshot-update switch, so its
 * snapshots become AWS's answers, and marks each snapshot it recorded as
 * "recorded against AWS on <date>" in test/emulator/parity/snapshots.meta.json
 * (the table docs/emulator-parity-snapshots.md is regenerated from it).
 *
 * Order: check the options, print the cost estimate, ask (unless --yes; with
 * no terminal and no --yes, refuse with exit 2), create the cluster if asked,
 * run pytest (TEST_TARGET=AWS_CLOUD), and in a finally block: sweep the
 * suite's ledger (whatever its finalizers could not delete) and delete the
 * cluster this command created. Nothing here talks to the emulator.
 *
 * It acts on real AWS (it creates and deletes clusters), so it lives in
 * lib/operations, apart from the rehearsal harness.
 *
 * Not run by any test against AWS: its parts (options, estimate, metadata
 * update, the order of the steps and the clean-up) are unit-tested with fakes.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline/promises";
import { CreateClusterCommand, DeleteClusterCommand, DescribeClustersCommand, RedshiftClient } from "@aws-sdk/client-redshift";
import { fromIni } from "@aws-sdk/credential-providers";
import { isAwsError } from "../aws/errors";
import { type CommandIo, UsageError, defineCommand } from "../cli/command";
import { type Spawner, inheritedSpawner } from "../cli/processes";

/** The suite's folder, its metadata and the scripts the command runs, from the project root. */
export const PARITY_DIR = "test/emulator/parity";
export const METADATA_FILE = `${PARITY_DIR}/snapshots.meta.json`;
const VENV_PYTHON = ".venv/emulator/bin/python";

/** What to record against, from the command line. */
export interface RecordPlan {
  readonly ownerProfile: string;
  readonly granteeProfile: string;
  readonly region: string;
  /** An existing RA3 cluster with relocation on, or one this command creates and deletes. */
  readonly cluster: { readonly name: string } | { readonly create: true };
  readonly yes: boolean;
}

/** The cluster `--create-cluster` makes: the smallest RA3 multi-node cluster, relocation on, not public. */
export const CREATED_CLUSTER = { nodeType: "ra3.xlplus", nodes: 2, port: 5439 } as const;

/** The options as parsed: each a string or boolean, or undefined when not given. */
export interface RecordOptionValues {
  readonly "owner-profile"?: string;
  readonly "grantee-profile"?: string;
  readonly region?: string;
  readonly cluster?: string;
  readonly "create-cluster"?: boolean;
  readonly yes?: boolean;
}

/**
 * The plan the options describe.
 * @throws UsageError naming what is missing or contradictory
 */
export function recordPlan(values: RecordOptionValues): RecordPlan {
  const missing = (["owner-profile", "grantee-profile", "region"] as const).filter((o) => !values[o]);
  if (missing.length) throw new UsageError(`missing ${missing.map((o) => `--${o}`).join(", ")}`);
  if (values.cluster !== undefined && values["create-cluster"]) throw new UsageError("give --cluster NAME or --create-cluster, not both");
  if (values.cluster === undefined && !values["create-cluster"])
    throw new UsageError("give --cluster NAME (an RA3 cluster with relocation on) or --create-cluster");
  if (values["owner-profile"] === values["grantee-profile"])
    throw new UsageError(`--owner-profile and --grantee-profile are both ${JSON.stringify(values["owner-profile"])}; the grantee must be another account`);
  if (values.cluster !== undefined && !/^[a-z][a-z0-9-]{0,62}$/.test(values.cluster))
    throw new UsageError(`--cluster ${JSON.stringify(values.cluster)} is not a cluster identifier (lowercase letters, digits, hyphens; a letter first)`);
  return {
    ownerProfile: values["owner-profile"] as string,
    granteeProfile: values["grantee-profile"] as string,
    region: values.region as string,
    cluster: values.cluster !== undefined ? { name: values.cluster } : { create: true },
    yes: values.yes === true,
  };
}

// --------------------------------------------------------------------------
// The cost estimate
// --------------------------------------------------------------------------

/**
 * The prices the estimate uses, in US dollars, with where each comes from.
 * They are us-east-1 on-demand list prices as published when this was written;
 * other regions differ, so the estimate says so. Not fetched at run time.
 */
export const PRICES = {
  ra3XlplusNodeHour: {
    usd: 1.086,
    source: "Amazon Redshift pricing, on-demand ra3.xlplus, US East (N. Virginia) (https://aws.amazon.com/redshift/pricing/); an estimate: not re-read here",
  },
  endpointHour: {
    usd: 0.01,
    source:
      'AWS PrivateLink pricing, interface endpoint per AZ-hour, US East (N. Virginia); "Each partial VPC endpoint-hour consumed is billed as a full hour" (https://aws.amazon.com/privatelink/pricing/). A Redshift-managed endpoint is counted as one interface endpoint in one AZ (assumed: one network interface); whether AWS bills it so is not verified here',
  },
  hostedZone: {
    usd: 0,
    source: "Amazon Route 53 pricing: a hosted zone deleted within 12 hours of its creation is not charged (https://aws.amazon.com/route53/pricing/)",
  },
} as const;

/**
 * How long the suite is expected to run against AWS, in minutes: two endpoints (each created, waited on and deleted,
 * 10-15 minutes apiece by the Terraform provider's 10-minute waits and CloudFormation's), two relocation changes on
 * the cluster, IAM settling. An estimate; the suite waits up to 45 minutes for any one change.
 */
export const SUITE_MINUTES = 90;
/** Creating and deleting an RA3 cluster, in minutes (an estimate). */
export const CLUSTER_CREATE_DELETE_MINUTES = 30;
/** Redshift-managed endpoints the suite creates (test_endpoint_lifecycle, test_endpoint_in_use). */
export const SUITE_ENDPOINTS = 2;

export interface CostLine {
  readonly what: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitUsd: number;
  readonly usd: number;
  readonly source: string;
}

export interface CostEstimate {
  readonly minutes: number;
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
}

/** What a recording is expected to cost: RA3 node-hours when the cluster is created, endpoint-hours, hosted zones. */
export function estimateCost(plan: RecordPlan): CostEstimate {
  const creates = "create" in plan.cluster;
  const minutes = SUITE_MINUTES + (creates ? CLUSTER_CREATE_DELETE_MINUTES : 0);
  const lines: CostLine[] = [];
  if (creates) {
    const nodeHours = CREATED_CLUSTER.nodes * Math.ceil(minutes / 60);
    lines.push({
      what: `${CREATED_CLUSTER.nodes} x ${CREATED_CLUSTER.nodeType} nodes, for the whole run`,
      quantity: nodeHours,
      unit: "node-hours",
      unitUsd: PRICES.ra3XlplusNodeHour.usd,
      usd: nodeHours * PRICES.ra3XlplusNodeHour.usd,
      source: PRICES.ra3XlplusNodeHour.source,
    });
  }
  // Each endpoint lives well under an hour, and a partial hour is billed whole.
  lines.push({
    what: `${SUITE_ENDPOINTS} Redshift-managed VPC endpoints, each under an hour`,
    quantity: SUITE_ENDPOINTS,
    unit: "endpoint-hours",
    unitUsd: PRICES.endpointHour.usd,
    usd: SUITE_ENDPOINTS * PRICES.endpointHour.usd,
    source: PRICES.endpointHour.source,
  });
  lines.push({ what: "1 private hosted zone, deleted within minutes", quantity: 1, unit: "zone", unitUsd: 0, usd: 0, source: PRICES.hostedZone.source });
  return { minutes, lines, totalUsd: lines.reduce((sum, l) => sum + l.usd, 0) };
}

/** The estimate as the command prints it, before anything is created. */
export function formatEstimate(plan: RecordPlan, estimate: CostEstimate): string {
  const cluster =
    "create" in plan.cluster ? `a new ${CREATED_CLUSTER.nodes}-node ${CREATED_CLUSTER.nodeType} cluster (deleted at the end)` : `cluster ${plan.cluster.name}`;
  const lines = [
    `Cost estimate for recording the parity suite in ${plan.region} (owner ${plan.ownerProfile}, grantee ${plan.granteeProfile}, ${cluster}):`,
    `  expected duration: about ${estimate.minutes} minutes`,
    ...estimate.lines.map((l) => `  ${l.what}: ${l.quantity} ${l.unit} x $${l.unitUsd.toFixed(3)} = $${l.usd.toFixed(2)}\n      (${l.source})`),
    `  total: about $${estimate.totalUsd.toFixed(2)} (US East list prices; other regions differ; VPCs, subnets, security groups, subnet groups and IAM roles cost nothing)`,
  ];
  if (!("create" in plan.cluster)) lines.push(`  not counted: cluster ${plan.cluster.name} itself, which runs whether or not the suite does`);
  return `${lines.join("\n")}\n`;
}

// --------------------------------------------------------------------------
// The metadata
// --------------------------------------------------------------------------

/** test/emulator/parity/snapshots.meta.json, as far as this command reads and writes it. */
export interface SnapshotMetadata {
  readonly sources: Readonly<Record<string, string>>;
  readonly snapshots: Readonly<
    Record<string, { readonly recorded: string | null; readonly pending?: string; readonly keys: Readonly<Record<string, readonly string[]>> }>
  >;
  readonly [other: string]: unknown;
}

/**
 * The metadata with each of `scopes` recorded against AWS on `date` (YYYY-MM-DD): `recorded` set, `pending` dropped
 * (a snapshot now exists). A scope the metadata does not list is returned in `unknown`, not added: its keys and
 * sources are for a person to write.
 */
export function markRecorded(metadata: SnapshotMetadata, scopes: readonly string[], date: string): { metadata: SnapshotMetadata; unknown: string[] } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`the recording date must be YYYY-MM-DD; got ${JSON.stringify(date)}`);
  const snapshots = { ...metadata.snapshots };
  const unknown: string[] = [];
  for (const scope of new Set(scopes)) {
    const entry = snapshots[scope];
    if (entry === undefined) {
      unknown.push(scope);
      continue;
    }
    const { pending: _pending, ...rest } = entry;
    snapshots[scope] = { ...rest, recorded: date };
  }
  return { metadata: { ...metadata, snapshots }, unknown };
}

// --------------------------------------------------------------------------
// The run
// --------------------------------------------------------------------------

/** Creating, awaiting and deleting the cluster of `--create-cluster`. */
export interface ClusterOps {
  create(identifier: string): Promise<void>;
  waitAvailable(identifier: string): Promise<void>;
  delete(identifier: string): Promise<void>;
}

/** What the run touches, so a test can stand in for AWS, pytest and the terminal. */
export interface RecordDeps {
  /** Runs a program with the terminal attached; resolves to its exit code. */
  readonly spawn: Spawner;
  readonly clusters: ClusterOps;
  /** Asks the question on the terminal; true for yes. */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly now: () => Date;
  /** Makes an empty folder for the ledger and the list of recorded snapshots (once the run is confirmed). */
  readonly scratchDir: () => string;
}

/** The identifier of a cluster this command creates. */
export function createdClusterName(now: Date): string {
  return `parity-${now.toISOString().slice(0, 10).replace(/-/g, "")}-${Math.random().toString(16).slice(2, 8)}`;
}

/** Runs the recording (see the file comment); resolves to the exit code. */
export async function recordParity(plan: RecordPlan, deps: RecordDeps, io: CommandIo): Promise<number> {
  io.stdout(formatEstimate(plan, estimateCost(plan)));
  if (!plan.yes) {
    if (!io.interactive) throw new UsageError("no terminal to confirm on: read the estimate above and run again with --yes");
    if (!(await deps.confirm("Create these resources in the two accounts and record the snapshots? [y/N] "))) {
      io.stdout("Nothing was created.\n");
      return 0;
    }
  }
  const python = path.join(io.cwd, VENV_PYTHON);
  const scratch = deps.scratchDir();
  const ledger = path.join(scratch, "ledger.json");
  const recordedFile = path.join(scratch, "recorded.txt");
  const created = "create" in plan.cluster ? createdClusterName(deps.now()) : undefined;
  const cluster = "create" in plan.cluster ? (created as string) : plan.cluster.name;
  const env = {
    TEST_TARGET: "AWS_CLOUD",
    PARITY_OWNER_PROFILE: plan.ownerProfile,
    PARITY_GRANTEE_PROFILE: plan.granteeProfile,
    PARITY_REGION: plan.region,
    PARITY_CLUSTER: cluster,
    PARITY_LEDGER: ledger,
    PARITY_RECORDED_FILE: recordedFile,
  };
  const problems: string[] = [];
  let suite = 1;
  let clusterCreated = false;
  try {
    if ((await deps.spawn("bash", ["scripts/emulator.sh", "--setup-only"], {})) !== 0)
      throw new Error("could not set up the emulator's venv (pytest lives there)");
    if (created !== undefined) {
      io.stdout(`Creating cluster ${created} (${CREATED_CLUSTER.nodes} x ${CREATED_CLUSTER.nodeType}, relocation on)...\n`);
      clusterCreated = true; // from here on it may exist, even if create fails half-way
      await deps.clusters.create(created);
      await deps.clusters.waitAvailable(created);
    }
    suite = await deps.spawn(python, ["-m", "pytest", PARITY_DIR, "--snapshot-update"], env);
    if (suite !== 0) problems.push(`the suite failed (pytest exit ${suite}); snapshots of failed tests were not written`);
  } finally {
    if ((await deps.spawn(python, [`${PARITY_DIR}/parity_ledger.py`, "sweep", ledger], env)) !== 0)
      problems.push(`the sweep could not delete everything the suite made: see its output above and ${ledger}`);
    if (created !== undefined && clusterCreated) {
      try {
        io.stdout(`Deleting cluster ${created}...\n`);
        await deps.clusters.delete(created);
      } catch (e) {
        problems.push(`cluster ${created} could not be deleted: ${(e as Error).message}; delete it by hand`);
      }
    }
  }
  const recorded = fs.existsSync(recordedFile)
    ? fs
        .readFileSync(recordedFile, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
    : [];
  if (recorded.length) {
    const metadataFile = path.join(io.cwd, METADATA_FILE);
    const date = deps.now().toISOString().slice(0, 10);
    const { metadata, unknown } = markRecorded(JSON.parse(fs.readFileSync(metadataFile, "utf8")) as SnapshotMetadata, recorded, date);
    fs.writeFileSync(metadataFile, `${JSON.stringify(metadata, null, 2)}\n`);
    for (const scope of unknown) problems.push(`${scope} was recorded but snapshots.meta.json has no entry for it: add its keys and sources`);
    if ((await deps.spawn(python, [`${PARITY_DIR}/parity_snapshots.py`, "--write"], {})) !== 0)
      problems.push("snapshots.meta.json and the recorded snapshots disagree (see above): reconcile the keys by hand");
    io.stdout(`Recorded against AWS on ${date}: ${recorded.length} snapshot(s):\n${recorded.map((s) => `  ${s}`).join("\n")}\n`);
  } else io.stdout("No snapshot was recorded.\n");
  for (const problem of problems) io.stderr(`parity:record: ${problem}\n`);
  return problems.length ? 1 : 0;
}

/** The real cluster operations, as the owner's profile, polling every 30 s for up to an hour. */
export function awsClusterOps(plan: RecordPlan, pollMs = 30_000, timeoutMs = 3_600_000): ClusterOps {
  const client = new RedshiftClient({ region: plan.region, credentials: fromIni({ profile: plan.ownerProfile }) });
  const status = async (identifier: string): Promise<string | undefined> => {
    try {
      return (await client.send(new DescribeClustersCommand({ ClusterIdentifier: identifier }))).Clusters?.[0]?.ClusterStatus;
    } catch (e) {
      if (isAwsError(e, "ClusterNotFound")) return undefined;
      throw e;
    }
  };
  const until = async (identifier: string, done: (s: string | undefined) => boolean, what: string) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = await status(identifier);
      if (done(now)) return;
      if (Date.now() > deadline) throw new Error(`cluster ${identifier} is ${now ?? "gone"}, not ${what}, after ${timeoutMs / 60_000} minutes`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  };
  return {
    create: async (identifier) => {
      await client.send(
        new CreateClusterCommand({
          ClusterIdentifier: identifier,
          NodeType: CREATED_CLUSTER.nodeType,
          ClusterType: "multi-node",
          NumberOfNodes: CREATED_CLUSTER.nodes,
          Port: CREATED_CLUSTER.port,
          MasterUsername: "parityadmin",
          ManageMasterPassword: true,
          AvailabilityZoneRelocation: true,
          PubliclyAccessible: false,
          Encrypted: true,
          Tags: [{ Key: "created-by", Value: "npm run parity:record" }],
        }),
      );
    },
    waitAvailable: (identifier) => until(identifier, (s) => s === "available", "available"),
    delete: async (identifier) => {
      await client.send(new DeleteClusterCommand({ ClusterIdentifier: identifier, SkipFinalClusterSnapshot: true }));
      await until(identifier, (s) => s === undefined, "deleted");
    },
  };
}

/** Asks on the terminal. */
async function askTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export const parityRecordCommand = defineCommand(
  {
    name: "parity:record",
    summary: [
      "Records the parity suite's snapshots against AWS: runs test/emulator/parity with TEST_TARGET=AWS_CLOUD and",
      "--snapshot-update in two accounts of a sandbox, then marks each snapshot it recorded as recorded against AWS",
      "(test/emulator/parity/snapshots.meta.json, docs/emulator-parity-snapshots.md). Prints a cost estimate first and",
      "asks before creating anything. Creates in the grantee's account two VPCs with a subnet, security groups and a",
      "Redshift subnet group each, IAM roles, endpoints and a private hosted zone; grants and relocation changes on the",
      "owner's cluster. Always cleans up: the suite's finalizers, then a sweep of its ledger, then the cluster it created.",
    ].join("\n"),
    positionals: [],
    options: {
      "owner-profile": { type: "string", value: "PROFILE", description: "AWS profile of the cluster owner's account" },
      "grantee-profile": { type: "string", value: "PROFILE", description: "AWS profile of the grantee's account (another account)" },
      region: { type: "string", value: "REGION", description: "the region to record in" },
      cluster: { type: "string", value: "NAME", description: "an existing RA3 cluster of the owner with relocation on" },
      "create-cluster": {
        type: "boolean",
        description: `create a ${CREATED_CLUSTER.nodes}-node ${CREATED_CLUSTER.nodeType} cluster with relocation on for the run, and delete it after`,
      },
      yes: { type: "boolean", description: "do not ask for confirmation after the estimate (needed without a terminal)" },
    },
    environment: { AWS_CONFIG_FILE: "where the profiles are (the SDKs' default, ~/.aws/config)" },
    exits: {
      usage: 2,
      failed: 1,
      meanings: [
        [0, "the suite passed against AWS and everything it made was deleted (or nothing was confirmed)"],
        [1, "a test failed, or something could not be deleted (named, to delete by hand)"],
        [2, "bad usage, or no terminal to confirm on and no --yes"],
      ],
    },
    more: "See docs/parity.md.",
  },
  async ({ values }, io) => {
    const plan = recordPlan(values);
    const scratchDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "parity-record-"));
    return recordParity(plan, { spawn: inheritedSpawner(io.env), clusters: awsClusterOps(plan), confirm: askTerminal, now: () => new Date(), scratchDir }, io);
  },
);
