/**
 * Wiring only: read the environment, then load and validate the
 * configuration once, build the stacks and synthesize them all-or-nothing
 * (lib/synth/command.ts). Bad input exits 1 with a readable message, no stack trace.
 *
 * Large configs are synthesized by this thread and worker threads running
 * this same file. The workers are started before anything heavy is loaded
 * (lib/synth/synth-pool.ts imports only node built-ins), so they load their modules
 * while this thread loads its own; hence the two deferred requires below.
 */
import { availableParallelism } from "node:os";
import { isMainThread } from "node:worker_threads";
import { DEFAULT_CONFIG_FILE } from "./lib/config/layout";
import { SynthWorkerPool, prewarmForConfig, serveOneJob } from "./lib/synth/synth-pool";

if (isMainThread) {
  const configFile = process.env.REDSHIFT_ENDPOINTS_CONFIG ?? DEFAULT_CONFIG_FILE;
  const threadsVariable = process.env.REDSHIFT_ENDPOINTS_SYNTH_THREADS;
  const threads = threadsVariable === undefined || threadsVariable === "" ? undefined : Number(threadsVariable);
  const cores = availableParallelism();
  const awsProviderVersion = process.env.REDSHIFT_ENDPOINTS_AWS_PROVIDER_VERSION;
  const stateDir = process.env.REDSHIFT_ENDPOINTS_STATE_DIR;
  const pool = new SynthWorkerPool(__filename);
  const configText = prewarmForConfig(pool, configFile, cores, threads);
  const { synthCommand } = require("./lib/synth/command") as typeof import("./lib/synth/command");
  const result = synthCommand({
    configFile,
    configText,
    outdir: process.env.CDKTF_OUTDIR ?? "cdktf.out",
    stateDir: stateDir === undefined || stateDir === "" ? process.cwd() : stateDir,
    awsProviderVersion: awsProviderVersion === "" ? undefined : awsProviderVersion,
    roles: process.env.REDSHIFT_ENDPOINTS_ROLES || undefined,
    debug: process.env.REDSHIFT_ENDPOINTS_DEBUG === "1",
    threads,
    pool,
    cores,
  });
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
} else {
  serveOneJob(() => (require("./lib/synth/parallel-synth") as typeof import("./lib/synth/parallel-synth")).synthesizeShare);
}
