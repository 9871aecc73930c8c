/**
 * `npm run bench:drift`: how `npm run drift` scales with the consumers of an
 * environment, 1, 3 and 10 of them (two accounts, five VPCs each at 10), each
 * next to a plain `plan` of the same stacks side by side: the floor the engine
 * itself sets on this machine, measured in the same run.
 *
 * Each environment is deployed once against its own emulator; then, in
 * interleaved rounds (the order turns each round), drift runs as a user runs it
 * (`npm run drift`, synth included) and the plain plan runs in the deploy's own
 * stack folders. The verdict is on the medians, with ranges beside them.
 *
 * Targets (issue 21): 3 consumers within 1.5x of 1, 10 within 3x. Unlike a
 * deploy, which waits on AWS, a drift check is all CPU: on a machine with
 * fewer cores than stacks, no side-by-side check can beat the cores, so each
 * target is also set against the plain plan's own ratio. A target is met, or
 * it is out of reach here (the plain plan's ratio is over it too) and drift
 * scales within 1.25x of the plain plan's ratio; otherwise the bench fails.
 * Where the CPU goes, per step of one stack, is measured too.
 *
 * This file schedules, judges and formats; the runs are callbacks
 * (benchDriftCommand in commands.ts runs them through lib/rehearsal).
 */
import { type Spread, spread } from "./deploy";
import { table } from "./report";

/** The sizes measured, and the most drift may take at each, as a multiple of 1 consumer. */
export const DRIFT_TARGETS: ReadonlyArray<{ readonly consumers: number; readonly limit?: number }> = [
  { consumers: 1 },
  { consumers: 3, limit: 1.5 },
  { consumers: 10, limit: 3 },
];
/** How much worse than the plain plan drift may scale where the target is out of reach. */
export const FLOOR_SLACK = 1.25;

/** One round's measures of one size. */
export interface DriftSample {
  /** Wall time of `npm run drift`, synth included. */
  readonly drift: number;
  /** Wall time of a plain plan of every stack, side by side. */
  readonly plan: number;
}

/** Runs one size once; throws when drift finds drift or fails. */
export type DriftRunner = (consumers: number) => Promise<DriftSample>;

export interface DriftSizeResult {
  readonly consumers: number;
  readonly drift: Spread;
  readonly plan: Spread;
  /** median drift / median drift of 1 consumer. */
  readonly driftRatio: number;
  /** median plan / median plan of 1 consumer: the floor's own scaling. */
  readonly planRatio: number;
  readonly limit?: number;
  readonly verdict: "floor" | "pass" | "out of reach here, within the floor" | "FAIL";
}

/** Which sizes run first in round `round`: the order turns by one each round. */
export function driftRoundOrder(sizes: readonly number[], round: number): number[] {
  const k = round % sizes.length;
  return [...sizes.slice(k), ...sizes.slice(0, k)];
}

export async function runDriftBench(run: DriftRunner, rounds: number, log: (line: string) => void): Promise<DriftSizeResult[]> {
  const sizes = DRIFT_TARGETS.map((t) => t.consumers);
  const samples = new Map<number, DriftSample[]>(sizes.map((s) => [s, []]));
  for (let round = 0; round < rounds; round++)
    for (const size of driftRoundOrder(sizes, round)) {
      const sample = await run(size);
      samples.get(size)?.push(sample);
      log(`round ${round + 1}/${rounds}: ${size} consumer(s): drift ${sample.drift.toFixed(1)} s, plain plan ${sample.plan.toFixed(1)} s`);
    }
  return judgeDriftBench(samples);
}

export function judgeDriftBench(samples: ReadonlyMap<number, readonly DriftSample[]>): DriftSizeResult[] {
  const of = (n: number) => samples.get(n) ?? [];
  const base = { drift: spread(of(1).map((s) => s.drift)), plan: spread(of(1).map((s) => s.plan)) };
  return DRIFT_TARGETS.map(({ consumers, limit }) => {
    const drift = spread(of(consumers).map((s) => s.drift));
    const plan = spread(of(consumers).map((s) => s.plan));
    const driftRatio = drift.median / base.drift.median;
    const planRatio = plan.median / base.plan.median;
    const verdict =
      limit === undefined
        ? "floor"
        : driftRatio <= limit
          ? "pass"
          : planRatio > limit && driftRatio <= planRatio * FLOOR_SLACK
            ? "out of reach here, within the floor"
            : "FAIL";
    return { consumers, drift, plan, driftRatio, planRatio, limit, verdict };
  });
}

/** Where one stack's check spends its CPU: each step, user + system seconds of the engine and its provider. */
export interface CpuStep {
  readonly step: string;
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
}

/** The CPU measures: each step of one consumer stack's check, the steps of the two-plan check it replaced, and a plain plan of that stack. */
export interface DriftCpu {
  readonly steps: readonly CpuStep[];
  readonly replaced: readonly CpuStep[];
  readonly floor: CpuStep;
}

export function formatDriftBench(results: readonly DriftSizeResult[], cpu: DriftCpu, cores: number): string {
  const s = (n: number) => n.toFixed(1);
  const r = (n: number) => n.toFixed(2);
  const lines = results.map((x) => [
    `${x.consumers} consumer(s), ${x.consumers + 1} stacks`,
    String(x.drift.samples.length),
    `${s(x.drift.median)} (${s(x.drift.min)}-${s(x.drift.max)})`,
    `${s(x.plan.median)} (${s(x.plan.min)}-${s(x.plan.max)})`,
    r(x.drift.median / x.plan.median),
    `${r(x.driftRatio)}x`,
    `${r(x.planRatio)}x`,
    x.limit === undefined ? "-" : `<= ${x.limit}x`,
    x.verdict,
  ]);
  const stepsCpu = cpu.steps.reduce((n, c) => n + c.cpuSeconds, 0);
  const cpuLines = [
    ...cpu.steps.map((c) => [c.step, s(c.cpuSeconds), s(c.wallSeconds), `${Math.round((100 * c.cpuSeconds) / stepsCpu)}%`]),
    ["all steps of the stack", s(stepsCpu), "-", "100%"],
    [cpu.floor.step, s(cpu.floor.cpuSeconds), s(cpu.floor.wallSeconds), "-"],
    [
      `before: ${cpu.replaced.map((c) => c.step).join(", ")}`,
      s(cpu.replaced.reduce((n, c) => n + c.cpuSeconds, 0)),
      s(cpu.replaced.reduce((n, c) => n + c.wallSeconds, 0)),
      "-",
    ],
  ];
  return [
    `npm run drift against a plain plan of the same stacks, side by side, on ${cores} core(s); seconds, median (range):`,
    table(
      ["environment", "runs", "drift s", "plain plan s", "drift / plan", "drift vs 1", "plain plan vs 1", "target", "verdict"],
      lines,
      new Set([1, 2, 3, 4, 5, 6]),
    ),
    "",
    "Where one consumer stack's check spends its CPU (user + system of the engine and its provider):",
    table(["step", "CPU s", "wall s", "share"], cpuLines, new Set([1, 2, 3])),
    "",
  ].join("\n");
}

/** Whether every size met its target, or stayed within the floor where the target is out of reach. */
export const driftBenchPasses = (results: readonly DriftSizeResult[]): boolean => results.every((r) => r.verdict !== "FAIL");
