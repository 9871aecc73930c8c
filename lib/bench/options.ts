/**
 * The command line of `npm run bench` (scripts/bench.ts), parsed into options.
 */
import * as path from "node:path";

export interface Options {
  /** Runs per row; undefined means the per-row default. */
  readonly runs?: number;
  readonly quick: boolean;
  readonly skipTests: boolean;
  readonly jsonOut: string;
  /** --help: print USAGE and run nothing. */
  readonly help: boolean;
}

export const USAGE = `usage: npm run bench -- [--runs N] [--quick] [--skip-tests] [--json-out FILE]
  --runs N         runs per row (default: 5 for synth and floor rows, 3 for test rows)
  --quick          1 run per row and no warm-up of the test rows: checks the script works, numbers are noisy
  --skip-tests     leave out the tsc and jest rows
  --json-out FILE  where to write the results (default: .bench/results.json)`;

export class UsageError extends Error {}

export function parseOptions(argv: readonly string[], root: string): Options {
  let runs: number | undefined;
  let quick = false;
  let skipTests = false;
  let jsonOut = path.join(root, ".bench", "results.json");
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case "--runs": {
        const text = value();
        const n = Number(text);
        if (!Number.isInteger(n) || n < 1) throw new UsageError(`--runs must be a whole number of at least 1; got ${JSON.stringify(text)}`);
        runs = n;
        break;
      }
      case "--quick":
        quick = true;
        break;
      case "--skip-tests":
        skipTests = true;
        break;
      case "--json-out":
        jsonOut = path.resolve(value());
        break;
      case "--help":
      case "-h":
        help = true;
        break;
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  if (quick && runs !== undefined) throw new UsageError("--quick and --runs contradict each other; pass one of them");
  return { runs: quick ? 1 : runs, quick, skipTests, jsonOut, help };
}
