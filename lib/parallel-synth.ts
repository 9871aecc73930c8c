/**
 * Synthesis of a whole config, split across worker threads when it is large.
 *
 * Environments never reference each other, so each worker synthesizes a
 * share of them into its own part of one staging folder; the parts' manifests
 * are merged with cdktf's own Manifest class and the result is committed all
 * at once, exactly like a single-threaded synth (lib/synth.ts). Any problem in
 * any part refuses the whole synth and leaves the output folder as it was.
 *
 * The main thread waits for the workers synchronously (Atomics.wait on a
 * shared flag per worker, then receiveMessageOnPort), so callers stay
 * synchronous.
 */
import { Manifest } from "cdktf";
import * as fs from "node:fs";
import * as path from "node:path";
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort, workerData } from "node:worker_threads";
import { buildBootstrap } from "./bootstrap";
import { buildEnvironments, buildStacks } from "./app";
import { Config } from "./config";
import { SynthError, synthesizeAtomically, synthesizeInto, withStaging } from "./synth";

/** Below this many stacks one thread is as fast as two (measured on 2 cores: 300 stacks 2.8 s either way; 999 stacks 6.1 s vs 4.8 s). */
export const PARALLEL_MIN_STACKS = 600;

/** How long the main thread waits for one worker before giving up. */
const WORKER_TIMEOUT_MS = 10 * 60 * 1000;

export interface SynthConfigOptions {
  /** Final output folder (`cdktf.out`). */
  readonly outdir: string;
  /** Where local state files live. */
  readonly stateDir: string;
  /**
   * Worker threads to use.
   * @default one thread below PARALLEL_MIN_STACKS stacks, else the available cores (at most 4)
   */
  readonly workers?: number;
  /**
   * The compiled script a worker runs; it must call `runSynthWorker()` when not
   * on the main thread (main.ts does).
   * @default none: synthesize in this thread
   */
  readonly workerEntry?: string;
  /** Cores available. @default 1 */
  readonly cores?: number;
}

/** One worker's share. Plain data: it crosses the thread boundary. */
export interface SynthJob {
  readonly config: Config;
  readonly envNames: readonly string[];
  /** Whether this share also builds the Terraform Cloud bootstrap stack. */
  readonly bootstrap: boolean;
  readonly stagingDir: string;
  readonly outdir: string;
  readonly stateDir: string;
}

interface SynthJobResult {
  readonly problems: readonly string[];
  /** An unexpected failure, with its stack trace. */
  readonly crash?: string;
}

interface WorkerInput {
  readonly job: SynthJob;
  readonly signal: SharedArrayBuffer;
  readonly index: number;
  readonly port: MessagePort;
}

const stacksOf = (config: Config, envName: string) => 1 + config.environments[envName].consumers.length;

/** Synthesizes every environment of `config` into `options.outdir`, all-or-nothing. Throws SynthError on bad input. */
export function synthesizeConfig(config: Config, options: SynthConfigOptions): void {
  const outdir = path.resolve(options.outdir);
  const envNames = Object.keys(config.environments);
  const total = envNames.reduce((n, e) => n + stacksOf(config, e), 0);
  const workers = options.workers ?? (total >= PARALLEL_MIN_STACKS ? Math.min(options.cores ?? 1, 4) : 1);
  const groups = partition(envNames, (e) => stacksOf(config, e), Math.min(workers, envNames.length));
  if (groups.length <= 1 || !options.workerEntry) {
    synthesizeAtomically(outdir, (app) => buildStacks(app, config, { stateDir: options.stateDir, outdir }));
    return;
  }
  const entry = options.workerEntry;
  withStaging(outdir, (staging) => {
    const jobs: SynthJob[] = groups.map((envs, i) => ({
      config,
      envNames: envs,
      bootstrap: i === 0,
      stagingDir: path.join(staging, `part-${i}`),
      outdir,
      stateDir: options.stateDir,
    }));
    for (const job of jobs) fs.mkdirSync(job.stagingDir);
    const results = runInWorkers(entry, jobs);
    const crash = results.find((r) => r.crash);
    if (crash) throw new Error(`a synth worker failed: ${crash.crash}`);
    const problems = results.flatMap((r) => r.problems);
    if (problems.length) throw new SynthError(problems);
    mergeParts(staging, jobs.map((j) => j.stagingDir));
  });
}

/** Worker side: runs the job in workerData, posts the result, raises the flag. */
export function runSynthWorker(): void {
  const { job, signal, index, port } = workerData as WorkerInput;
  let result: SynthJobResult;
  try {
    result = { problems: runSynthJob(job) };
  } catch (e) {
    result = { problems: [], crash: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  port.postMessage(result);
  const flags = new Int32Array(signal);
  Atomics.store(flags, index, 1);
  Atomics.notify(flags, index);
  port.close();
}

/** Builds and synthesizes one share into its staging part. Returns the problems. */
export function runSynthJob(job: SynthJob): string[] {
  const options = { stateDir: job.stateDir, outdir: job.outdir };
  return synthesizeInto(job.stagingDir, (app) => {
    buildEnvironments(app, job.config, job.envNames, options);
    if (job.bootstrap) buildBootstrap(app, job.config, options);
  });
}

/** Splits `items` into at most `parts` contiguous groups of about equal weight. */
export function partition<T>(items: readonly T[], weight: (item: T) => number, parts: number): T[][] {
  const total = items.reduce((n, i) => n + weight(i), 0);
  const groups: T[][] = [];
  let current: T[] = [];
  let filled = 0;
  for (const item of items) {
    current.push(item);
    filled += weight(item);
    if (groups.length < parts - 1 && filled >= (total * (groups.length + 1)) / parts) {
      groups.push(current);
      current = [];
    }
  }
  if (current.length) groups.push(current);
  return groups;
}

function runInWorkers(entry: string, jobs: readonly SynthJob[]): SynthJobResult[] {
  const flags = new Int32Array(new SharedArrayBuffer(4 * jobs.length));
  const running = jobs.map((job, index) => {
    const { port1, port2 } = new MessageChannel();
    const input: WorkerInput = { job, signal: flags.buffer as SharedArrayBuffer, index, port: port2 };
    const worker = new Worker(entry, { workerData: input, transferList: [port2] });
    worker.unref();
    return port1;
  });
  return running.map((port, index) => {
    const deadline = Date.now() + WORKER_TIMEOUT_MS;
    while (Atomics.load(flags, index) === 0) {
      if (Date.now() > deadline) throw new Error(`synth worker ${index} gave no answer within ${WORKER_TIMEOUT_MS / 1000} s`);
      Atomics.wait(flags, index, 0, 1000);
    }
    let message = receiveMessageOnPort(port);
    for (let tries = 0; !message && tries < 100; tries++) {
      Atomics.wait(flags, index, 1, 10); // the flag is up; the message is a moment behind it
      message = receiveMessageOnPort(port);
    }
    port.close();
    if (!message) throw new Error(`synth worker ${index} raised its flag but sent no result`);
    return message.message as SynthJobResult;
  });
}

/** Joins the parts' stacks and manifests into `staging`, as one synth would have written them. */
function mergeParts(staging: string, parts: readonly string[]): void {
  const first = JSON.parse(fs.readFileSync(path.join(parts[0], Manifest.fileName), "utf8")) as { version: string };
  const manifest = new Manifest(first.version, staging, false);
  for (const part of parts) {
    const partManifest = JSON.parse(fs.readFileSync(path.join(part, Manifest.fileName), "utf8")) as Pick<Manifest, "stacks">;
    Object.assign(manifest.stacks, partManifest.stacks);
    const stacksDir = path.join(part, Manifest.stacksFolder);
    for (const stack of fs.readdirSync(stacksDir)) {
      fs.renameSync(path.join(stacksDir, stack), path.join(staging, Manifest.stacksFolder, stack));
    }
    fs.rmSync(part, { recursive: true, force: true });
  }
  manifest.writeToFile();
}
