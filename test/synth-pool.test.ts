/**
 * The thread rule and the worker pool (lib/synth-pool.ts). The synth worker
 * itself is tested end to end in cli.test.ts; here a small echo worker speaks
 * the same protocol, so the pool's own behaviour is checked in isolation.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { MAX_THREADS, PARALLEL_MIN_STACKS, SynthWorkerPool, countStacks, plannedThreads, prewarmForConfig } from "../lib/synth-pool";
import { tempDir, validConfig } from "./helpers";

const ECHO_WORKER = path.join(__dirname, "fixtures", "echo-worker.js");

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
  test("runs each job in its own worker, prewarmed ones first, and returns every result", () => {
    const pool = new SynthWorkerPool(ECHO_WORKER);
    pool.prewarm(2);
    expect(pool.idleWorkers).toBe(2);
    const running = pool.run<{ n: number }, { doubled: number }>([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(pool.idleWorkers).toBe(0);
    expect(running.map((r) => r.awaitResult())).toEqual([{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }]);
  });

  test("close lets idle workers go without a job", () => {
    const pool = new SynthWorkerPool(ECHO_WORKER);
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
    const pool = new SynthWorkerPool(ECHO_WORKER);
    try {
      expect(prewarmForConfig(pool, file, 2, requested)).toBe(fs.readFileSync(file, "utf8"));
      expect(pool.idleWorkers).toBe(idle);
    } finally {
      pool.close();
    }
  });

  test("a missing file starts nothing and returns no text, so loading reports it", () => {
    const pool = new SynthWorkerPool(ECHO_WORKER);
    expect(prewarmForConfig(pool, "/nonexistent/c.json", 2)).toBeUndefined();
    expect(pool.idleWorkers).toBe(0);
  });
});
