/**
 * `npm run bench`: how long synth and the test tiers take on this machine,
 * and how much memory they need (lib/bench).
 *
 *   npm run bench                       5 runs per synth row, 3 per test row
 *   npm run bench -- --runs 9           9 runs of every row
 *   npm run bench -- --quick            1 run of every row (a smoke test, noisy)
 *   npm run bench -- --skip-tests       synth rows only
 *   npm run bench -- --json-out FILE    write the JSON there (default .bench/results.json)
 *
 * docs/benchmark.md says what each row measures and how to read the table.
 */
import { findRoot, runBench } from "../lib/bench";
import { type Options, USAGE, UsageError, parseOptions } from "../lib/bench/options";

const root = findRoot(__dirname);
let options: Options | undefined;
try {
  options = parseOptions(process.argv.slice(2), root);
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`bench: ${e.message}\n${USAGE}\n`);
  process.exitCode = 2;
}
if (options?.help) process.stdout.write(`${USAGE}\n`);
else if (options) runBench(root, options);
