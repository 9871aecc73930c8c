/**
 * The OpenTofu tier's judge (lib/reports/tofu-test.ts) on `tofu test -json`
 * output recorded from a real run of the tier (test/fixtures/tofu-test/README.md),
 * and its entry script as the tier runs it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  BOGUS_ARGUMENT_DETAIL,
  type TestFile,
  TierCheckError,
  addBogusArgument,
  bindingsProviderVersion,
  formatVerdict,
  hasResourceType,
  judgeTofuTest,
  parseExpectations,
  parseTofuTestJson,
  pinProviderVersion,
  validateRejectedBogusArgument,
} from "../../lib/reports/tofu-test";
import { tempDir } from "../helpers";

const ROOT = path.join(__dirname, "..", "..");
const FIXTURES = path.join(ROOT, "test", "fixtures", "tofu-test");

/** The recorded output of one stack's `tofu test -json -verbose`, and the test files it ran. */
function recorded(stack: "dev-consumer-bi" | "dev-producer" | "unknown-subnets") {
  const dir = path.join(FIXTURES, stack);
  const files: TestFile[] = fs.readdirSync(path.join(dir, "tests")).map((name) => ({ name, source: fs.readFileSync(path.join(dir, "tests", name), "utf8") }));
  return { output: fs.readFileSync(path.join(dir, "tofu-test.jsonl"), "utf8"), files };
}

/** The one file of a recording, with its source edited. */
function edited(files: readonly TestFile[], edit: (source: string) => string): TestFile[] {
  expect(files).toHaveLength(1);
  return [{ name: files[0].name, source: edit(files[0].source) }];
}

const judge = (output: string, files: readonly TestFile[]) => judgeTofuTest(parseTofuTestJson(output), files);

const RELOCATION_OFF = "Cluster lake-dev has cluster relocation turned off";

describe("parseTofuTestJson", () => {
  test("reads every line of a recorded run as an event", () => {
    const { events, malformed } = parseTofuTestJson(recorded("dev-consumer-bi").output);
    expect(malformed).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(["version", "test_abstract", "test_file", "test_run", "test_plan", "test_summary"]);
  });

  test("fails a line that is not JSON and a line that is not an event, with their line numbers; blank lines are skipped", () => {
    const { events, malformed } = parseTofuTestJson('{"type":"version"}\n\n{"type": "test_run"\n[1, 2]\n{"type":"test_summary"}\n');
    expect(events.map((e) => e.type)).toEqual(["version", "test_summary"]);
    expect(malformed).toEqual([
      { line: 3, reason: expect.stringMatching(/^not JSON \(.+\)$/), text: '{"type": "test_run"' },
      { line: 4, reason: "not an event (a JSON object with a string type)", text: "[1, 2]" },
    ]);
  });
});

describe("parseExpectations", () => {
  test("reads expect-plan, expect-actions and expect-error comments, whitespace collapsed", () => {
    const expect_ = parseExpectations(
      [
        "# expect-plan plan: aws_a=1 aws_b=2",
        "#expect-actions move:  aws_a=delete,create",
        "# expect-error:   Cluster   lake-dev is off  ",
        "# expect-error text in its diagnostics.",
        'run "plan" {}',
      ].join("\n"),
    );
    expect(expect_.plan).toEqual(
      new Map([
        [
          "plan",
          new Map([
            ["aws_a", 1],
            ["aws_b", 2],
          ]),
        ],
      ]),
    );
    expect(expect_.actions).toEqual(new Map([["move", new Map([["aws_a", "delete,create"]])]]));
    expect(expect_.errors).toEqual(["Cluster lake-dev is off"]);
    expect(expect_.problems).toEqual([]);
  });

  test.each([
    ["# expect-plan plan: aws_a=one", 'expect-plan plan: "aws_a=one" is not <type>=<count>'],
    ["# expect-plan plan: aws_a", 'expect-plan plan: "aws_a" is not <type>=<count>'],
    ["# expect-plan plan: aws_a=1 aws_a=2", "expect-plan plan: aws_a is named twice"],
    ["# expect-plan plan: aws_a=1\n# expect-plan plan: aws_b=1", 'expect-plan names run "plan" twice'],
    ["# expect-actions move: aws_a=delete;create", 'expect-actions move: "aws_a=delete;create" is not <type>=<action>,<action>'],
  ])("fails an unreadable expectation: %j", (source, problem) => {
    expect(parseExpectations(source).problems).toEqual([problem]);
  });
});

describe("judgeTofuTest on recorded runs", () => {
  test("passes a plan file whose run plans exactly the expected resources", () => {
    const { output, files } = recorded("dev-consumer-bi");
    const verdicts = judge(output, files);
    expect(verdicts.map(formatVerdict)).toEqual([
      'PASS tests/plan.tftest.hcl run "plan": plans 1 aws_redshift_endpoint_access, 1 aws_redshift_subnet_group, 1 aws_security_group, 1 aws_vpc_security_group_ingress_rule',
    ]);
  });

  test("fails a count mismatch, naming the run, each type, and its planned and expected counts", () => {
    const { output, files } = recorded("dev-consumer-bi");
    const wrong = edited(files, (s) => s.replace("aws_security_group=1 aws_vpc_security_group_ingress_rule=1", "aws_security_group=2 aws_route53_zone=1"));
    const verdicts = judge(output, wrong);
    expect(verdicts).toEqual([
      {
        passed: false,
        subject: 'tests/plan.tftest.hcl run "plan"',
        detail: "plan differs:",
        lines: [
          "aws_route53_zone: planned 0, expected 1",
          "aws_security_group: planned 1, expected 2",
          "aws_vpc_security_group_ingress_rule: planned 1, expected 0",
        ],
      },
    ]);
    expect(formatVerdict(verdicts[0])).toBe(
      [
        'FAIL tests/plan.tftest.hcl run "plan": plan differs:',
        "      aws_route53_zone: planned 0, expected 1",
        "      aws_security_group: planned 1, expected 2",
        "      aws_vpc_security_group_ingress_rule: planned 1, expected 0",
      ].join("\n"),
    );
  });

  test("fails an expect-plan that names a run the file does not have", () => {
    const { output, files } = recorded("dev-consumer-bi");
    const verdicts = judge(
      output,
      edited(files, (s) => s.replace("# expect-plan plan:", "# expect-plan plan_typo:")),
    );
    expect(verdicts.map(formatVerdict)).toEqual([
      'FAIL tests/plan.tftest.hcl: expect-plan names run "plan_typo", which the file does not have',
      'PASS tests/plan.tftest.hcl run "plan"',
    ]);
  });

  test("passes an expect-error file that fails with the expected text", () => {
    const { output, files } = recorded("dev-producer");
    expect(judge(output, files)).toEqual([
      { passed: true, subject: "tests/expect-error-relocation-off.tftest.hcl", detail: `fails with "${RELOCATION_OFF}"`, lines: [] },
    ]);
  });

  test("fails an expect-error file whose diagnostics lack the expected text, naming the missing text and showing what it got", () => {
    const { output, files } = recorded("dev-producer");
    const wrong = edited(files, (s) => s.replace(`# expect-error: ${RELOCATION_OFF}`, "# expect-error: Cluster lake-dev is node type dc2.large"));
    const [verdict, ...rest] = judge(output, wrong);
    expect(rest).toEqual([]);
    expect(verdict.passed).toBe(false);
    expect(verdict.subject).toBe("tests/expect-error-relocation-off.tftest.hcl");
    expect(verdict.detail).toBe('failed, but without "Cluster lake-dev is node type dc2.large"; got:');
    expect(verdict.lines).toEqual([expect.stringMatching(/^Resource postcondition failed: Cluster lake-dev has cluster relocation turned off, and /)]);
  });

  test("fails an expect-error file with no expect-error line", () => {
    const { output, files } = recorded("dev-producer");
    const verdicts = judge(
      output,
      edited(files, (s) => s.replace("# expect-error:", "# expected error:")),
    );
    expect(verdicts.map(formatVerdict)).toEqual(['FAIL tests/expect-error-relocation-off.tftest.hcl: no "# expect-error: <text>" line']);
  });

  test("fails an expect-error file none of whose runs failed, with each run's status", () => {
    // The passing plan run of dev-consumer-bi, as if its file were an expect-error file.
    const { output } = recorded("dev-consumer-bi");
    const renamed = output.replaceAll("tests/plan.tftest.hcl", "tests/expect-error-plan.tftest.hcl");
    const verdicts = judge(renamed, [{ name: "expect-error-plan.tftest.hcl", source: "# expect-error: Invalid index\n" }]);
    expect(verdicts.map(formatVerdict)).toEqual([
      'FAIL tests/expect-error-plan.tftest.hcl: expected a run to fail with "Invalid index", but none failed (plan pass)',
    ]);
  });

  test("fails a run that did not pass, with its status and diagnostics", () => {
    // The failing run of dev-producer, as if its file were a plain file.
    const { output } = recorded("dev-producer");
    const renamed = output.replaceAll("tests/expect-error-relocation-off.tftest.hcl", "tests/relocation.tftest.hcl");
    const [verdict] = judge(renamed, [{ name: "relocation.tftest.hcl", source: "" }]);
    expect(verdict).toMatchObject({ passed: false, subject: 'tests/relocation.tftest.hcl run "relocation_off"', detail: "error, expected pass" });
    expect(verdict.lines).toEqual([expect.stringContaining(RELOCATION_OFF)]);
  });

  test("fails a test file tofu did not run, and an empty tests folder", () => {
    const { output } = recorded("dev-consumer-bi");
    expect(judge(output, [{ name: "extra.tftest.hcl", source: "" }]).map(formatVerdict)).toEqual(["FAIL tests/extra.tftest.hcl: tofu did not run it"]);
    expect(judge(output, []).map(formatVerdict)).toEqual(["FAIL tests/: no *.tftest.hcl file to judge"]);
  });

  test("fails malformed JSON lines, naming each line number, and still judges the rest", () => {
    const { output, files } = recorded("dev-consumer-bi");
    const lines = output.split("\n");
    lines.splice(2, 0, "panic: runtime error: invalid memory address");
    lines.splice(4, 0, '{"type":"test_run","@testfile":"tests/plan.tftest.hcl"');
    const verdicts = judge(lines.join("\n"), files);
    expect(verdicts.map((v) => [v.passed, v.subject, v.detail, v.lines])).toEqual([
      [false, "output line 3", expect.stringMatching(/^not JSON \(.+\):$/), ["panic: runtime error: invalid memory address"]],
      [false, "output line 5", expect.stringMatching(/^not JSON \(.+\):$/), ['{"type":"test_run","@testfile":"tests/plan.tftest.hcl"']],
      [true, 'tests/plan.tftest.hcl run "plan"', expect.stringMatching(/^plans /), []],
    ]);
  });

  test("passes a run whose planned actions are the expected ones (destroy before create)", () => {
    const { output, files } = recorded("unknown-subnets");
    expect(judge(output, files).map(formatVerdict)).toEqual([
      'PASS tests/move.tftest.hcl run "create"',
      'PASS tests/move.tftest.hcl run "move": aws_redshift_endpoint_access delete,create; aws_redshift_subnet_group update',
    ]);
  });

  test("fails planned actions that differ, naming the resource, its planned and its expected actions", () => {
    const { output, files } = recorded("unknown-subnets");
    const wrong = edited(files, (s) =>
      s.replace("aws_redshift_endpoint_access=delete,create", "aws_redshift_endpoint_access=create,delete aws_route53_record=create"),
    );
    const verdict = judge(output, wrong).find((v) => !v.passed);
    expect(verdict).toEqual({
      passed: false,
      subject: 'tests/move.tftest.hcl run "move"',
      detail: "plan differs:",
      lines: [
        "aws_redshift_endpoint_access.lake_endpoint_BCC906DE: planned delete,create, expected create,delete",
        "aws_route53_record: no planned change, expected create",
      ],
    });
  });

  test("fails a run with both expect-actions and expect-plan when the counts differ (both are checked)", () => {
    const { output, files } = recorded("unknown-subnets");
    const both = edited(files, (s) => `${s}\n# expect-plan move: aws_redshift_endpoint_access=1\n`);
    expect(judge(output, both).find((v) => !v.passed)).toMatchObject({
      subject: 'tests/move.tftest.hcl run "move"',
      lines: ["aws_redshift_subnet_group: planned 1, expected 0"],
    });
  });
});

describe("the stack copy and tofu validate", () => {
  const stack = {
    terraform: { required_providers: { aws: { source: "aws", version: "6.25.0" } }, backend: { local: { path: "x" } } },
    resource: { aws_security_group: { a: { name: "a" }, b: { name: "b" } }, aws_vpc: { v: {} } },
  };

  test("pins only terraform.required_providers.aws.version, in a copy", () => {
    const pinned = pinProviderVersion(stack, "5.100.0");
    expect(pinned).toEqual({ ...stack, terraform: { ...stack.terraform, required_providers: { aws: { source: "aws", version: "5.100.0" } } } });
    expect(stack.terraform.required_providers.aws.version).toBe("6.25.0");
  });

  test("fails to pin a stack that requires no aws provider", () => {
    expect(() => pinProviderVersion({ terraform: {} }, "5.100.0")).toThrow(new TierCheckError("no terraform.required_providers.aws to pin"));
  });

  test("gives every resource of the type the bogus argument, in a copy", () => {
    expect(hasResourceType(stack, "aws_security_group")).toBe(true);
    expect(hasResourceType(stack, "aws_subnet")).toBe(false);
    const bogus = addBogusArgument(stack, "aws_security_group");
    expect(bogus.resource).toEqual({ aws_security_group: { a: { name: "a", bogus_argument: 1 }, b: { name: "b", bogus_argument: 1 } }, aws_vpc: { v: {} } });
    expect(stack.resource.aws_security_group.a).toEqual({ name: "a" });
  });

  test("fails to add the bogus argument to a stack without a resource of the type", () => {
    expect(() => addBogusArgument(stack, "aws_subnet")).toThrow(new TierCheckError("no resource of type aws_subnet to give bogus_argument"));
  });

  test("passes the recorded tofu validate -json that refused the bogus argument", () => {
    const output = JSON.parse(fs.readFileSync(path.join(FIXTURES, "bogus-argument.validate.json"), "utf8"));
    expect(validateRejectedBogusArgument(output)).toEqual({ passed: true, subject: "tofu validate", detail: `tofu: '${BOGUS_ARGUMENT_DETAIL}'`, lines: [] });
  });

  test("fails a tofu validate that refused something else, showing its errors", () => {
    const output = JSON.parse(fs.readFileSync(path.join(FIXTURES, "bogus-argument.validate.json"), "utf8"));
    output.diagnostics[0].detail = 'No argument or block type is named "other".';
    expect(validateRejectedBogusArgument(output)).toMatchObject({
      passed: false,
      detail: `validate failed without the message '${BOGUS_ARGUMENT_DETAIL}'; its errors:`,
      lines: ['Extraneous JSON object property: No argument or block type is named "other".'],
    });
    expect(validateRejectedBogusArgument({ valid: true, diagnostics: [] })).toMatchObject({
      passed: false,
      detail: expect.stringMatching(/^validate reported no error/),
    });
  });

  test("reads the provider version the bindings were generated for", () => {
    expect(bindingsProviderVersion({ cdktf: { provider: { name: "registry.terraform.io/hashicorp/aws", version: "6.25.0" } } })).toBe("6.25.0");
  });

  test.each([[{}], [{ cdktf: { provider: { version: "~> 6.0" } } }], [null]])("fails a package.json without a plain provider version: %j", (pkg) => {
    expect(() => bindingsProviderVersion(pkg)).toThrow(/^cdktf\.provider\.version is .+, expected <major>\.<minor>\.<patch>$/);
  });
});

describe("the tofu reports of scripts/ci/report.ts", () => {
  const report = (...args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "run-ts.js"), path.join(ROOT, "scripts", "ci", "report.ts"), ...args], {
      encoding: "utf8",
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  test("judges a recorded run: PASS lines, exit 0", () => {
    const dir = path.join(FIXTURES, "dev-producer");
    expect(report("tofu-judge", path.join(dir, "tofu-test.jsonl"), path.join(dir, "tests"))).toEqual({
      status: 0,
      stdout: `PASS tests/expect-error-relocation-off.tftest.hcl: fails with "${RELOCATION_OFF}"\n`,
      stderr: "",
    });
  });

  test("fails a run with a malformed line: a FAIL line, exit 1", () => {
    const dir = tempDir();
    const src = path.join(FIXTURES, "dev-producer");
    fs.writeFileSync(path.join(dir, "out.jsonl"), `${fs.readFileSync(path.join(src, "tofu-test.jsonl"), "utf8")}not json\n`);
    const r = report("tofu-judge", path.join(dir, "out.jsonl"), path.join(src, "tests"));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL output line 7: not JSON \(.+\):\n {6}not json\nPASS tests\/expect-error-relocation-off\.tftest\.hcl: /);
  });

  test("pins the provider of a stack file in place; fails one without an aws provider with exit 1", () => {
    const dir = tempDir();
    const file = path.join(dir, "cdk.tf.json");
    fs.writeFileSync(file, JSON.stringify({ terraform: { required_providers: { aws: { version: "6.25.0" } } } }));
    expect(report("pin-provider", file, "5.100.0").status).toBe(0);
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({ terraform: { required_providers: { aws: { version: "5.100.0" } } } });
    fs.writeFileSync(file, "{}");
    expect(report("pin-provider", file, "5.100.0")).toEqual({
      status: 1,
      stdout: "",
      stderr: "no terraform.required_providers.aws to pin\n",
    });
  });

  test.each([
    [[], 'unknown command "": expected one of scan, parliament, iam-reference, package, package-assemble, tofu-judge,'],
    [["judgement"], 'unknown command "judgement"'],
    [["tofu-judge", "only-one"], "tofu-judge: missing <tests>"],
    [["tofu-judge", "a", "b", "--verbose"], "tofu-judge: Unknown option '--verbose'"],
  ])("fails bad usage %j with exit 2", (args, message) => {
    const r = report(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });

  test("fails an unreadable input with exit 1, naming the file", () => {
    const r = report("bogus-rejected", path.join(FIXTURES, "missing.json"));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`bogus-rejected failed: ENOENT: no such file or directory, open '${path.join(FIXTURES, "missing.json")}'`);
  });
});
