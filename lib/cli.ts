/**
 * The synth command as a function, so tests can run exactly what `npm run
 * synth` runs, in-process, against any config and output folder.
 */
import * as path from "node:path";
import { UserError, loadConfig } from "./config";
import { synthesizeConfig } from "./parallel-synth";

export interface SynthCommandOptions {
  /** The config file to read. */
  readonly configFile: string;
  /** The output folder (`cdktf.out`). */
  readonly outdir: string;
  /** Where local state files live. */
  readonly stateDir: string;
  /** Print stack traces of unexpected errors. @default false */
  readonly debug?: boolean;
  /** Worker threads. @default decided by the number of stacks and `cores` */
  readonly workers?: number;
  /** Script a worker thread runs (the compiled main.ts). @default none: one thread */
  readonly workerEntry?: string;
  /** Cores available to worker threads. @default 1 */
  readonly cores?: number;
}

export interface CommandResult {
  readonly exitCode: number;
  /** What the command printed for the user. */
  readonly stderr: string;
}

export function synthCommand(options: SynthCommandOptions): CommandResult {
  try {
    const workers = options.workers;
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) {
      throw new UserError(`REDSHIFT_ENDPOINTS_SYNTH_WORKERS must be a whole number of threads, at least 1; got ${String(workers)}`);
    }
    const config = loadConfig(options.configFile);
    synthesizeConfig(config, {
      outdir: options.outdir,
      stateDir: path.resolve(options.stateDir),
      workers: options.workers,
      workerEntry: options.workerEntry,
      cores: options.cores,
    });
    return { exitCode: 0, stderr: "" };
  } catch (e) {
    return { exitCode: 1, stderr: describeFailure(e, options.debug ?? false) };
  }
}

/** A user error prints its message only; anything else adds how to get the trace. */
export function describeFailure(e: unknown, debug: boolean): string {
  if (e instanceof UserError) return `${e.message}\n`;
  const error = e instanceof Error ? e : new Error(String(e));
  if (debug) return `${error.stack}\n`;
  return `Synth failed: ${error.message}\n(set REDSHIFT_ENDPOINTS_DEBUG=1 for the stack trace)\n`;
}
