/**
 * lib/synth: the synth engine. command.ts (this file: what `npm run synth`
 * runs), parallel-synth.ts (a config split across threads), synth-pool.ts
 * (the worker threads; node built-ins only, see main.ts) and atomic.ts
 * (all-or-nothing synth through a staging folder). It may import lib/app,
 * lib/config, stacks/ and modules/, never lib/operations, lib/bench or the
 * entry points.
 *
 * The synth command as a function, so tests can run exactly what `npm run
 * synth` runs, in-process, against any config and output folder.
 */
import * as path from "node:path";
import { describeFailure } from "../cli/command";
import { UserError, loadAdoptions, loadConfig, withReadOnlyRoles } from "../config";
import { synthesizeConfig } from "./parallel-synth";
import { type SynthWorkerPool, isThreadCount } from "./synth-pool";

export interface SynthCommandOptions {
  /** The config file to read. */
  readonly configFile: string;
  /** The config file's text, when it has been read already. @default read from configFile */
  readonly configText?: string;
  /** The output folder (`cdktf.out`). */
  readonly outdir: string;
  /** Where local state files live. */
  readonly stateDir: string;
  /** Print stack traces of unexpected errors. @default false */
  readonly debug?: boolean;
  /** Threads to synthesize with, this one included. @default decided by the number of stacks and `cores` */
  readonly threads?: number;
  /** Where worker threads come from. @default none: one thread */
  readonly pool?: SynthWorkerPool;
  /** Cores available for synth threads. @default 1 */
  readonly cores?: number;
  /** See BuildOptions.awsProviderVersion. @default the bindings' version */
  readonly awsProviderVersion?: string;
  /** Which role each stack's provider assumes (REDSHIFT_ENDPOINTS_ROLES). @default "deploy" */
  readonly roles?: string;
}

export interface CommandResult {
  readonly exitCode: number;
  /** What the command printed for the user. */
  readonly stderr: string;
}

export function synthCommand(options: SynthCommandOptions): CommandResult {
  try {
    const threads = options.threads;
    if (threads !== undefined && !isThreadCount(threads)) {
      throw new UserError(`REDSHIFT_ENDPOINTS_SYNTH_THREADS must be a whole number of threads, at least 1; got ${String(threads)}`);
    }
    if (options.roles !== undefined && options.roles !== "deploy" && options.roles !== "read-only") {
      throw new UserError(`REDSHIFT_ENDPOINTS_ROLES must be deploy or read-only; got ${JSON.stringify(options.roles)}`);
    }
    const loaded = loadConfig(options.configFile, options.configText);
    const config = options.roles === "read-only" ? withReadOnlyRoles(loaded) : loaded;
    // config/adopted/<env>.json next to the config: what `npm run adopt` found built by hand, imported instead of created.
    const adoptions = loadAdoptions(options.configFile, config);
    synthesizeConfig(config, {
      outdir: options.outdir,
      stateDir: path.resolve(options.stateDir),
      threads: options.threads,
      pool: options.pool,
      cores: options.cores,
      awsProviderVersion: options.awsProviderVersion,
      adoptions,
    });
    return { exitCode: 0, stderr: "" };
  } catch (e) {
    options.pool?.close();
    return { exitCode: 1, stderr: describeFailure(e, options.debug ?? false) };
  }
}
