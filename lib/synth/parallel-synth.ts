/**
 * Synthesis of a whole config, split across threads when it is large.
 *
 * Environments never reference each other, so each thread synthesizes a share
 * of them into its own part of one staging folder; the parts' manifests are
 * merged with cdktf's own Manifest class and the result is committed all at
 * once, exactly like a single-threaded synth (lib/synth/atomic.ts). Any problem in
 * any part refuses the whole synth and leaves the output folder as it was.
 *
 * The main thread hands the other shares to workers (lib/synth/synth-pool.ts),
 * synthesizes the first share itself, then waits for the workers.
 */
import { Manifest } from "cdktf";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildBootstrap } from "../app/bootstrap";
import { buildEnvironments, buildStacks } from "../app";
import type { Adoptions, Config } from "../config";
import { type SynthAnswer, type SynthWorkerPool, plannedThreads } from "./synth-pool";
import { SynthError, synthesizeAtomically, synthesizeInto, withStaging } from "./atomic";

/**
 * How many more stacks than an equal share the main thread takes, because a
 * worker that was not started ahead of need spends about 0.4 s loading its
 * modules first (about 80 stacks on the 2-core reference machine).
 */
export const WORKER_START_STACKS = 80;

/**
 * The same when the workers were started ahead of need: a few stacks fewer,
 * since the main thread also merges the parts at the end. Measured on 2 cores
 * with equal shares: the main thread finished 50 to 170 ms after the worker
 * in four runs of 999 stacks, about 20 stacks' worth.
 */
export const PREWARMED_HEAD_START = -20;

export interface SynthConfigOptions {
  /** Final output folder (`cdktf.out`). */
  readonly outdir: string;
  /** Where local state files live. */
  readonly stateDir: string;
  /**
   * Threads to synthesize with, this one included: 1 synthesizes here only.
   * @default plannedThreads(): 1 below PARALLEL_MIN_STACKS stacks, else `cores` (at most MAX_THREADS)
   */
  readonly threads?: number;
  /**
   * Where the other threads come from.
   * @default none: synthesize in this thread only
   */
  readonly pool?: SynthWorkerPool;
  /** Cores available. @default 1 */
  readonly cores?: number;
  /** See BuildOptions.awsProviderVersion. @default the bindings' version */
  readonly awsProviderVersion?: string;
  /** See BuildOptions.adoptions. @default none */
  readonly adoptions?: Adoptions;
}

/** One thread's share. Plain data: it crosses the thread boundary. */
export interface SynthJob {
  readonly config: Config;
  readonly envNames: readonly string[];
  /** Whether this share also builds the Terraform Cloud bootstrap stack. */
  readonly bootstrap: boolean;
  readonly stagingDir: string;
  readonly outdir: string;
  readonly stateDir: string;
  readonly awsProviderVersion?: string;
  readonly adoptions?: Adoptions;
}

const stacksOf = (config: Config, envName: string) => 1 + config.environments[envName].consumers.length;

/** Synthesizes every environment of `config` into `options.outdir`, all-or-nothing. Throws SynthError on bad input. */
export function synthesizeConfig(config: Config, options: SynthConfigOptions): void {
  const outdir = path.resolve(options.outdir);
  const envNames = Object.keys(config.environments);
  const weight = (e: string) => stacksOf(config, e);
  const total = envNames.reduce((n, e) => n + weight(e), 0);
  const threads = plannedThreads(total, options.cores ?? 1, options.threads);
  const pool = options.pool;
  const headStart = pool && pool.idleWorkers >= threads - 1 ? PREWARMED_HEAD_START : WORKER_START_STACKS;
  const groups = pool ? partition(envNames, weight, Math.min(threads, envNames.length), headStart) : [envNames];
  if (!pool || groups.length <= 1) {
    pool?.close();
    synthesizeAtomically(outdir, (app) =>
      buildStacks(app, config, { stateDir: options.stateDir, outdir, awsProviderVersion: options.awsProviderVersion, adoptions: options.adoptions }),
    );
    return;
  }
  withStaging(outdir, (staging) => {
    // This thread's share goes straight into the staging folder; each
    // worker's into a part of it, merged in afterwards.
    const jobs: SynthJob[] = groups.map((envs, i) => ({
      config,
      envNames: envs,
      bootstrap: i === 0,
      stagingDir: i === 0 ? staging : path.join(staging, `part-${i}`),
      outdir,
      stateDir: options.stateDir,
      awsProviderVersion: options.awsProviderVersion,
      adoptions: options.adoptions,
    }));
    const [own, ...others] = jobs;
    for (const job of others) fs.mkdirSync(job.stagingDir);
    const running = pool.run(others);
    pool.close();
    // Always wait for every worker, even when this share failed: a worker
    // still writing into the staging folder must not outlive it.
    const results = [synthesizeShare(own), ...running.map((r) => r.awaitAnswer())];
    const crash = results.find((r) => r.crash)?.crash;
    if (crash) {
      // The message is the failure's first line; its stack trace is shown only on request (REDSHIFT_ENDPOINTS_DEBUG).
      const error = new Error(`a synth thread failed: ${crash.split("\n")[0]}`);
      error.stack = `${error.message}\n${crash}`;
      throw error;
    }
    const problems = results.flatMap((r) => r.problems);
    if (problems.length) throw new SynthError(problems);
    mergeParts(
      staging,
      others.map((j) => j.stagingDir),
    );
  });
}

/** Builds and synthesizes one share into its staging part. Returns the problems. */
export function runSynthJob(job: SynthJob): string[] {
  const options = { stateDir: job.stateDir, outdir: job.outdir, awsProviderVersion: job.awsProviderVersion, adoptions: job.adoptions };
  return synthesizeInto(job.stagingDir, (app) => {
    buildEnvironments(app, job.config, job.envNames, options);
    if (job.bootstrap) buildBootstrap(app, job.config, options);
  });
}

/** runSynthJob, with an unexpected failure turned into an answer: what each thread, main or worker, runs. */
export function synthesizeShare(job: SynthJob): SynthAnswer {
  try {
    return { problems: runSynthJob(job) };
  } catch (e) {
    return { problems: [], crash: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}

/**
 * Splits `items` into at most `parts` contiguous groups of about equal weight,
 * except that the first group gets `headStart` more (the share of the thread
 * that starts first), taken evenly from the others; a negative `headStart`
 * gives it fewer.
 */
export function partition<T>(items: readonly T[], weight: (item: T) => number, parts: number, headStart = 0): T[][] {
  const total = items.reduce((n, i) => n + weight(i), 0);
  const head = Math.min(Math.max(headStart, -total), total);
  // where group g ends, in cumulative weight: g+1 equal shares, plus the head start not yet paid back
  const end = (g: number) => ((g + 1) * total + head * (parts - 1 - g)) / parts;
  const groups: T[][] = [];
  let current: T[] = [];
  let filled = 0;
  for (const item of items) {
    current.push(item);
    filled += weight(item);
    if (groups.length < parts - 1 && filled >= end(groups.length)) {
      groups.push(current);
      current = [];
    }
  }
  if (current.length) groups.push(current);
  return groups;
}

/** Joins the workers' parts into `staging`, which holds this thread's share: the result is what one synth would have written. */
function mergeParts(staging: string, parts: readonly string[]): void {
  const readManifest = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, Manifest.fileName), "utf8")) as Pick<Manifest, "version" | "stacks">;
  const own = readManifest(staging);
  const manifest = new Manifest(own.version, staging, false);
  Object.assign(manifest.stacks, own.stacks);
  for (const part of parts) {
    Object.assign(manifest.stacks, readManifest(part).stacks);
    const stacksDir = path.join(part, Manifest.stacksFolder);
    for (const stack of fs.readdirSync(stacksDir)) {
      fs.renameSync(path.join(stacksDir, stack), path.join(staging, Manifest.stacksFolder, stack));
    }
    fs.rmSync(part, { recursive: true, force: true });
  }
  manifest.writeToFile();
}
