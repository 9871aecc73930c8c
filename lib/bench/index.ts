/**
 * lib/bench: `npm run bench`, measured against a floor taken in the same run
 * (node + cdktf + one empty stack), so that numbers from different machines
 * can be compared as ratios. This file runs the rows; meter.ts measures one
 * command, generated-config.ts makes the large configs, report.ts formats the
 * results, commands.ts holds its commands. docs/benchmark.md says what
 * each row measures.
 *
 * Every command runs in its own process, in a fresh temporary folder, so the
 * repo's cdktf.out and state files are never touched. Today this folder
 * imports nothing of the app (it runs main.ts through scripts/run-ts.js, as a
 * user does); the layer rules let it import lib/synth, lib/app, lib/config,
 * stacks/ and modules/, never lib/operations, scripts/ or main.ts.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generatedConfig, stacksIn } from "./generated-config";
import { Meter, type Sample, detectRssMethod, settleDisk } from "./meter";
import { type Breakdown, MIB, type Row, type RowResult, type Target, fmtS, formatBreakdown, formatLinearity, formatTable, median } from "./report";

/** What `npm run bench` measures (lib/bench/commands.ts parses them). */
export interface Options {
  /** Runs per row; undefined means the per-row default. */
  readonly runs?: number;
  readonly quick: boolean;
  readonly skipTests: boolean;
  readonly jsonOut: string;
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function tail(text: string, lines = 25): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

function countManifestStacks(outdir: string): number {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, unknown> };
  return Object.keys(manifest.stacks).length;
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

/** Runs per row: `--runs`, or 5 for the floor and synth rows and 3 for the test rows. */
function runsPerRow(options: Options): { synthRuns: number; testRuns: number } {
  return { synthRuns: options.runs ?? 5, testRuns: options.runs ?? 3 };
}

/** Runs every row of the bench in a scratch folder that is removed at the end, prints the tables and writes the JSON. */
export function runBench(root: string, options: Options): void {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "rme-bench-"));
  try {
    run(root, options, scratch);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The bench's rows: the floor and the synth rows, then the test rows (none
 * with `skipTests`). Writes the floor's script and the generated configs into
 * `scratch`; each row's spec makes its own folder there.
 */
export function benchRows(root: string, options: Options, scratch: string): { rows: Row[]; testRows: Row[] } {
  const { synthRuns, testRuns } = runsPerRow(options);
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
        return {
          command: process.execPath,
          args: [runTs, mainTs],
          cwd,
          env: { REDSHIFT_ENDPOINTS_CONFIG: configFile, CDKTF_OUTDIR: path.join(cwd, "cdktf.out") },
        };
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
  // (scripts/dev/test.js runs the two side by side), without npm's own start-up.
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
          command: "node scripts/dev/test.js",
          stacks: 0,
          runs: testRuns,
          target: { text: "<= 30 s", check: (r: RowResult) => r.commandOk && r.medianMs <= 30_000 },
          spec: () => ({ command: process.execPath, args: [path.join(root, "scripts", "dev", "test.js")], cwd: root, env: binPath }),
        },
      ];

  return { rows, testRows };
}

function run(root: string, options: Options, scratch: string): void {
  const meter = new Meter(detectRssMethod(), scratch);
  const loadAtStart = os.loadavg();
  const { synthRuns, testRuns } = runsPerRow(options);
  const { rows, testRows } = benchRows(root, options, scratch);
  const shippedConfig = path.join(root, "config", "environments.json");

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
    const cwd = fs.mkdtempSync(path.join(scratch, "breakdown-"));
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

  process.stdout.write(formatTable(results, floor));
  process.stdout.write(formatLinearity(linearity));
  process.stdout.write(formatBreakdown(breakdown));

  const json = {
    machine,
    options: { runsSynth: synthRuns, runsTest: testRuns, quick: options.quick, skipTests: options.skipTests },
    rssMethod: meter.method,
    rows: results,
    linearity,
    breakdown,
  };
  fs.mkdirSync(path.dirname(options.jsonOut), { recursive: true });
  fs.writeFileSync(options.jsonOut, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(
    `\n${machine.cpuModel}, ${machine.cpus} CPUs, ${machine.totalMemoryMiB} MiB, node ${machine.node}; load ${loadAtStart.map((l) => l.toFixed(2)).join(" ")} -> ${machine.loadAverageAtEnd.map((l) => l.toFixed(2)).join(" ")}\n`,
  );
  const shown = path.relative(process.cwd(), options.jsonOut);
  process.stdout.write(`wrote ${shown.startsWith("..") ? options.jsonOut : shown}\n`);
}
