/**
 * The synth command as a function, so tests can run exactly what `npm run
 * synth` runs, in-process, against any config and output folder.
 */
import * as path from "node:path";
import { buildStacks } from "./app";
import { UserError, loadConfig } from "./config";
import { synthesizeAtomically } from "./synth";

export interface SynthCommandOptions {
  /** The config file to read. */
  readonly configFile: string;
  /** The output folder (`cdktf.out`). */
  readonly outdir: string;
  /** Where local state files live. */
  readonly stateDir: string;
  /** Print stack traces of unexpected errors. @default false */
  readonly debug?: boolean;
}

export interface CommandResult {
  readonly exitCode: number;
  /** What the command printed for the user. */
  readonly stderr: string;
}

export function synthCommand(options: SynthCommandOptions): CommandResult {
  try {
    const config = loadConfig(options.configFile);
    const outdir = path.resolve(options.outdir);
    synthesizeAtomically(outdir, (app) => buildStacks(app, config, { stateDir: path.resolve(options.stateDir), outdir }));
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
