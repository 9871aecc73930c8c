/**
 * `npm run bench:deploy -- [--rounds N] [--config FILE]`: three consumers
 * against one, deployed for real through `cdktf deploy` against the AWS
 * emulator (lib/bench/deploy.ts says what is measured and judged). Each
 * deploy gets a fresh emulator and a scratch folder; the emulator is stopped
 * after the deploy, with no destroy, since only the deploy is measured.
 *
 * Exit codes: 0 the target held, 1 it did not or a deploy failed (named, with
 * the engine's message; its scratch folder is kept), 2 usage or no toolchain.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_DEPLOY_BENCH, type DeployBenchOptions, formatDeployBench, runDeployBench } from "../lib/bench/deploy";
import { type Config, loadConfig } from "../lib/config";
import { parseCommandLine, runMain } from "../lib/cli/command";
import { endpointCreations, sideBySideProblem } from "../lib/rehearsal/deploy-timeline";
import { startEmulator } from "../lib/rehearsal/emulator";
import { findEngine, providerNotice, toolchainCacheDir } from "../lib/rehearsal/engine";
import { Rehearsal } from "../lib/rehearsal/rehearse";

const USAGE = `usage: npm run bench:deploy -- [--rounds N] [--config FILE]
  --rounds N     rounds of both deploys (default ${DEFAULT_DEPLOY_BENCH.rounds})
  --config FILE  a config with environments "${DEFAULT_DEPLOY_BENCH.one}" (1 consumer) and "${DEFAULT_DEPLOY_BENCH.three}" (3 consumers)
                 (default test/deploy/fixtures/consumers.json)
`;

/** Fails with a usage message unless `environment` of `config` (read from `configFile`) has exactly `count` consumers. */
function expectConsumers(config: Config, configFile: string, environment: string, count: number): void {
  const env = config.environments[environment];
  if (env === undefined) throw new Error(`${configFile} has no environment "${environment}"`);
  if (env.consumers.length !== count)
    throw new Error(`environments.${environment}.consumers in ${configFile} must hold ${count} consumer(s) for this bench; got ${env.consumers.length}`);
}

async function main(): Promise<number> {
  // npm runs scripts in the project folder; __dirname would be run-ts.js's bundle cache.
  const repoRoot = process.cwd();
  let options: DeployBenchOptions;
  let configFile: string;
  try {
    const { values } = parseCommandLine(process.argv.slice(2), {
      rounds: { type: "string" },
      config: { type: "string" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    const rounds = Number(values.rounds ?? DEFAULT_DEPLOY_BENCH.rounds);
    if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a whole number of at least 1; got ${JSON.stringify(values.rounds)}`);
    options = { ...DEFAULT_DEPLOY_BENCH, rounds };
    configFile = path.resolve(values.config ?? path.join(repoRoot, "test", "deploy", "fixtures", "consumers.json"));
    const config = loadConfig(configFile);
    expectConsumers(config, configFile, options.one, 1);
    expectConsumers(config, configFile, options.three, 3);
  } catch (e) {
    process.stderr.write(`bench:deploy: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const engine = findEngine(toolchainCacheDir(process.env.XDG_CACHE_HOME, os.homedir()));
  if (typeof engine === "string") {
    process.stderr.write(`bench:deploy cannot run: ${engine}\n`);
    return 2;
  }
  const notice = providerNotice(engine);
  if (notice) process.stderr.write(`${notice}\n`);

  const deploy = async (environment: string) => {
    const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), `redshift-endpoints-bench-${environment}-`));
    const rehearsal = new Rehearsal({
      repoRoot,
      configFile,
      environment,
      engine,
      scratchDir,
      launchEmulator: (seedConfigFile) => startEmulator({ seedConfigFile, port: 0, projectDir: repoRoot }),
      baseEnv: process.env,
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
      else process.stderr.write(`Logs and state of the failed deploy are kept in ${scratchDir}/\n`);
    }
  };

  let result: Awaited<ReturnType<typeof runDeployBench>>;
  try {
    result = await runDeployBench(deploy, options, (line) => process.stderr.write(`[bench:deploy] ${line}\n`));
  } catch (e) {
    process.stderr.write(`bench:deploy: a deploy failed: ${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write(formatDeployBench(result));
  return result.pass ? 0 : 1;
}

runMain(main);
