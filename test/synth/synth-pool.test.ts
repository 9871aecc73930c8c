/**
 * The thread rule and the worker pool (lib/synth/synth-pool.ts). The synth worker
 * itself is tested end to end in cli.test.ts; here the pool runs a small
 * worker (test/fixtures/pool-worker.ts) built on the same serveOneJob, so the
 * protocol, crashes included, is checked on its own.
 */
import { buildSync } from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseConfig } from "../../lib/config";
import { synthesizeConfig } from "../../lib/synth/parallel-synth";
import { MAX_THREADS, PARALLEL_MIN_STACKS, SynthWorkerPool, countStacks, plannedThreads, prewarmForConfig } from "../../lib/synth/synth-pool";
import { STACK_TRACE, tempDir, validConfig } from "../helpers";

/**
 * The fixture worker bundled to JavaScript (a worker thread runs plain JS),
 * with POOL_WORKER_MODE fixed at build time: jest's process.env is its own
 * copy, which worker threads do not see.
 */
const bundles = new Map<string, string>();
function poolWorker(mode = "serve"): string {
  let file = bundles.get(mode);
  if (!file) {
    file = path.join(tempDir(), `pool-worker-${mode}.js`);
    buildSync({
      entryPoints: [path.join(__dirname, "..", "fixtures", "pool-worker.ts")],
      outfile: file,
      bundle: true,
      platform: "node",
      define: { "process.env.POOL_WORKER_MODE": JSON.stringify(mode) },
      logLevel: "warning",
    });
    bundles.set(mode, file);
  }
  return file;
}

/** A raw config with `environments` environments of one producer and two consumers. */
function rawConfig(environments: number) {
  const env = validConfig().environments.dev;
  env.consumers.push({ ...env.consumers[0], name: "ml" });
  return { environments: Object.fromEntries(Array.from({ length: environments }, (_, i) => [`e${i}`, env])) };
}

describe("plannedThreads", () => {
  test.each([
    [PARALLEL_MIN_STACKS - 1, 2, undefined, 1],
    [PARALLEL_MIN_STACKS, 2, undefined, 2],
    [PARALLEL_MIN_STACKS, 1, undefined, 1],
    [5000, 64, undefined, MAX_THREADS],
    [6, 2, 3, 3],
    [5000, 2, 1, 1],
  ])("%d stacks on %d cores, %s requested: %d threads", (stacks, cores, requested, expected) => {
    expect(plannedThreads(stacks, cores, requested)).toBe(expected);
  });
});

describe("countStacks", () => {
  test("counts one producer and the consumers of every environment", () => {
    expect(countStacks(rawConfig(3))).toBe(9);
  });

  test.each([
    [null, 0],
    ["text", 0],
    [{}, 0],
    [{ environments: 3 }, 0],
    [{ environments: { dev: null } }, 1],
    [{ environments: { dev: { consumers: "x" } } }, 1],
  ])("reads what it can of malformed input %j without throwing: %d", (raw, expected) => {
    expect(countStacks(raw)).toBe(expected);
  });
});

describe("SynthWorkerPool", () => {
  test("runs each job in its own worker, prewarmed ones first, and returns every answer", () => {
    const pool = new SynthWorkerPool(poolWorker());
    pool.prewarm(2);
    expect(pool.idleWorkers).toBe(2);
    const running = pool.run([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(pool.idleWorkers).toBe(0);
    expect(running.map((r) => r.awaitAnswer())).toEqual([{ problems: ["job 1"] }, { problems: ["job 2"] }, { problems: ["job 3"] }]);
  });

  test.each([
    ["crash-loading", "Error: cannot load the synth modules"],
    ["crash-running", "Error: job 7 failed"],
  ])("a worker that fails (%s) answers with the crash at once, not after the time-out", (mode, crash) => {
    const pool = new SynthWorkerPool(poolWorker(mode));
    const started = Date.now();
    const [answer] = pool.run([{ n: 7 }]).map((r) => r.awaitAnswer());
    expect(answer.problems).toEqual([]);
    expect(answer.crash).toContain(crash);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test("a synth whose worker crashes fails with the first line only, the trace kept for debugging, and writes nothing", () => {
    const raw = validConfig();
    raw.environments.stg = { ...structuredClone(raw.environments.dev), region: "eu-west-1" };
    const outdir = path.join(tempDir(), "cdktf.out");
    const pool = new SynthWorkerPool(poolWorker("crash-running"));
    pool.prewarm(1); // as main.ts does; without it, 4 stacks would all stay on the main thread
    let error: Error | undefined;
    try {
      synthesizeConfig(parseConfig(raw), { outdir, stateDir: tempDir(), threads: 2, pool });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toBe("a synth thread failed: Error: job undefined failed");
    expect(error?.stack).toMatch(STACK_TRACE);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual([]);
  });

  test("close lets idle workers go without a job", () => {
    const pool = new SynthWorkerPool(poolWorker());
    pool.prewarm(1);
    pool.close();
    expect(pool.idleWorkers).toBe(0);
  });
});

describe("prewarmForConfig", () => {
  const cases: Array<[string, (file: string) => void, number | undefined, number]> = [
    ["a config big enough for two threads", (f) => fs.writeFileSync(f, JSON.stringify(rawConfig(PARALLEL_MIN_STACKS / 3))), undefined, 1],
    ["a small config", (f) => fs.writeFileSync(f, JSON.stringify(rawConfig(2))), undefined, 0],
    ["a small config with 3 threads requested", (f) => fs.writeFileSync(f, JSON.stringify(rawConfig(2))), 3, 2],
    ["a thread count synth will refuse", (f) => fs.writeFileSync(f, JSON.stringify(rawConfig(2))), 0, 0],
    ["a file that is not JSON", (f) => fs.writeFileSync(f, "{ nope"), 2, 0],
  ];
  test.each(cases)("%s: returns the text and starts the workers the synth will use", (_, write, requested, idle) => {
    const file = path.join(tempDir(), "c.json");
    write(file);
    const pool = new SynthWorkerPool(poolWorker());
    try {
      expect(prewarmForConfig(pool, file, 2, requested)).toBe(fs.readFileSync(file, "utf8"));
      expect(pool.idleWorkers).toBe(idle);
    } finally {
      pool.close();
    }
  });

  test("a missing file starts nothing and returns no text, so loading reports it", () => {
    const pool = new SynthWorkerPool(poolWorker());
    expect(prewarmForConfig(pool, "/nonexistent/c.json", 2)).toBeUndefined();
    expect(pool.idleWorkers).toBe(0);
  });
});
