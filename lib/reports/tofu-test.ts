/**
 * The oracle of the OpenTofu tier (`npm run test:terraform`,
 * scripts/ci/test-terraform.sh; docs/terraform-tier.md): reads what OpenTofu
 * writes and decides, per test file and per run, whether the tier passes.
 *
 * - `tofu test -json -verbose` writes one JSON event per line. Each event names
 *   its `@testfile` and `@testrun`, so one `tofu test` per stack is still judged
 *   per file and per run (`judgeTofuTest`).
 * - The test files carry their expectations as comments (`parseExpectations`):
 *   `# expect-plan <run>: <type>=<n> ...`, `# expect-actions <run>: <type>=<action>,<action> ...`
 *   and, in `expect-error-*.tftest.hcl` files, `# expect-error: <text>`.
 * - The tier's other checks edit a scratch copy of a synthesized stack
 *   (`pinProviderVersion`, `addBogusArgument`) and read `tofu validate -json`
 *   (`validateRejectedBogusArgument`).
 *
 * Everything here is pure: it takes text or parsed JSON and returns values.
 * scripts/ci/report.ts (its tofu reports, lib/reports/commands.ts) reads and writes the files.
 */
import { UserError } from "../config/errors";

/** The folder `tofu test` reads test files from, and the prefix of their names in its events. */
export const TESTS_DIR = "tests";

/** The name prefix of a test file that must fail (`expect-error-<name>.tftest.hcl`). */
export const EXPECT_ERROR_PREFIX = "expect-error-";

/** Status of a run or file in `tofu test` events. */
export type TestStatus = "pending" | "skip" | "pass" | "fail" | "error";

/** One planned change of a `test_plan` event (the JSON plan format's `resource_changes`). */
export interface ResourceChange {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly change: { readonly actions: readonly string[] };
}

/** A `test_plan` event's plan: only what the judge reads. */
export interface TestPlan {
  readonly resource_changes?: readonly ResourceChange[];
}

/** A `diagnostic` event's diagnostic: only what the judge reads. */
export interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail?: string;
}

/** One line of `tofu test -json` output. Only the fields the judge reads are typed. */
export interface TofuTestEvent {
  /** `version`, `test_abstract`, `test_file`, `test_run`, `test_plan`, `test_state`, `diagnostic`, `test_summary`, ... */
  readonly type: string;
  /** The test file the event belongs to (`tests/<name>.tftest.hcl`), when it belongs to one. */
  readonly "@testfile"?: string;
  /** The run block the event belongs to, when it belongs to one. */
  readonly "@testrun"?: string;
  /** Every test file `tofu test` found, with the names of its run blocks. */
  readonly test_abstract?: Readonly<Record<string, readonly string[]>>;
  readonly test_run?: { readonly status: TestStatus };
  readonly test_plan?: TestPlan;
  readonly diagnostic?: Diagnostic;
}

/** A line of the output that is not a JSON event. */
export interface MalformedLine {
  /** 1-based. */
  readonly line: number;
  readonly reason: string;
  /** The line, cut to 200 characters. */
  readonly text: string;
}

/** `tofu test -json` output, read line by line. */
export interface TofuTestOutput {
  readonly events: readonly TofuTestEvent[];
  readonly malformed: readonly MalformedLine[];
}

/**
 * Reads `tofu test -json` output: one JSON object with a string `type` per
 * line; blank lines are skipped. A line that is not such an object is kept in
 * `malformed` with its line number, so the judge can fail on it rather than
 * lose the event it might have been.
 */
export function parseTofuTestJson(text: string): TofuTestOutput {
  const events: TofuTestEvent[] = [];
  const malformed: MalformedLine[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      malformed.push({ line: i + 1, reason: `not JSON (${(e as Error).message})`, text: line.slice(0, 200) });
      return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value) || typeof (value as { type?: unknown }).type !== "string") {
      malformed.push({ line: i + 1, reason: "not an event (a JSON object with a string type)", text: line.slice(0, 200) });
      return;
    }
    events.push(value as TofuTestEvent);
  });
  return { events, malformed };
}

/** What one run block did, gathered from its events. */
export interface RunResult {
  /** From its `test_run` event; `undefined` when tofu reported none. */
  readonly status: TestStatus | undefined;
  /** Its error diagnostics, as `diagnosticText` writes them. */
  readonly diagnostics: readonly string[];
  /** Its plan (from `test_plan`, written with `-verbose`), if any. */
  readonly plan: TestPlan | undefined;
}

/** Everything the judge needs from one `tofu test` output, by file and run. */
export interface TestResults {
  /** Run names per test file (`tests/<name>`), from `test_abstract`: the files tofu found. */
  readonly runNames: ReadonlyMap<string, readonly string[]>;
  /** Per test file, per run name. */
  readonly runs: ReadonlyMap<string, ReadonlyMap<string, RunResult>>;
  /** Error diagnostics of a file but of no run; key "" for those of no file at all. */
  readonly fileDiagnostics: ReadonlyMap<string, readonly string[]>;
}

/** One diagnostic on one line, `<summary>: <detail>`, whitespace collapsed (tofu wraps nothing in JSON, but details hold newlines). */
export function diagnosticText(d: Diagnostic): string {
  return `${d.summary}: ${d.detail ?? ""}`.replace(/\s+/g, " ");
}

/** Sorts the events of one `tofu test` output by file and run. Warnings are left out. */
export function collectResults(events: readonly TofuTestEvent[]): TestResults {
  const runNames = new Map(Object.entries(events.find((e) => e.type === "test_abstract")?.test_abstract ?? {}));
  type Entry = { status: TestStatus | undefined; diagnostics: string[]; plan: TestPlan | undefined };
  const runs = new Map<string, Map<string, Entry>>();
  const entry = (file: string, run: string): Entry => {
    const byRun = runs.get(file) ?? new Map<string, Entry>();
    runs.set(file, byRun);
    const found = byRun.get(run) ?? { status: undefined, diagnostics: [], plan: undefined };
    byRun.set(run, found);
    return found;
  };
  const fileDiagnostics = new Map<string, string[]>();
  for (const e of events) {
    const file = e["@testfile"];
    const run = e["@testrun"];
    if (e.type === "test_run" && file && run) entry(file, run).status = e.test_run?.status;
    if (e.type === "test_plan" && file && run) entry(file, run).plan = e.test_plan;
    if (e.type === "diagnostic" && e.diagnostic?.severity === "error") {
      const text = diagnosticText(e.diagnostic);
      if (file && run) entry(file, run).diagnostics.push(text);
      else fileDiagnostics.set(file ?? "", [...(fileDiagnostics.get(file ?? "") ?? []), text]);
    }
  }
  return { runNames, runs, fileDiagnostics };
}

/** The expectations a test file states in its comments. */
export interface Expectations {
  /** `# expect-plan <run>: <type>=<n> ...`: per run, the exact number of resources of each type it plans to change. */
  readonly plan: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** `# expect-actions <run>: <type>=<action>,<action> ...`: per run, the actions every planned change of each type has, in order. */
  readonly actions: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** `# expect-error: <text>`: texts that must appear in the file's diagnostics, whitespace collapsed. */
  readonly errors: readonly string[];
  /** Expectation lines that could not be read, each with why. */
  readonly problems: readonly string[];
}

const EXPECT_PLAN = /^#\s*expect-plan\s+(\S+):\s*(.+?)\s*$/gm;
const EXPECT_ACTIONS = /^#\s*expect-actions\s+(\S+):\s*(.+?)\s*$/gm;
const EXPECT_ERROR = /^#\s*expect-error:\s*(.+?)\s*$/gm;

/** Reads `<type>=<value> ...` pairs; a pair without a type or value, or one whose value `read` refuses, becomes a problem. */
function readPairs<T>(directive: string, run: string, text: string, read: (value: string) => T | undefined, what: string, problems: string[]): Map<string, T> {
  const out = new Map<string, T>();
  for (const pair of text.split(/\s+/)) {
    const [type, value, ...rest] = pair.split("=");
    const parsed = value === undefined || rest.length ? undefined : read(value);
    if (!type || parsed === undefined) problems.push(`${directive} ${run}: "${pair}" is not <type>=${what}`);
    else if (out.has(type)) problems.push(`${directive} ${run}: ${type} is named twice`);
    else out.set(type, parsed);
  }
  return out;
}

/** Reads the `# expect-plan`, `# expect-actions` and `# expect-error` comments of a test file's source. */
export function parseExpectations(source: string): Expectations {
  const problems: string[] = [];
  const byRun = <T>(pattern: RegExp, directive: string, read: (value: string) => T | undefined, what: string) => {
    const out = new Map<string, Map<string, T>>();
    for (const [, run, text] of source.matchAll(pattern)) {
      if (out.has(run)) problems.push(`${directive} names run "${run}" twice`);
      else out.set(run, readPairs(directive, run, text, read, what, problems));
    }
    return out;
  };
  const count = (v: string) => (/^\d+$/.test(v) ? Number(v) : undefined);
  const actions = (v: string) => (/^[a-z-]+(,[a-z-]+)*$/.test(v) ? v : undefined);
  return {
    plan: byRun(EXPECT_PLAN, "expect-plan", count, "<count>"),
    actions: byRun(EXPECT_ACTIONS, "expect-actions", actions, "<action>,<action>"),
    errors: [...source.matchAll(EXPECT_ERROR)].map((m) => m[1].replace(/\s+/g, " ")),
    problems,
  };
}

/** The managed resources a plan changes, counted per type; `no-op` changes do not count. */
export function plannedCounts(plan: TestPlan | undefined): Map<string, number> {
  const got = new Map<string, number>();
  for (const c of plan?.resource_changes ?? []) {
    if (c.mode !== "managed" || c.change.actions.join(",") === "no-op") continue;
    got.set(c.type, (got.get(c.type) ?? 0) + 1);
  }
  return got;
}

/** Each type whose planned count is not the expected one: `<type>: planned <n>, expected <m>`. A type planned but not expected counts as expected 0. */
export function countDifferences(expected: ReadonlyMap<string, number>, planned: ReadonlyMap<string, number>): string[] {
  const types = [...new Set([...expected.keys(), ...planned.keys()])].sort();
  return types
    .filter((t) => (expected.get(t) ?? 0) !== (planned.get(t) ?? 0))
    .map((t) => `${t}: planned ${planned.get(t) ?? 0}, expected ${expected.get(t) ?? 0}`);
}

/** Each planned change of an expected type whose actions differ, and each expected type with no planned change. */
export function actionDifferences(expected: ReadonlyMap<string, string>, plan: TestPlan | undefined): string[] {
  const changes = (plan?.resource_changes ?? []).filter((c) => c.mode === "managed");
  return [...expected].flatMap(([type, actions]) => {
    const ofType = changes.filter((c) => c.type === type);
    if (!ofType.length) return [`${type}: no planned change, expected ${actions}`];
    return ofType.filter((c) => c.change.actions.join(",") !== actions).map((c) => `${c.address}: planned ${c.change.actions.join(",")}, expected ${actions}`);
  });
}

/** A test file: its name in the tests folder, and its text. */
export interface TestFile {
  readonly name: string;
  readonly source: string;
}

/** The judgement of one case: an `expect-error` file, a run of a plain file, or something that keeps either from being judged. */
export interface Verdict {
  readonly passed: boolean;
  /** What was judged: `tests/<file>`, `tests/<file> run "<run>"`, or `output line <n>`. */
  readonly subject: string;
  /** Why it failed, or what passed (may be empty for a plain pass). */
  readonly detail: string;
  /** Lines shown under the verdict: diagnostics, differences. */
  readonly lines: readonly string[];
}

const pass = (subject: string, detail = "", lines: readonly string[] = []): Verdict => ({ passed: true, subject, detail, lines });
const fail = (subject: string, detail: string, lines: readonly string[] = []): Verdict => ({ passed: false, subject, detail, lines });
const quoted = (texts: readonly string[]) => texts.map((t) => JSON.stringify(t)).join(", ");

/**
 * Judges an `expect-error-*.tftest.hcl` file: it must name at least one
 * `# expect-error` text, at least one of its runs must fail or error, and every
 * text must appear in the error diagnostics of the file or of any of its runs
 * (or of none: an error before any file ran counts too).
 */
function judgeExpectErrorFile(subject: string, expect: Expectations, runNames: readonly string[], results: TestResults, loose: readonly string[]): Verdict {
  const byRun = results.runs.get(subject);
  if (expect.plan.size || expect.actions.size) return fail(subject, "an expect-error file fails, so it cannot expect a plan (expect-plan, expect-actions)");
  if (!expect.errors.length) return fail(subject, 'no "# expect-error: <text>" line');
  const failedRuns = runNames.filter((r) => ["fail", "error"].includes(byRun?.get(r)?.status ?? ""));
  const diagnostics = [...loose, ...runNames.flatMap((r) => byRun?.get(r)?.diagnostics ?? [])];
  const missing = expect.errors.filter((w) => !diagnostics.some((d) => d.includes(w)));
  if (!failedRuns.length) {
    const statuses = runNames.map((r) => `${r} ${byRun?.get(r)?.status ?? "no result"}`).join(", ");
    return fail(subject, `expected a run to fail with ${quoted(expect.errors)}, but none failed (${statuses})`, loose);
  }
  if (missing.length) return fail(subject, `failed, but without ${quoted(missing)}; got:`, diagnostics);
  return pass(subject, `fails with ${quoted(expect.errors)}`);
}

/** Judges each run of a plain test file: it must pass, and plan what its `expect-plan` and `expect-actions` lines say. */
function judgePlainFile(subject: string, expect: Expectations, runNames: readonly string[], results: TestResults, loose: readonly string[]): Verdict[] {
  const out: Verdict[] = [];
  if (expect.errors.length) out.push(fail(subject, `has "# expect-error" lines, which only a file named ${EXPECT_ERROR_PREFIX}*.tftest.hcl may have`));
  for (const [directive, byRun] of [
    ["expect-plan", expect.plan],
    ["expect-actions", expect.actions],
  ] as const) {
    for (const r of byRun.keys()) if (!runNames.includes(r)) out.push(fail(subject, `${directive} names run "${r}", which the file does not have`));
  }
  for (const r of runNames) {
    const res = results.runs.get(subject)?.get(r);
    const label = `${subject} run "${r}"`;
    if (res?.status !== "pass") {
      out.push(fail(label, res?.status ? `${res.status}, expected pass` : "tofu reported no result for it", [...loose, ...(res?.diagnostics ?? [])]));
      continue;
    }
    const checked: string[] = [];
    const differences: string[] = [];
    const wantActions = expect.actions.get(r);
    if (wantActions) {
      differences.push(...actionDifferences(wantActions, res.plan));
      checked.push([...wantActions].map(([t, a]) => `${t} ${a}`).join("; "));
    }
    const wantCounts = expect.plan.get(r);
    if (wantCounts) {
      const got = plannedCounts(res.plan);
      differences.push(...countDifferences(wantCounts, got));
      const types = [...new Set([...wantCounts.keys(), ...got.keys()])].sort();
      checked.push(`plans ${types.map((t) => `${got.get(t) ?? 0} ${t}`).join(", ")}`);
    }
    if (differences.length) out.push(fail(label, "plan differs:", differences));
    else out.push(pass(label, checked.join("; ")));
  }
  return out;
}

/**
 * Judges one test file against the results of the `tofu test` that ran it.
 * A file tofu did not run fails; an expect-error file gives one verdict;
 * a plain file gives one per run (and one per expectation that names no run).
 */
export function judgeTestFile(file: TestFile, results: TestResults): Verdict[] {
  const subject = `${TESTS_DIR}/${file.name}`;
  const expect = parseExpectations(file.source);
  const loose = [...(results.fileDiagnostics.get(subject) ?? []), ...(results.fileDiagnostics.get("") ?? [])];
  const runNames = results.runNames.get(subject);
  const problems = expect.problems.map((p) => fail(subject, p));
  if (!runNames) return [...problems, fail(subject, "tofu did not run it", loose)];
  if (file.name.startsWith(EXPECT_ERROR_PREFIX)) return [...problems, judgeExpectErrorFile(subject, expect, runNames, results, loose)];
  return [...problems, ...judgePlainFile(subject, expect, runNames, results, loose)];
}

/**
 * Judges one `tofu test -json -verbose` output against the test files it ran,
 * in name order. Each malformed line of the output fails first, naming its
 * line number; no test file at all fails too.
 */
export function judgeTofuTest(output: TofuTestOutput, files: readonly TestFile[]): Verdict[] {
  const results = collectResults(output.events);
  const malformed = output.malformed.map((m) => fail(`output line ${m.line}`, `${m.reason}:`, [m.text]));
  if (!files.length) return [...malformed, fail(`${TESTS_DIR}/`, "no *.tftest.hcl file to judge")];
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...malformed, ...sorted.flatMap((f) => judgeTestFile(f, results))];
}

/** `PASS <subject>: <detail>` or `FAIL <subject>: <detail>`, then each line indented on its own line. */
export function formatVerdict(v: Verdict): string {
  const head = `${v.passed ? "PASS" : "FAIL"} ${v.subject}${v.detail ? `: ${v.detail}` : ""}`;
  return [head, ...v.lines.map((l) => `      ${l}`)].join("\n");
}

// --- the scratch copy of a synthesized stack -----------------------------------

/** A check of the tier that cannot be done on this input: the stack lacks what the check edits, say. The tier counts it as a failure. */
export class TierCheckError extends UserError {}

/** A synthesized stack (`cdk.tf.json`): only what the tier edits is typed. */
export interface TerraformJson {
  readonly terraform?: { readonly required_providers?: Readonly<Record<string, { readonly version?: string } | undefined>> };
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined>>;
  readonly [key: string]: unknown;
}

/**
 * A copy of the stack with only `terraform.required_providers.aws.version`
 * set to `version`: the fallback when the exact provider is not obtainable
 * (docs/terraform-tier.md). Throws `TierCheckError` when the stack requires no aws provider.
 */
export function pinProviderVersion(stack: TerraformJson, version: string): TerraformJson {
  const copy = structuredClone(stack) as { terraform?: { required_providers?: Record<string, { version?: string } | undefined> } };
  const aws = copy.terraform?.required_providers?.aws;
  if (!aws) throw new TierCheckError("no terraform.required_providers.aws to pin");
  aws.version = version;
  return copy as TerraformJson;
}

/** Whether the stack declares at least one resource of `type`. */
export function hasResourceType(stack: TerraformJson, type: string): boolean {
  return Object.keys(stack.resource?.[type] ?? {}).length > 0;
}

/** The argument `addBogusArgument` adds, which no resource of the provider has. */
export const BOGUS_ARGUMENT = "bogus_argument";

/** The detail of the error `tofu validate` must give for `BOGUS_ARGUMENT`. */
export const BOGUS_ARGUMENT_DETAIL = `No argument or block type is named "${BOGUS_ARGUMENT}".`;

/**
 * A copy of the stack where every resource of `type` has `BOGUS_ARGUMENT = 1`:
 * `tofu validate` must refuse it, proof that it checks the provider's schema.
 * Throws `TierCheckError` when the stack has no resource of that type.
 */
export function addBogusArgument(stack: TerraformJson, type: string): TerraformJson {
  if (!hasResourceType(stack, type)) throw new TierCheckError(`no resource of type ${type} to give ${BOGUS_ARGUMENT}`);
  const copy = structuredClone(stack) as { resource: Record<string, Record<string, Record<string, unknown>>> };
  for (const block of Object.values(copy.resource[type])) block[BOGUS_ARGUMENT] = 1;
  return copy as TerraformJson;
}

/** `tofu validate -json` output: only what the tier reads. */
export interface ValidateOutput {
  readonly valid?: boolean;
  readonly diagnostics?: readonly Diagnostic[];
}

/**
 * Whether `tofu validate -json` refused `BOGUS_ARGUMENT`: an error diagnostic
 * whose detail is exactly `BOGUS_ARGUMENT_DETAIL`. Returns the verdict, with
 * the errors it got when it did not.
 */
export function validateRejectedBogusArgument(output: ValidateOutput): Verdict {
  const subject = "tofu validate";
  const errors = (output.diagnostics ?? []).filter((d) => d.severity === "error");
  if (errors.some((d) => d.detail === BOGUS_ARGUMENT_DETAIL)) return pass(subject, `tofu: '${BOGUS_ARGUMENT_DETAIL}'`);
  if (!errors.length) return fail(subject, `validate reported no error, expected '${BOGUS_ARGUMENT_DETAIL}'`);
  return fail(subject, `validate failed without the message '${BOGUS_ARGUMENT_DETAIL}'; its errors:`, errors.map(diagnosticText));
}

/**
 * The `hashicorp/aws` version the provider bindings were generated for:
 * `cdktf.provider.version` of @cdktf/provider-aws's package.json, which every
 * synthesized stack pins. scripts/toolchain.sh puts that version in the mirror.
 * Throws `TierCheckError` when it is missing or not `<major>.<minor>.<patch>`.
 */
export function bindingsProviderVersion(packageJson: unknown): string {
  const version = (packageJson as { cdktf?: { provider?: { version?: unknown } } } | null)?.cdktf?.provider?.version;
  if (typeof version !== "string" || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new TierCheckError(`cdktf.provider.version is ${JSON.stringify(version)}, expected <major>.<minor>.<patch>`);
  }
  return version;
}
