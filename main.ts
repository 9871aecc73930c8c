/**
 * Wiring only: read the environment, then load and validate the
 * configuration once, build the stacks and synthesize them all-or-nothing
 * (lib/cli.ts). Bad input exits 1 with a readable message, no stack trace.
 * Large configs are synthesized by worker threads running this same file.
 */
import { availableParallelism } from "node:os";
import { isMainThread } from "node:worker_threads";
import { synthCommand } from "./lib/cli";
import { DEFAULT_CONFIG_FILE } from "./lib/config";
import { runSynthWorker } from "./lib/parallel-synth";

if (isMainThread) {
  const workers = process.env.REDSHIFT_ENDPOINTS_SYNTH_WORKERS;
  const result = synthCommand({
    configFile: process.env.REDSHIFT_ENDPOINTS_CONFIG ?? DEFAULT_CONFIG_FILE,
    outdir: process.env.CDKTF_OUTDIR ?? "cdktf.out",
    stateDir: process.cwd(),
    debug: process.env.REDSHIFT_ENDPOINTS_DEBUG === "1",
    workers: workers === undefined ? undefined : Number(workers),
    workerEntry: __filename,
    cores: availableParallelism(),
  });
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
} else {
  runSynthWorker();
}
