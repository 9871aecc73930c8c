/**
 * `npm run bench:deploy`: how much longer an environment with three consumers
 * takes to deploy than one with a single consumer, against the AWS emulator.
 *
 * The floor is the one-consumer deploy, measured in the same run: the target
 * (three consumers within 1.5x of one) is a ratio to it, so it holds or fails
 * the same way on a faster or slower machine. The two environments deploy in
 * interleaved rounds (one, three; then three, one; ...), so a burst of load
 * from elsewhere hits both alike, and the verdict is on the medians, with the
 * ranges printed next to them.
 *
 * The three consumers are alike (each like the single one, in its own account
 * and VPC), so the ratio measures the side-by-side deploy and nothing else.
 * An environment whose consumers differ measures their differences too: a
 * consumer with `dns` creates its CNAME after its endpoint, and the provider
 * waits a random 10 to 30 s for each Route 53 change (changeMinDelay and
 * changeMaxDelay in internal/service/route53/wait.go), which alone moved that
 * ratio between 1.40 and 1.52 from one run to the next.
 *
 * This file schedules the rounds and judges and formats the results; the
 * deploy itself is a callback (benchDeployCommand in commands.ts runs it through
 * lib/rehearsal).
 */
import { median, table } from "./report";

/** One deploy, as the runner measured it. */
export interface DeploySample {
  /** Wall time of `cdktf deploy`, synth included. */
  readonly seconds: number;
  /** The longest the provider reported waiting for an endpoint (`Creation complete after Ns`). */
  readonly endpointWaitSeconds: number;
}

/** Deploys `environment` from scratch (a fresh emulator and state) and measures it; throws when the deploy fails. */
export type DeployRunner = (environment: string) => Promise<DeploySample>;

export interface DeployBenchOptions {
  /** Rounds; each deploys both environments once. */
  readonly rounds: number;
  /** The environment with one consumer (the floor). */
  readonly one: string;
  /** The environment with three consumers. */
  readonly three: string;
  /** The most `three` may take, as a multiple of `one` (ratio of medians). */
  readonly limit: number;
}

export const DEFAULT_DEPLOY_BENCH: DeployBenchOptions = { rounds: 3, one: "solo", three: "alike", limit: 1.5 };

/** Median and range of a row's samples, in seconds. */
export interface Spread {
  readonly samples: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface DeployBenchResult {
  readonly options: DeployBenchOptions;
  readonly one: Spread;
  readonly three: Spread;
  /** The provider's longest endpoint wait per deploy, over both environments. */
  readonly endpointWait: Spread;
  /** Each round's three / one. */
  readonly roundRatios: Spread;
  /** median(three) / median(one): what the target is judged on. */
  readonly ratio: number;
  readonly pass: boolean;
}

export function spread(samples: readonly number[]): Spread {
  if (samples.length === 0) throw new Error("spread of no samples");
  return { samples, median: median(samples), min: Math.min(...samples), max: Math.max(...samples) };
}

/** Which environment deploys first in round `round` (0-based): one first in even rounds, three first in odd ones. */
export function roundOrder(options: Pick<DeployBenchOptions, "one" | "three">, round: number): [string, string] {
  return round % 2 === 0 ? [options.one, options.three] : [options.three, options.one];
}

/** Runs the rounds; `log` hears each deploy as it ends. A failed deploy ends the bench (the runner's error propagates). */
export async function runDeployBench(run: DeployRunner, options: DeployBenchOptions, log: (line: string) => void): Promise<DeployBenchResult> {
  const samples = new Map<string, DeploySample[]>([
    [options.one, []],
    [options.three, []],
  ]);
  for (let round = 0; round < options.rounds; round++) {
    for (const environment of roundOrder(options, round)) {
      const sample = await run(environment);
      samples.get(environment)?.push(sample);
      log(`round ${round + 1}/${options.rounds}: ${environment} deployed in ${sample.seconds.toFixed(1)} s (endpoint wait ${sample.endpointWaitSeconds} s)`);
    }
  }
  return judgeDeployBench(options, samples.get(options.one) ?? [], samples.get(options.three) ?? []);
}

/** The verdict on paired samples (`one[i]` and `three[i]` from round i). */
export function judgeDeployBench(options: DeployBenchOptions, one: readonly DeploySample[], three: readonly DeploySample[]): DeployBenchResult {
  if (one.length !== three.length) throw new Error(`unpaired samples: ${one.length} of ${options.one}, ${three.length} of ${options.three}`);
  const oneSpread = spread(one.map((s) => s.seconds));
  const threeSpread = spread(three.map((s) => s.seconds));
  const ratio = threeSpread.median / oneSpread.median;
  return {
    options,
    one: oneSpread,
    three: threeSpread,
    endpointWait: spread([...one, ...three].map((s) => s.endpointWaitSeconds)),
    roundRatios: spread(three.map((s, i) => s.seconds / one[i].seconds)),
    ratio,
    pass: ratio <= options.limit,
  };
}

/** The table and the verdict, as `npm run bench:deploy` prints them. */
export function formatDeployBench(result: DeployBenchResult): string {
  const s = (n: number) => n.toFixed(1);
  const row = (label: string, x: Spread, digits = s) => [label, String(x.samples.length), digits(x.median), `${digits(x.min)}-${digits(x.max)}`];
  const ratioDigits = (n: number) => n.toFixed(2);
  const lines = [
    row(`deploy s, 1 consumer (${result.options.one}): the floor`, result.one),
    row(`deploy s, 3 consumers (${result.options.three})`, result.three),
    row("provider's endpoint wait s, per deploy", result.endpointWait),
    row("3 consumers / 1, per round", result.roundRatios, ratioDigits),
  ];
  const verdict = `3 consumers / 1 consumer: ${ratioDigits(result.ratio)}x (ratio of medians; target <= ${result.options.limit}x): ${result.pass ? "pass" : "FAIL"}`;
  return `${table(["row", "runs", "median", "range"], lines, new Set([1, 2, 3]))}\n${verdict}\n`;
}
