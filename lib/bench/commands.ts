/**
 * The commands of lib/bench: `npm run bench` (synth and the test tiers
 * against the framework floor, index.ts) and `npm run bench:deploy` (three
 * consumers against one, deployed for real against the emulator, deploy.ts).
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
