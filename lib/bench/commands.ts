/**
 * The commands of lib/bench: `npm run bench` (synth and the test tiers
 * against the framework floor, index.ts) and `npm run bench:deploy` (three
 * consumers against one, deployed for real against the emulator, deploy.ts)
 * and `npm run bench:drift` (npm run drift at 1, 3 and 10 consumers beside a
 * plain plan, drift.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UsageError, defineCommand } from "../cli/command";
import { type Config, loadConfig } from "../config";
import { endpointCreations, sideBySideProblem } from "../rehearsal/deploy-timeline";
import { startEmulator } from "../rehearsal/emulator";
import { findEngine, providerNotice, toolchainCacheDir } from "../rehearsal/engine";
import { Rehearsal } from "../rehearsal/rehearse";
import { DEFAULT_DEPLOY_BENCH, formatDeployBench, runDeployBench } from "./deploy";
import { type CpuStep, DRIFT_TARGETS, driftBenchPasses, formatDriftBench, runDriftBench } from "./drift";
import { driftBenchConfig } from "./generated-config";
import { type Options, runBench } from "./index";

/** A whole number of at least `min`, from an option's text. */
function wholeNumber(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be a whole number of at least ${min}; got ${JSON.stringify(text)}`);
  return n;
}

export const benchCommand = defineCommand(
  {
    name: "bench",
    summary:
      "Measures synth of the shipped config and of generated configs of 30, 300 and 999 stacks, the floor (node + cdktf + one\n" +
      "empty stack) and the unit tier: medians of several runs with peak RSS, as ratios to the floor. Writes the JSON results.",
    positionals: [],
    options: {
      runs: { type: "string", value: "N", description: "runs per row (default: 5 for synth and floor rows, 3 for test rows)" },
      quick: { type: "boolean", description: "1 run per row and no warm-up of the test rows: checks the script works, numbers are noisy" },
      "skip-tests": { type: "boolean", description: "leave out the tsc and jest rows" },
      "json-out": { type: "string", value: "FILE", description: "where to write the results (default: .bench/results.json)" },
    },
    more: "See docs/benchmark.md.",
  },
  async ({ values }, io) => {
    const options = benchOptions(values, io.cwd);
    runBench(io.cwd, options);
    return 0;
  },
);

/** `npm run bench`'s options from its parsed values. */
export function benchOptions(values: { runs?: string; quick?: boolean; "skip-tests"?: boolean; "json-out"?: string }, root: string): Options {
  const quick = values.quick ?? false;
  if (quick && values.runs !== undefined) throw new UsageError("--quick and --runs contradict each other; pass one of them");
  return {
    runs: quick ? 1 : values.runs === undefined ? undefined : wholeNumber("runs", values.runs, 1),
    quick,
    skipTests: values["skip-tests"] ?? false,
    jsonOut: path.resolve(root, values["json-out"] ?? path.join(".bench", "results.json")),
  };
}

/** Fails with a usage error unless `environment` of `config` has exactly `count` consumers. */
function expectConsumers(config: Config, configFile: string, environment: string, count: number): void {
  const env = config.environments[environment];
  if (env === undefined) throw new UsageError(`${configFile} has no environment "${environment}"`);
  if (env.consumers.length !== count)
    throw new UsageError(`environments.${environment}.consumers in ${configFile} must hold ${count} consumer(s) for this bench; got ${env.consumers.length}`);
}

export const benchDeployCommand = defineCommand(
  {
    name: "bench:deploy",
    summary:
      "Three consumers against one, deployed for real through cdktf deploy against the AWS emulator, in interleaved rounds;\n" +
      "each deploy gets a fresh emulator and scratch folder. Judged on the ratio of the medians (target within 1.5x).",
    positionals: [],
    options: {
      rounds: { type: "string", value: "N", description: `rounds of both deploys (default ${DEFAULT_DEPLOY_BENCH.rounds})` },
      config: {
        type: "string",
        value: "FILE",
        description: `a config with environments "${DEFAULT_DEPLOY_BENCH.one}" (1 consumer) and "${DEFAULT_DEPLOY_BENCH.three}" (3 consumers) (default test/scenarios/fixtures/consumers.json)`,
      },
    },
    exits: {
      usage: 2,
      failed: 1,
      meanings: [
        [0, "the target held"],
        [1, "it did not, a deploy failed (named, its scratch folder kept), or no toolchain"],
        [2, "bad usage"],
      ],
    },
    more: "See docs/benchmark.md.",
  },
  async ({ values }, io) => {
    const options = { ...DEFAULT_DEPLOY_BENCH, rounds: values.rounds === undefined ? DEFAULT_DEPLOY_BENCH.rounds : wholeNumber("rounds", values.rounds, 1) };
    const configFile = path.resolve(io.cwd, values.config ?? path.join("test", "scenarios", "fixtures", "consumers.json"));
    const config = loadConfig(configFile);
    expectConsumers(config, configFile, options.one, 1);
    expectConsumers(config, configFile, options.three, 3);
    const engine = findEngine(toolchainCacheDir(io.env.XDG_CACHE_HOME, os.homedir()));
    if (typeof engine === "string") throw new Error(`bench:deploy cannot run: ${engine}`);
    const notice = providerNotice(engine);
    if (notice) io.stderr(`${notice}\n`);
    const deploy = async (environment: string) => {
      const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), `redshift-endpoints-bench-${environment}-`));
      const rehearsal = new Rehearsal({
        repoRoot: io.cwd,
        configFile,
        environment,
        engine,
        scratchDir,
        launchEmulator: (seedConfigFile) => startEmulator({ seedConfigFile, port: 0, projectDir: io.cwd }),
        baseEnv: io.env,
      });
      let ok = false;
      try {
        await rehearsal.start();
        const outcome = await rehearsal.deploy();
        const creations = endpointCreations(outcome.output);
        const problem = sideBySideProblem(creations, rehearsal.stacks.consumers);
        if (problem) throw new Error(`${environment}: ${problem}`);
        ok = true;
        return { seconds: outcome.seconds, endpointWaitSeconds: Math.max(...creations.map((c) => c.seconds ?? 0)) };
      } finally {
        await rehearsal.stop();
        if (ok) fs.rmSync(scratchDir, { recursive: true, force: true });
        else io.stderr(`Logs and state of the failed deploy are kept in ${scratchDir}/\n`);
      }
    };
    const result = await runDeployBench(deploy, options, (line) => io.stderr(`[bench:deploy] ${line}\n`));
    io.stdout(formatDeployBench(result));
    return result.pass ? 0 : 1;
  },
);

/** CPU seconds (user + system) of a program and its children, and its wall time: bash's `times` after it exits. */
async function cpuOf(rehearsal: Rehearsal, step: string, command: string, args: readonly string[], cwd: string): Promise<CpuStep> {
  const outcome = await rehearsal.run(`cpu ${step}`, "bash", ["-c", '"$@" >/dev/null 2>&1; status=$?; times; exit $status', "bash", command, ...args], cwd);
  if (outcome.exitCode !== 0) throw new Error(`${step} failed (exit ${outcome.exitCode}):\n${outcome.output}`);
  const children = outcome.output.trim().split("\n").at(-1) ?? "";
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((n, m) => n + Number(m[1]) * 60 + Number(m[2]), 0);
  return { step, cpuSeconds: seconds, wallSeconds: outcome.seconds };
}

export const benchDriftCommand = defineCommand(
  {
    name: "bench:drift",
    summary:
      "npm run drift at 1, 3 and 10 consumers, each environment deployed once against its own emulator, beside a plain plan of\n" +
      "the same stacks side by side (the floor), in interleaved rounds; medians and ranges, targets 3 within 1.5x of 1 and\n" +
      "10 within 3x, and where one stack's CPU goes.",
    positionals: [],
    options: {
      rounds: { type: "string", value: "N", description: "rounds of every size (default 3)" },
    },
    exits: {
      usage: 2,
      failed: 1,
      meanings: [
        [0, "every target held, or is out of reach here and drift scales within 1.25x of the plain plan"],
        [1, "a target failed, a run failed or found drift (its scratch folder kept), or no toolchain"],
        [2, "bad usage"],
      ],
    },
    more: "See docs/benchmark.md.",
  },
  async ({ values }, io) => {
    const rounds = values.rounds === undefined ? 3 : wholeNumber("rounds", values.rounds, 1);
    const engine = findEngine(toolchainCacheDir(io.env.XDG_CACHE_HOME, os.homedir()));
    if (typeof engine === "string") throw new Error(`bench:drift cannot run: ${engine}`);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "redshift-endpoints-bench-drift-"));
    const configFile = path.join(work, "environments.json");
    fs.writeFileSync(configFile, JSON.stringify(driftBenchConfig(DRIFT_TARGETS.map((t) => t.consumers)), null, 2));
    const rehearsals = new Map<number, Rehearsal>();
    const log = (line: string) => io.stderr(`[bench:drift] ${line}\n`);
    let ok = false;
    try {
      for (const { consumers } of DRIFT_TARGETS) {
        const rehearsal = new Rehearsal({
          repoRoot: io.cwd,
          configFile,
          environment: `drift${consumers}`,
          engine,
          scratchDir: path.join(work, `drift${consumers}`),
          launchEmulator: (seedConfigFile) => startEmulator({ seedConfigFile, port: 0, projectDir: io.cwd }),
          baseEnv: io.env,
        });
        rehearsals.set(consumers, rehearsal);
        await rehearsal.start();
        const deployed = await rehearsal.deploy();
        log(`drift${consumers}: deployed ${consumers} consumer(s) in ${deployed.seconds.toFixed(1)} s`);
      }
      const run = async (consumers: number) => {
        const rehearsal = rehearsals.get(consumers) as Rehearsal;
        const drift = await rehearsal.npm("bench drift", ["drift", "--", rehearsal.options.environment]);
        if (drift.exitCode !== 0) throw new Error(`drift${consumers}: npm run drift exited ${drift.exitCode}:\n${drift.output.trim()}`);
        const started = Date.now();
        const plans = await Promise.all(
          rehearsal.allStacks.map((stack) =>
            rehearsal.run(
              `bench plan ${stack}`,
              engine.terraformBinary,
              ["plan", "-input=false", "-lock=false", "-no-color", "-detailed-exitcode"],
              rehearsal.stackDir(stack),
            ),
          ),
        );
        const failed = plans.findIndex((p) => p.exitCode !== 0);
        if (failed >= 0)
          throw new Error(`drift${consumers}: plain plan of ${rehearsal.allStacks[failed]} exited ${plans[failed].exitCode}:\n${plans[failed].output.trim()}`);
        return { drift: drift.seconds, plan: (Date.now() - started) / 1000 };
      };
      const results = await runDriftBench(run, rounds, log);
      const one = rehearsals.get(1) as Rehearsal;
      const stackDir = path.join(one.options.scratchDir, "cdktf.out.drift", one.options.environment, "stacks", one.stacks.consumers[0]);
      const tofu = engine.terraformBinary;
      const plan = (name: string, extra: readonly string[]) =>
        cpuOf(one, name, tofu, ["plan", ...extra, "-input=false", "-lock=false", "-no-color", "-out=bench.tfplan"], stackDir);
      const show = (name: string) => cpuOf(one, name, tofu, ["show", "-json", "bench.tfplan"], stackDir);
      // The steps of drift's check as it runs (lib/operations/drift.ts), then the two plans it replaced.
      const steps = [
        await cpuOf(one, "init", tofu, ["init", "-input=false", "-no-color"], stackDir),
        await plan("plan (refreshed)", []),
        await show("show -json"),
      ];
      const replaced = [
        await plan("plan -refresh-only", ["-refresh-only"]),
        await show("show -json"),
        await plan("plan -refresh=false", ["-refresh=false"]),
        await show("show -json"),
      ];
      const floor = await cpuOf(
        one,
        "a plain plan of the stack (the floor)",
        tofu,
        ["plan", "-input=false", "-lock=false", "-no-color"],
        one.stackDir(one.stacks.consumers[0]),
      );
      io.stdout(formatDriftBench(results, { steps, replaced, floor }, os.availableParallelism()));
      ok = true;
      return driftBenchPasses(results) ? 0 : 1;
    } finally {
      for (const r of rehearsals.values()) await r.stop();
      if (ok) fs.rmSync(work, { recursive: true, force: true });
      else io.stderr(`Logs and state are kept in ${work}/\n`);
    }
  },
);
