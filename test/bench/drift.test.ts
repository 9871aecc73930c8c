/**
 * `npm run bench:drift`'s schedule and verdicts (lib/bench/drift.ts); the
 * runs themselves are real only in the bench.
 */
import { type DriftSample, driftBenchPasses, driftRoundOrder, formatDriftBench, judgeDriftBench, runDriftBench } from "../../lib/bench/drift";

const samples = (rows: Record<number, Array<[number, number]>>): Map<number, DriftSample[]> =>
  new Map(Object.entries(rows).map(([n, list]) => [Number(n), list.map(([drift, plan]) => ({ drift, plan }))]));

test("the order of the sizes turns each round, so load from elsewhere hits every size alike", () => {
  expect([0, 1, 2, 3].map((r) => driftRoundOrder([1, 3, 10], r))).toEqual([
    [1, 3, 10],
    [3, 10, 1],
    [10, 1, 3],
    [1, 3, 10],
  ]);
});

test("a target met passes; one missed fails", () => {
  const met = judgeDriftBench(samples({ 1: [[10, 5]], 3: [[14, 6]], 10: [[29, 12]] }));
  expect(met.map((r) => [r.consumers, r.driftRatio.toFixed(2), r.verdict])).toEqual([
    [1, "1.00", "floor"],
    [3, "1.40", "pass"],
    [10, "2.90", "pass"],
  ]);
  expect(driftBenchPasses(met)).toBe(true);
  const missed = judgeDriftBench(samples({ 1: [[10, 5]], 3: [[16, 6]], 10: [[29, 12]] }));
  expect(missed[1].verdict).toBe("FAIL");
  expect(driftBenchPasses(missed)).toBe(false);
});

test("out of reach here: the plain plan's own ratio is over the target; drift passes only within 1.25x of it", () => {
  const bound = judgeDriftBench(samples({ 1: [[10, 5]], 3: [[24, 10]], 10: [[60, 27]] }));
  expect(bound.map((r) => `${r.consumers}: ${r.driftRatio.toFixed(2)} vs ${r.planRatio.toFixed(2)} ${r.verdict}`)).toEqual([
    "1: 1.00 vs 1.00 floor",
    "3: 2.40 vs 2.00 out of reach here, within the floor",
    "10: 6.00 vs 5.40 out of reach here, within the floor",
  ]);
  const worse = judgeDriftBench(samples({ 1: [[10, 5]], 3: [[26, 10]], 10: [[60, 27]] }));
  expect(worse[1].verdict).toBe("FAIL");
});

test("runs every size each round and judges the medians; a failed run ends the bench", async () => {
  const seen: number[] = [];
  const results = await runDriftBench(
    async (n) => {
      seen.push(n);
      return { drift: n, plan: n / 2 };
    },
    2,
    () => undefined,
  );
  expect(seen).toEqual([1, 3, 10, 3, 10, 1]);
  expect(results.map((r) => r.drift.median)).toEqual([1, 3, 10]);
  await expect(
    runDriftBench(
      async () => Promise.reject(new Error("drift1: npm run drift exited 2")),
      1,
      () => undefined,
    ),
  ).rejects.toThrow("exited 2");
});

test("the report names every column and the CPU of each step with its share", () => {
  const results = judgeDriftBench(samples({ 1: [[10, 5]], 3: [[14, 6]], 10: [[29, 12]] }));
  const step = (name: string, cpu: number) => ({ step: name, cpuSeconds: cpu, wallSeconds: cpu });
  const text = formatDriftBench(results, { steps: [step("init", 1), step("plan", 3)], replaced: [step("a", 4), step("b", 5)], floor: step("floor", 2) }, 2);
  expect(text).toContain("on 2 core(s)");
  expect(text).toMatch(/environment +runs +drift s +plain plan s +drift \/ plan +drift vs 1 +plain plan vs 1 +target +verdict/);
  expect(text).toMatch(/3 consumer\(s\), 4 stacks +1 +14\.0 \(14\.0-14\.0\) +6\.0 \(6\.0-6\.0\) +2\.33 +1\.40x +1\.20x +<= 1\.5x +pass/);
  expect(text).toMatch(/plan +3\.0 +3\.0 +75%/);
  expect(text).toMatch(/before: a, b +9\.0 +9\.0 +-/);
});
