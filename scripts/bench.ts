/**
 * `npm run bench`: how long synth and the test tiers take on this machine,
 * and how much memory they need, measured against a floor taken in the same
 * run (node + cdktf + one empty stack) so that numbers from different
 * machines can be compared as ratios.
 *
 *   npm run bench                       5 runs per synth row, 3 per test row
 *   npm run bench -- --runs 9           9 runs of every row
 *   npm run bench -- --quick            1 run of every row (a smoke test, noisy)
 *   npm run bench -- --skip-tests       synth rows only
 *   npm run bench -- --json-out FILE    write the JSON there (default .bench/results.json)
 *
 * Every command runs in its own process, in a fresh temporary folder, so the
 * repo's cdktf.out and state files are never touched. docs/benchmark.md says
 * what each row measures and how to read the table.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// ---------------------------------------------------------------- options

interface Options {
  /** Runs per row; undefined means the per-row default. */
  readonly runs?: number;
  readonly quick: boolean;
  readonly skipTests: boolean;
  readonly jsonOut: string;
}

const USAGE = `usage: npm run bench -- [--runs N] [--quick] [--skip-tests] [--json-out FILE]
  --runs N         runs per row (default: 5 for synth and floor rows, 3 for test rows)
  --quick          1 run per row and no warm-up of the test rows: checks the script works, numbers are noisy
  --skip-tests     leave out the tsc and jest rows
  --json-out FILE  where to write the results (default: .bench/results.json)`;

class UsageError extends Error {}

function parseOptions(argv: readonly string[], root: string): Options {
  let runs: number | undefined;
  let quick = false;
  let skipTests = false;
  let jsonOut = path.join(root, ".bench", "results.json");
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case "--runs": {
        const text = value();
        const n = Number(text);
        if (!Number.isInteger(n) || n < 1) throw new UsageError(`--runs must be a whole number of at least 1; got ${JSON.stringify(text)}`);
        runs = n;
        break;
      }
      case "--quick":
        quick = true;
        break;
      case "--skip-tests":
        skipTests = true;
        break;
      case "--json-out":
        jsonOut = path.resolve(value());
        break;
      case "--help":
      case "-h":
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  if (quick && runs !== undefined) throw new UsageError("--quick and --runs contradict each other; pass one of them");
  return { runs: quick ? 1 : runs, quick, skipTests, jsonOut };
}

// ------------------------------------------------------- measuring a process

interface Sample {
  readonly wallMs: number;
  /** Peak resident set in KiB (see rssMethod); undefined when it could not be read. */
  readonly peakRssKiB?: number;
  readonly exitCode: number;
  readonly output: string;
}

/**
 * How peak memory is read.
 * - "gnu-time": /usr/bin/time -f %M, which reports the kernel's ru_maxrss of
 *   the child and every descendant it waited for: the peak of the largest
 *   single process in the tree (not the sum of processes alive together).
 * - "node-preload": without /usr/bin/time, every node process of the tree is
 *   started with `--require` a preload (through NODE_OPTIONS) that appends its
 *   own process.resourceUsage().maxRSS to a file at exit; the largest is kept.
 *   Same meaning as above, but non-node processes and processes killed by a
 *   signal are not seen.
 */
type RssMethod = "gnu-time" | "node-preload";

const GNU_TIME = "/usr/bin/time";

function detectRssMethod(): RssMethod {
  // BENCH_RSS_METHOD=node-preload forces the fallback, to check it on a machine that has GNU time.
  if (process.env.BENCH_RSS_METHOD === "node-preload") return "node-preload";
  const r = spawnSync("sh", ["-c", `command -v ${GNU_TIME}`], { encoding: "utf8" });
  if (r.status !== 0) return "node-preload";
  const probe = spawnSync(GNU_TIME, ["-f", "%M", "true"], { encoding: "utf8" });
  return probe.status === 0 && /^\d+\s*$/m.test(probe.stderr) ? "gnu-time" : "node-preload";
}

interface RunSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
}

class Meter {
  private readonly preload: string;
  private counter = 0;

  constructor(
    readonly method: RssMethod,
    private readonly scratch: string,
  ) {
    this.preload = path.join(scratch, "max-rss-preload.js");
    if (method === "node-preload") {
      fs.writeFileSync(
        this.preload,
        `"use strict";\nprocess.on("exit", () => {\n  try { require("node:fs").appendFileSync(process.env.BENCH_MAX_RSS_FILE, process.resourceUsage().maxRSS + "\\n"); } catch {}\n});\n`,
      );
    }
  }

  run(spec: RunSpec): Sample {
    const report = path.join(this.scratch, `rss-${++this.counter}.txt`);
    let env: NodeJS.ProcessEnv = { ...process.env, ...spec.env };
    let command = spec.command;
    let args = [...spec.args];
    if (this.method === "gnu-time") {
      args = ["-f", "%M", "-o", report, command, ...args];
      command = GNU_TIME;
    } else {
      env = { ...env, BENCH_MAX_RSS_FILE: report, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ""} --require ${JSON.stringify(this.preload)}`.trim() };
    }
    const start = process.hrtime.bigint();
    const r = spawnSync(command, args, { cwd: spec.cwd, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.error) throw new Error(`could not start ${spec.command}: ${r.error.message}`);
    let peakRssKiB: number | undefined;
    try {
      // GNU time writes "Command exited with non-zero status N" before %M; every number line is a maxRSS.
      const values = fs.readFileSync(report, "utf8").split("\n").filter((l) => /^\d+$/.test(l.trim())).map(Number);
      if (values.length) peakRssKiB = Math.max(...values);
      fs.rmSync(report, { force: true });
    } catch {
      peakRssKiB = undefined;
    }
    return { wallMs, peakRssKiB, exitCode: r.status ?? 128, output: `${r.stdout}${r.stderr}` };
  }
}

// ---------------------------------------------------------------- the rows

type Kind = "floor" | "synth" | "test";

interface Target {
  readonly text: string;
  readonly check: (row: RowResult) => boolean;
}

interface Row {
  readonly id: string;
  readonly label: string;
  readonly kind: Kind;
  /** The command as a reader would type it. */
  readonly command: string;
  /** Stacks synthesized; 0 for rows that are not synth. */
  readonly stacks: number;
  readonly runs: number;
  readonly target?: Target;
  /** A fresh spec per run (a new temp folder, so no run sees another's output). */
  readonly spec: () => RunSpec;
  /** Checks a successful run; returns a problem or undefined. */
  readonly verify?: (spec: RunSpec) => string | undefined;
}

interface RowResult {
  readonly id: string;
  readonly label: string;
  readonly kind: Kind;
  readonly command: string;
  readonly stacks: number;
  readonly runs: number;
  readonly samplesMs: number[];
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Largest peak RSS over the runs, MiB. */
  readonly peakRssMiB?: number;
  /** median / floor median. */
  readonly ratioToFloor?: number;
  /** (median - floor median) / stacks. */
  readonly msPerStack?: number;
  /** (peak - floor peak) / stacks. */
  readonly mibPerStack?: number;
  /** False when a test command exited non-zero (its time is still reported). */
  readonly commandOk: boolean;
  readonly target?: string;
  readonly pass?: boolean;
}

const MIB = 1024;

/**
 * Flushes what the last run wrote (`sync`, untimed), so that the next run does
 * not pay for the previous one's disk writeback. Without it, on a slow disk the
 * synth rows measure the bench's own writes as much as the synth: on the
 * reference machine 999 stacks varied from 3.6 s to 4.5 s in three
 * back-to-back runs.
 *
 * Run folders are not deleted until the bench is done, for the same reason:
 * that disk is mounted with `discard`, and deleting thousands of files slows
 * every file created in the next tens of seconds. Measured there, creating
 * 1000 folders with one 6.7 KB file each took 102 to 127 ms in a series with
 * no deletions, and 0.9 to 2.0 s right after deleting a few thousand files.
 */
function settleDisk(): void {
  spawnSync("sync", [], { stdio: "ignore" });
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

// ------------------------------------------------------ generated configs

const hex17 = (n: number) => n.toString(16).padStart(17, "0");
const account = (n: number) => String(100_000_000_000 + n);
const roleArn = (accountId: string) => `arn:aws:iam::${accountId}:role/redshift-endpoints-deploy`;

/**
 * `environments` environments, each with its own producer account and cluster
 * and two consumers in their own accounts and VPCs: 3 stacks per environment,
 * every id derived from a counter, all within the default quotas (2 grantees
 * and 2 endpoints per cluster, 1 endpoint per authorization).
 */
function generatedConfig(environments: number): unknown {
  const envs: Record<string, unknown> = {};
  for (let e = 0; e < environments; e++) {
    const name = `env-${String(e + 1).padStart(4, "0")}`;
    const producerAccount = account(e * 3);
    envs[name] = {
      region: "ap-northeast-1",
      tags: { team: "data-platform", environment: name },
      producer: { accountId: producerAccount, roleArn: roleArn(producerAccount), clusterIdentifier: `lake-${name}`, port: 5439 },
      consumers: [1, 2].map((c) => {
        const k = e * 2 + c; // 1-based consumer counter, unique over the file
        const consumerAccount = account(e * 3 + c);
        return {
          name: `c${c}`,
          accountId: consumerAccount,
          roleArn: roleArn(consumerAccount),
          vpcId: `vpc-${hex17(0x1000000 + k)}`,
          subnetIds: [`subnet-${hex17(0x2000000 + k)}`],
          endpointName: `lake-${name}-c${c}`,
          allowedCidrs: [`10.${(k >> 8) & 255}.${k & 255}.0/24`],
        };
      }),
    };
  }
  return { environments: envs };
}

function stacksIn(configFile: string): number {
  const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as { environments: Record<string, { consumers: unknown[] }> };
  return Object.values(config.environments).reduce((n, env) => n + 1 + env.consumers.length, 0);
}

// ---------------------------------------------------------------- helpers

function findRoot(): string {
  // This file runs from a bundle in node_modules/.cache, so walk up to the project.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "scripts", "run-ts.js"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the project root above ${__dirname}`);
  }
}

const fmtS = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 3 : 2);
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function tail(text: string, lines = 25): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

function countManifestStacks(outdir: string): number {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, unknown> };
  return Object.keys(manifest.stacks).length;
}

// ---------------------------------------------------------------- breakdown

/** Time spent in each phase of one shipped-config synth, in ms, measured inside a fresh node process. */
interface Breakdown {
  readonly runs: number;
  /** From process start to the first line of the probe script (node boot). */
  readonly nodeStartMs: number;
  readonly requireZodMs: number;
  /** cdktf and constructs, after zod. */
  readonly requireCdktfMs: number;
  /** The @cdktf/provider-* modules the bundle requires, after cdktf. */
  readonly requireProviderModulesMs: number;
  readonly providerModules: string[];
  /** Requiring the bundle with all the above cached: our code, config load and validation, building the stacks, synth and writing files. */
  readonly bundleMs: number;
  readonly totalMs: number;
}

const BREAKDOWN_PROBE = `"use strict";
const { performance } = require("node:perf_hooks");
const nodeStartMs = performance.now();
const fs = require("node:fs");
const [root, bundle] = process.argv.slice(2);
const load = (id) => require(require.resolve(id, { paths: [root] }));
const timed = (fn) => { const t = performance.now(); fn(); return performance.now() - t; };
const providerModules = [...new Set([...fs.readFileSync(bundle, "utf8").matchAll(/require\\("(@cdktf\\/provider-[^"]+)"\\)/g)].map((m) => m[1]))];
const requireZodMs = timed(() => load("zod"));
const requireCdktfMs = timed(() => { load("constructs"); load("cdktf"); });
const requireProviderModulesMs = timed(() => providerModules.forEach(load));
const bundleMs = timed(() => require(bundle));
const totalMs = performance.now();
fs.writeSync(1, JSON.stringify({ nodeStartMs, requireZodMs, requireCdktfMs, requireProviderModulesMs, providerModules, bundleMs, totalMs }));
`;

// ---------------------------------------------------------------- main

function main(): void {
  const root = findRoot();
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2), root);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`bench: ${e.message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "rme-bench-"));
  try {
    run(root, options, scratch);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function run(root: string, options: Options, scratch: string): void {
  const meter = new Meter(detectRssMethod(), scratch);
  const loadAtStart = os.loadavg();
  const synthRuns = options.runs ?? 5;
  const testRuns = options.runs ?? 3;
  let tmpCounter = 0;
  const freshDir = (what: string) => {
    const dir = path.join(scratch, `${what}-${++tmpCounter}`);
    fs.mkdirSync(dir);
    return dir;
  };

  const runTs = path.join(root, "scripts", "run-ts.js");
  const mainTs = path.join(root, "main.ts");
  const shippedConfig = path.join(root, "config", "environments.json");

  // The floor: node + cdktf + one empty stack, nothing of ours.
  const floorScript = path.join(scratch, "floor.js");
  fs.writeFileSync(
    floorScript,
    `"use strict";\nconst { App, TerraformStack } = require(require.resolve("cdktf", { paths: [process.argv[2]] }));\nconst app = new App({ outdir: process.argv[3] });\nnew TerraformStack(app, "floor");\napp.synth();\n`,
  );

  const synthRow = (id: string, label: string, configFile: string, target?: Target): Row => {
    const stacks = stacksIn(configFile);
    return {
      id,
      label,
      kind: "synth",
      command: `${configFile === shippedConfig ? "" : `REDSHIFT_ENDPOINTS_CONFIG=<temp>/${path.basename(configFile)} `}node scripts/run-ts.js main.ts`,
      stacks,
      runs: synthRuns,
      target,
      spec: () => {
        const cwd = freshDir(id);
        return { command: process.execPath, args: [runTs, mainTs], cwd, env: { REDSHIFT_ENDPOINTS_CONFIG: configFile, CDKTF_OUTDIR: path.join(cwd, "cdktf.out") } };
      },
      verify: (spec) => {
        const got = countManifestStacks(path.join(spec.cwd, "cdktf.out"));
        return got === stacks ? undefined : `synthesized ${got} stacks, expected ${stacks}`;
      },
    };
  };

  const rows: Row[] = [
    {
      id: "floor",
      label: "floor: node + cdktf + 1 empty stack",
      kind: "floor",
      command: "node floor.js (App, one TerraformStack, app.synth())",
      stacks: 1,
      runs: synthRuns,
      spec: () => {
        const cwd = freshDir("floor");
        return { command: process.execPath, args: [floorScript, root, path.join(cwd, "cdktf.out")], cwd };
      },
    },
    synthRow("synth-shipped", "npm run synth (shipped config)", shippedConfig, {
      text: "<= 1.0 s, <= 150 MiB",
      check: (r) => r.medianMs <= 1000 && r.peakRssMiB !== undefined && r.peakRssMiB <= 150,
    }),
  ];
  for (const [environments, target] of [
    [10, undefined],
    [100, undefined],
    [333, { text: "<= 4 s", check: (r: RowResult) => r.medianMs <= 4000 }],
  ] as const) {
    const file = path.join(scratch, `generated-${environments}.json`);
    fs.writeFileSync(file, JSON.stringify(generatedConfig(environments), null, 2));
    rows.push(synthRow(`synth-${environments * 3}`, `synth ${environments * 3} stacks (${environments} envs)`, file, target));
  }

  // The test rows: the type check and jest on their own, and `npm test` itself
  // (scripts/test.js runs the two side by side), without npm's own start-up.
  const scripts = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
  const typecheck = scripts.typecheck ?? "tsc --noEmit -p .";
  const binPath = { PATH: `${path.join(root, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}` };
  const testRows: Row[] = options.skipTests
    ? []
    : [
        {
          id: "typecheck",
          label: "typecheck (npm run typecheck)",
          kind: "test",
          command: typecheck,
          stacks: 0,
          runs: testRuns,
          spec: () => ({ command: "sh", args: ["-c", typecheck], cwd: root, env: binPath }),
        },
        {
          id: "jest",
          label: "unit tier: jest",
          kind: "test",
          command: "jest",
          stacks: 0,
          runs: testRuns,
          spec: () => ({ command: "sh", args: ["-c", "jest"], cwd: root, env: binPath }),
        },
        {
          id: "npm-test",
          label: "npm test (typecheck and jest side by side)",
          kind: "test",
          command: "node scripts/test.js",
          stacks: 0,
          runs: testRuns,
          target: { text: "<= 30 s", check: (r: RowResult) => r.commandOk && r.medianMs <= 30_000 },
          spec: () => ({ command: process.execPath, args: [path.join(root, "scripts", "test.js")], cwd: root, env: binPath }),
        },
      ];

  log(`${os.cpus().length} CPUs, load average ${loadAtStart.map((l) => l.toFixed(2)).join(" ")}; peak RSS via ${meter.method}`);

  // Warm-up: builds run-ts's bundle if it is stale and fills the OS file cache; checks each row once.
  const samples = new Map<string, Sample[]>();
  const okByRow = new Map<string, boolean>();
  const measureOnce = (row: Row, warmUp: boolean) => {
    const spec = row.spec();
    const sample = meter.run(spec);
    const ok = sample.exitCode === 0;
    if (!ok && row.kind !== "test") {
      throw new Error(`${row.label} failed (exit ${sample.exitCode}): ${row.command}\n${tail(sample.output)}`);
    }
    if (ok && row.verify) {
      const problem = row.verify(spec);
      if (problem) throw new Error(`${row.label}: ${problem}`);
    }
    if (row.kind !== "test") settleDisk(); // the folder stays until the end: see settleDisk
    if (!ok) {
      if (!warmUp) okByRow.set(row.id, false);
      log(`${row.label}: exit ${sample.exitCode}; timing kept, row marked failed. Last lines:\n${tail(sample.output, 12)}`);
    }
    if (warmUp) return;
    samples.set(row.id, [...(samples.get(row.id) ?? []), sample]);
    const n = samples.get(row.id)?.length ?? 0;
    log(`${row.label}: run ${n}/${row.runs} ${fmtS(sample.wallMs)} s, ${sample.peakRssKiB === undefined ? "?" : (sample.peakRssKiB / MIB).toFixed(0)} MiB`);
  };

  for (const row of rows) measureOnce(row, true);
  // Synth rows interleaved, one round at a time, so that a burst of load from
  // elsewhere hits every row alike and the ratios to the floor stay fair.
  for (let round = 0; round < synthRuns; round++) for (const row of rows) measureOnce(row, false);
  for (const row of testRows) {
    if (!options.quick) measureOnce(row, true);
    for (let i = 0; i < row.runs; i++) measureOnce(row, false);
  }

  // ------------------------------------------------------------ breakdown
  const breakdownSamples: Array<Omit<Breakdown, "runs">> = [];
  const bundle = path.join(root, "node_modules", ".cache", "redshift-endpoints", "main.ts.js");
  const probe = path.join(scratch, "breakdown-probe.js");
  fs.writeFileSync(probe, BREAKDOWN_PROBE);
  for (let i = 0; i < synthRuns; i++) {
    const cwd = freshDir("breakdown");
    const r = spawnSync(process.execPath, [probe, root, bundle], {
      cwd,
      env: { ...process.env, REDSHIFT_ENDPOINTS_CONFIG: shippedConfig, CDKTF_OUTDIR: path.join(cwd, "cdktf.out") },
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`breakdown probe failed (exit ${r.status}):\n${tail(`${r.stdout}${r.stderr}`)}`);
    breakdownSamples.push(JSON.parse(r.stdout) as Omit<Breakdown, "runs">);
    fs.rmSync(cwd, { recursive: true, force: true });
  }
  const med = (key: keyof Omit<Breakdown, "runs" | "providerModules">) => median(breakdownSamples.map((s) => s[key]));
  const breakdown: Breakdown = {
    runs: breakdownSamples.length,
    nodeStartMs: med("nodeStartMs"),
    requireZodMs: med("requireZodMs"),
    requireCdktfMs: med("requireCdktfMs"),
    requireProviderModulesMs: med("requireProviderModulesMs"),
    providerModules: breakdownSamples[0].providerModules,
    bundleMs: med("bundleMs"),
    totalMs: med("totalMs"),
  };

  // ------------------------------------------------------------ results
  const summarize = (row: Row): RowResult => {
    const s = samples.get(row.id) ?? [];
    const ms = s.map((x) => x.wallMs);
    const rss = s.map((x) => x.peakRssKiB).filter((x): x is number => x !== undefined);
    return {
      id: row.id,
      label: row.label,
      kind: row.kind,
      command: row.command,
      stacks: row.stacks,
      runs: s.length,
      samplesMs: ms.map((x) => Math.round(x * 10) / 10),
      medianMs: median(ms),
      minMs: Math.min(...ms),
      maxMs: Math.max(...ms),
      peakRssMiB: rss.length ? Math.max(...rss) / MIB : undefined,
      commandOk: okByRow.get(row.id) ?? true,
    };
  };
  const floor = summarize(rows[0]);
  const withFloor = (r: RowResult): RowResult => ({
    ...r,
    ratioToFloor: r.medianMs / floor.medianMs,
    msPerStack: r.kind === "synth" ? (r.medianMs - floor.medianMs) / r.stacks : undefined,
    mibPerStack: r.kind === "synth" && r.peakRssMiB !== undefined && floor.peakRssMiB !== undefined ? (r.peakRssMiB - floor.peakRssMiB) / r.stacks : undefined,
  });
  const results: RowResult[] = [...rows, ...testRows].map((row) => {
    const r = withFloor(summarize(row));
    return row.target ? { ...r, target: row.target.text, pass: row.target.check(r) } : r;
  });
  const bySize = (n: number) => results.find((r) => r.id === `synth-${n}`) as RowResult;
  const [s30, s300, s999] = [bySize(30), bySize(300), bySize(999)];
  const perStack999vs300 = (s999.msPerStack as number) / (s300.msPerStack as number);
  const marginal30to300 = (s300.medianMs - s30.medianMs) / (s300.stacks - s30.stacks);
  const marginal300to999 = (s999.medianMs - s300.medianMs) / (s999.stacks - s300.stacks);
  const linearity = {
    msPerStack: { 30: s30.msPerStack, 300: s300.msPerStack, 999: s999.msPerStack },
    perStack999vs300: perStack999vs300,
    marginalMsPerStack30to300: marginal30to300,
    marginalMsPerStack300to999: marginal300to999,
    marginalRatio: marginal300to999 / marginal30to300,
    limit: 1.5,
    flagged: perStack999vs300 > 1.5,
  };

  const cpus = os.cpus();
  const machine = {
    cpuModel: cpus[0]?.model ?? "unknown",
    cpus: cpus.length,
    totalMemoryMiB: Math.round(os.totalmem() / MIB / MIB),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: os.loadavg(),
  };

  printTable(results, floor);
  printLinearity(linearity);
  printBreakdown(breakdown);

  const json = { machine, options: { runsSynth: synthRuns, runsTest: testRuns, quick: options.quick, skipTests: options.skipTests }, rssMethod: meter.method, rows: results, linearity, breakdown };
  fs.mkdirSync(path.dirname(options.jsonOut), { recursive: true });
  fs.writeFileSync(options.jsonOut, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`\n${machine.cpuModel}, ${machine.cpus} CPUs, ${machine.totalMemoryMiB} MiB, node ${machine.node}; load ${loadAtStart.map((l) => l.toFixed(2)).join(" ")} -> ${machine.loadAverageAtEnd.map((l) => l.toFixed(2)).join(" ")}\n`);
  const shown = path.relative(process.cwd(), options.jsonOut);
  process.stdout.write(`wrote ${shown.startsWith("..") ? options.jsonOut : shown}\n`);
}

// ---------------------------------------------------------------- printing

function table(header: readonly string[], lines: ReadonlyArray<readonly string[]>, rightAligned: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: readonly string[]) => cells.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(fmt)].join("\n");
}

function printTable(results: readonly RowResult[], floor: RowResult): void {
  const lines = results.map((r) => [
    r.label,
    r.kind === "synth" || r.kind === "floor" ? String(r.stacks) : "",
    String(r.runs),
    fmtS(r.medianMs),
    r.runs < 2 ? "" : `${fmtS(r.minMs)}-${fmtS(r.maxMs)}`,
    r.ratioToFloor === undefined ? "" : `${r.ratioToFloor.toFixed(1)}x`,
    r.msPerStack === undefined ? "" : r.msPerStack.toFixed(2),
    r.peakRssMiB === undefined ? "?" : r.peakRssMiB.toFixed(0),
    r.target ?? "",
    r.pass === undefined ? (r.commandOk ? "" : "EXIT!=0") : r.pass ? "pass" : r.commandOk ? "FAIL" : "FAIL (exit!=0)",
  ]);
  process.stdout.write(
    `\n${table(["row", "stacks", "runs", "median s", "range s", "x floor", "ms/stack", "peak MiB", "target", "result"], lines, new Set([1, 2, 3, 5, 6, 7]))}\n`,
  );
  process.stdout.write(`(x floor = median / floor median ${fmtS(floor.medianMs)} s; ms/stack = (median - floor) / stacks; peak = largest single process)\n`);
}

function printLinearity(l: {
  msPerStack: Record<number, number | undefined>;
  perStack999vs300: number;
  marginalMsPerStack30to300: number;
  marginalMsPerStack300to999: number;
  marginalRatio: number;
  limit: number;
  flagged: boolean;
}): void {
  const ps = (n: number) => (l.msPerStack[n] ?? NaN).toFixed(2);
  process.stdout.write(
    `\nlinearity: ms/stack ${ps(30)} (30), ${ps(300)} (300), ${ps(999)} (999); 999 vs 300 = ${l.perStack999vs300.toFixed(2)}x ` +
      `(limit ${l.limit}x) ${l.flagged ? "FLAG: per-stack cost grows with size" : "ok"}\n` +
      `           marginal ms/stack ${l.marginalMsPerStack30to300.toFixed(2)} (30->300), ${l.marginalMsPerStack300to999.toFixed(2)} (300->999), ratio ${l.marginalRatio.toFixed(2)}\n`,
  );
}

function printBreakdown(b: Breakdown): void {
  const rows: Array<[string, number]> = [
    ["node start-up", b.nodeStartMs],
    ['require("zod")', b.requireZodMs],
    ['require("cdktf") + constructs', b.requireCdktfMs],
    [`${b.providerModules.length} @cdktf/provider-* modules`, b.requireProviderModulesMs],
    ["our bundle: config, stacks, synth, write", b.bundleMs],
    ["total in process", b.totalMs],
  ];
  process.stdout.write(
    `\nshipped-config synth, inside one process (median of ${b.runs}; no run-ts.js, so a little under the synth row):\n` +
      `${table(["phase", "ms"], rows.map(([k, v]) => [k, v.toFixed(0)]), new Set([1]))}\n`,
  );
}

main();
