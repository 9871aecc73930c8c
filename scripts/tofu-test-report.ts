/**
 * node scripts/run-ts.js scripts/tofu-test-report.ts <command> <args...>
 * The OpenTofu tier's checks (scripts/test-terraform.sh), wiring only: reads
 * and writes the files, calls lib/reports/tofu-test.ts, sets the exit code
 * (0 ok, 1 failed check, 2 bad usage or unreadable input).
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseCommandLine } from "../lib/cli/command";
import {
  TierCheckError,
  type TerraformJson,
  type ValidateOutput,
  addBogusArgument,
  bindingsProviderVersion,
  formatVerdict,
  hasResourceType,
  judgeTofuTest,
  parseTofuTestJson,
  pinProviderVersion,
  validateRejectedBogusArgument,
} from "../lib/reports/tofu-test";

const USAGE = `Usage: node scripts/run-ts.js scripts/tofu-test-report.ts <command> <args...>

Commands:
  judge <tofu-test.jsonl> <tests dir>         judge \`tofu test -json -verbose\` output against the
                                              *.tftest.hcl files it ran: a PASS or FAIL line per case
  pin-provider <cdk.tf.json> <version>        set terraform.required_providers.aws.version, in place
  first-with-resource <type> <cdk.tf.json>... print the first stack file with a resource of <type>
  add-bogus-argument <cdk.tf.json> <type>     give every resource of <type> an argument the provider lacks
  bogus-rejected <validate.json>              check that \`tofu validate -json\` refused that argument
  provider-version <package.json>             print cdktf.provider.version of @cdktf/provider-aws

Options:
  -h, --help  print this help and exit

Exit codes: 0 ok, 1 a check failed, 2 bad usage or unreadable input.
See docs/terraform-tier.md.
`;

/** An input that cannot be read: exit 2, with this message and no stack. */
class InputError extends Error {}

const readJson = (file: string): unknown => {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new InputError(`cannot read ${file}: ${(e as Error).message}`);
  }
};
const readStack = (file: string) => readJson(file) as TerraformJson;
const writeStack = (file: string, stack: TerraformJson) => writeFileSync(file, JSON.stringify(stack, null, 2));
const print = (text: string) => process.stdout.write(`${text}\n`);

/** Each command: how many arguments it takes (`variadic`: at least that many), and what it does. A `TierCheckError` it throws exits 1. */
const COMMANDS: Record<string, { readonly args: number; readonly variadic?: true; readonly run: (args: readonly string[]) => number }> = {
  judge: {
    args: 2,
    run: ([output, testsDir]) => {
      const files = readdirSync(testsDir)
        .filter((name) => name.endsWith(".tftest.hcl"))
        .map((name) => ({ name, source: readFileSync(join(testsDir, name), "utf8") }));
      const verdicts = judgeTofuTest(parseTofuTestJson(readFileSync(output, "utf8")), files);
      for (const v of verdicts) print(formatVerdict(v));
      return verdicts.every((v) => v.passed) ? 0 : 1;
    },
  },
  "pin-provider": {
    args: 2,
    run: ([file, version]) => {
      writeStack(file, pinProviderVersion(readStack(file), version));
      return 0;
    },
  },
  "first-with-resource": {
    args: 2,
    variadic: true,
    run: ([type, ...files]) => {
      const found = files.find((f) => hasResourceType(readStack(f), type));
      if (found) print(found);
      return found ? 0 : 1;
    },
  },
  "add-bogus-argument": {
    args: 2,
    run: ([file, type]) => {
      writeStack(file, addBogusArgument(readStack(file), type));
      return 0;
    },
  },
  "bogus-rejected": {
    args: 1,
    run: ([file]) => {
      const verdict = validateRejectedBogusArgument(readJson(file) as ValidateOutput);
      print([verdict.detail, ...verdict.lines.map((l) => `      ${l}`)].join("\n"));
      return verdict.passed ? 0 : 1;
    },
  },
  "provider-version": {
    args: 1,
    run: ([file]) => {
      print(bindingsProviderVersion(readJson(file)));
      return 0;
    },
  },
};

const usageError = (message: string) => {
  process.stderr.write(`tofu-test-report: ${message}\nRun node scripts/run-ts.js scripts/tofu-test-report.ts --help for usage.\n`);
  return 2;
};

function main(argv: readonly string[]): number {
  let parsed: { values: { help?: boolean }; positionals: string[] };
  try {
    parsed = parseCommandLine(argv, { help: { type: "boolean", short: "h" } });
  } catch (e) {
    return usageError((e as Error).message);
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [name, ...args] = parsed.positionals;
  const command = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) return usageError(name === undefined ? "missing the command" : `unknown command ${name}`);
  if (command.variadic ? args.length < command.args : args.length !== command.args) return usageError(`wrong number of arguments for ${name}`);
  try {
    return command.run(args);
  } catch (e) {
    const where = `tofu-test-report ${name} ${args.join(" ")}`;
    // A failed check or an unreadable input says so in one line; anything else is a bug here, shown with its stack.
    const known = e instanceof TierCheckError || e instanceof InputError || (e as NodeJS.ErrnoException).code !== undefined;
    process.stderr.write(`${where}: ${known ? (e as Error).message : ((e as Error).stack ?? String(e))}\n`);
    return e instanceof TierCheckError ? 1 : 2;
  }
}

process.exitCode = main(process.argv.slice(2));
