/**
 * Worker threads for synth, and the rule for how many threads a synth uses.
 *
 * Only node built-ins are imported here, so main.ts can load this module and
 * start workers before it loads cdktf, the provider bindings and zod: each
 * worker then loads its own copy of those while the main thread loads, reads
 * and validates the config, instead of afterwards (about 0.4 s on the 2-core
 * reference machine).
 *
 * A worker runs the same entry script as the main thread (main.ts), which
 * calls `serveOneJob`: it waits for one job on its port, runs it, posts the
 * answer and raises a flag in a shared buffer. The main thread waits for that
 * flag with Atomics.wait and reads the answer with receiveMessageOnPort, so
 * callers stay synchronous. A worker that fails, even while loading its
 * modules, answers with the crash instead of leaving the main thread waiting.
 */
import { readFileSync } from "node:fs";
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort, workerData } from "node:worker_threads";

/**
 * From this many stacks on, synth uses one thread per core (at most
 * MAX_THREADS). Below it a second thread gains too little to be worth its
 * memory (measured on 2 cores, medians of 6: 300 stacks took 1.97 s on one
 * thread and 2.08 s on two; 999 stacks about 5.1 s and 4.7 s).
 */
export const PARALLEL_MIN_STACKS = 600;

/** More threads than this stop paying for the node modules each one loads. */
export const MAX_THREADS = 4;

/** How long the main thread waits for one worker before giving up. */
const WORKER_TIMEOUT_MS = 10 * 60 * 1000;

/** What a worker receives when it starts (plain data and a transferred port). */
export interface SynthWorkerData {
  /** One Int32 flag, raised to 1 when the result has been posted. */
  readonly signal: SharedArrayBuffer;
  readonly port: MessagePort;
}

/** What a worker answers: its share's problems (empty on success), or the unexpected failure that stopped it. */
export interface SynthAnswer {
  readonly problems: readonly string[];
  /** An unexpected failure, with its stack trace. */
  readonly crash?: string;
}

/** Whether `n` is a thread count synth accepts: a whole number, at least 1. */
export function isThreadCount(n: number): boolean {
  return Number.isInteger(n) && n >= 1;
}

/** Threads a synth of `stacks` stacks uses, this one included. */
export function plannedThreads(stacks: number, cores: number, requested?: number): number {
  if (requested !== undefined) return requested;
  return stacks >= PARALLEL_MIN_STACKS ? Math.max(1, Math.min(cores, MAX_THREADS)) : 1;
}

/**
 * Stacks a config will produce, counted from its raw JSON before it is
 * validated (one producer per environment plus its consumers). Anything it
 * cannot read counts as 0; validation reports it later.
 */
export function countStacks(raw: unknown): number {
  const environments = (raw as { environments?: unknown } | null)?.environments;
  if (typeof environments !== "object" || environments === null) return 0;
  let stacks = 0;
  for (const env of Object.values(environments)) {
    const consumers = (env as { consumers?: unknown } | null)?.consumers;
    stacks += 1 + (Array.isArray(consumers) ? consumers.length : 0);
  }
  return stacks;
}

interface IdleWorker {
  readonly flags: Int32Array;
  readonly port: MessagePort;
}

/** A job handed to a worker; `awaitAnswer` returns what the worker posted. */
export interface RunningJob {
  awaitAnswer(): SynthAnswer;
}

/** Synth worker threads, all running `entry`; started ahead of need with `prewarm`. */
export class SynthWorkerPool {
  private readonly idle: IdleWorker[] = [];

  /** @param entry the script a worker runs; on a worker thread it must call `serveOneJob()` (main.ts does). */
  constructor(private readonly entry: string) {}

  /** Workers started and not yet given a job. */
  get idleWorkers(): number {
    return this.idle.length;
  }

  /** Starts workers until `count` are idle. They load their modules at once. */
  prewarm(count: number): void {
    while (this.idle.length < count) this.idle.push(this.startWorker());
  }

  /** Hands each job to an idle worker, starting more as needed. */
  run(jobs: readonly unknown[]): RunningJob[] {
    return jobs.map((job) => {
      const worker = this.idle.shift() ?? this.startWorker();
      worker.port.postMessage(job);
      return { awaitAnswer: () => awaitAnswer(worker) };
    });
  }

  /** Lets every idle worker exit without a job. */
  close(): void {
    for (const worker of this.idle.splice(0)) worker.port.close();
  }

  private startWorker(): IdleWorker {
    const { port1, port2 } = new MessageChannel();
    const flags = new Int32Array(new SharedArrayBuffer(4));
    const data: SynthWorkerData = { signal: flags.buffer as SharedArrayBuffer, port: port2 };
    const worker = new Worker(this.entry, { workerData: data, transferList: [port2] });
    worker.unref(); // never keeps the process alive: the main thread waits for answers itself
    // An "error" event can only be delivered once the synchronous caller is
    // done, since the main thread never yields while it waits. By then a
    // failure has been reported through the worker's answer (serveOneJob),
    // and an idle worker that was let go has no one left to report to.
    // Without a listener, node would make it an uncaught exception of the
    // main thread, with a stack trace after the synth's own message.
    worker.on("error", () => undefined);
    return { flags, port: port1 };
  }
}

function awaitAnswer({ flags, port }: IdleWorker): SynthAnswer {
  const deadline = Date.now() + WORKER_TIMEOUT_MS;
  while (Atomics.load(flags, 0) === 0) {
    if (Date.now() > deadline) throw new Error(`a synth worker gave no answer within ${WORKER_TIMEOUT_MS / 1000} s`);
    Atomics.wait(flags, 0, 0, 1000);
  }
  let message = receiveMessageOnPort(port);
  for (let tries = 0; !message && tries < 100; tries++) {
    Atomics.wait(flags, 0, 1, 10); // the flag is up; the message is a moment behind it
    message = receiveMessageOnPort(port);
  }
  port.close();
  if (!message) throw new Error("a synth worker raised its flag but sent no answer");
  return message.message as SynthAnswer;
}

/**
 * Worker side, the whole of it: waits for one job on the port in workerData
 * and answers it with `load()(job)`. `load` runs first, so the worker loads
 * its modules while the main thread is still busy. Any uncaught error, in
 * `load` or in the job, is answered as a crash and ends the worker.
 */
export function serveOneJob<J>(load: () => (job: J) => SynthAnswer): void {
  const { signal, port } = workerData as SynthWorkerData;
  const answer = (result: SynthAnswer) => {
    port.postMessage(result);
    const flags = new Int32Array(signal);
    Atomics.store(flags, 0, 1);
    Atomics.notify(flags, 0);
    port.close();
  };
  process.on("uncaughtException", (e) => {
    answer({ problems: [], crash: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    process.exit(1);
  });
  const handle = load();
  port.once("message", (job: J) => answer(handle(job)));
}

/**
 * Reads the config file and, when it will produce enough stacks for more
 * than one thread, starts the workers now. Returns the file's text (for
 * loadConfig, so the file is read once), or undefined when it cannot be read
 * (loadConfig then reports why).
 */
export function prewarmForConfig(pool: SynthWorkerPool, configFile: string, cores: number, requested?: number): string | undefined {
  let text: string;
  try {
    text = readFileSync(configFile, "utf8");
  } catch {
    return undefined;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    return text;
  }
  // a refused count starts nothing: synth reports it
  if (requested === undefined || isThreadCount(requested)) pool.prewarm(plannedThreads(countStacks(raw), cores, requested) - 1);
  return text;
}
