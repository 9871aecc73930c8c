/**
 * parliament's findings (`npm run iam-lint`): what it still judges, the
 * suppressions the project accepts, and the findings set aside because the
 * newer service authorization reference (lib/reports/iam-reference.ts)
 * answers them.
 */
import {
  LINT_SUPPRESSIONS,
  type LintFinding,
  SUPERSEDED_PARLIAMENT_ISSUES,
  applyLintSuppressions,
  formatLintOutcome,
  parseParliamentJson,
} from "../../lib/reports/parliament";

const finding = (issue: string, detail: unknown, file = "/x/dev-producer.json"): LintFinding => ({ issue, title: issue, detail, location: { filepath: file } });
const everySuppression: LintFinding[] = LINT_SUPPRESSIONS.map((s) => ({
  issue: s.issue,
  title: s.issue,
  detail: "",
  location: { actions: [s.action.toLowerCase()], filepath: "/x/a.json" },
}));

describe("iam-lint (parliament)", () => {
  test("every suppression has a reason, and each matches the finding it was written for", () => {
    for (const s of LINT_SUPPRESSIONS) expect(s.reason.length).toBeGreaterThan(40);
    const outcome = applyLintSuppressions(everySuppression);
    expect(outcome).toEqual({ open: [], suppressed: LINT_SUPPRESSIONS.length, superseded: new Map(), unused: [] });
    expect(formatLintOutcome(["a.json"], outcome).ok).toBe(true);
  });

  test("fails on a finding no suppression covers, naming the issue, the action and the file", () => {
    const escalation: LintFinding = {
      issue: "PRIVILEGE_ESCALATION",
      title: "Privilege escalation",
      detail: "",
      location: { actions: ["iam:passrole", "ec2:runinstances"], filepath: "/x/dev-consumer-bi.json" },
    };
    const { text, ok } = formatLintOutcome(["dev-consumer-bi.json"], applyLintSuppressions([...everySuppression, escalation]));
    expect(ok).toBe(false);
    expect(text).toContain("2 open findings");
    expect(text).toContain("FINDING PRIVILEGE_ESCALATION iam:passrole in dev-consumer-bi.json: Privilege escalation");
    expect(text).toContain("FINDING PRIVILEGE_ESCALATION ec2:runinstances in dev-consumer-bi.json: Privilege escalation");
  });

  test("fails on a policy-language finding, printing parliament's detail", () => {
    const { text, ok } = formatLintOutcome(
      ["a.json"],
      applyLintSuppressions([...everySuppression, finding("MISMATCHED_TYPE", "Type mismatch: ArnEquals requires Arn")]),
    );
    expect(ok).toBe(false);
    expect(text).toContain("FINDING MISMATCHED_TYPE  in dev-producer.json: MISMATCHED_TYPE (Type mismatch: ArnEquals requires Arn)");
  });

  test("fails on a suppression that matched nothing, so none outlives its reason", () => {
    const { text, ok } = formatLintOutcome(["a.json"], applyLintSuppressions(everySuppression.slice(1)));
    expect(ok).toBe(false);
    expect(text).toContain(`UNUSED SUPPRESSION ${LINT_SUPPRESSIONS[0].issue} ${LINT_SUPPRESSIONS[0].action}: remove it from LINT_SUPPRESSIONS`);
  });

  test("sets aside, and counts, the findings of parliament's older reference that the newer one judges", () => {
    const stale = [
      finding("RESOURCE_MISMATCH", [{ action: "redshift:DescribeClusters", required_format: "*" }]),
      finding("RESOURCE_MISMATCH", [{ action: "route53:ChangeTagsForResource", required_format: "arn:*:route53:::healthcheck/*" }]),
      finding("UNKNOWN_ACTION", "Unknown action redshift:DescribeClusterz"),
      finding("UNKNOWN_CONDITION_FOR_ACTION", "Unknown condition ec2:Vpc for action ec2:DeleteTags"),
      finding("RESOURCE_STAR", ["ec2:DeleteSecurityGroup"]),
      finding("UNKNOWN_PREFIX", "Unknown prefix nosuch"),
    ];
    const outcome = applyLintSuppressions([...everySuppression, ...stale]);
    expect(outcome.open).toEqual([]);
    expect([...outcome.superseded]).toEqual([
      ["RESOURCE_MISMATCH", 2],
      ["UNKNOWN_ACTION", 1],
      ["UNKNOWN_CONDITION_FOR_ACTION", 1],
      ["RESOURCE_STAR", 1],
      ["UNKNOWN_PREFIX", 1],
    ]);
    expect(formatLintOutcome(["a.json"], outcome).text).toContain(
      "set aside for the newer reference (lib/reports/iam-reference.ts): RESOURCE_MISMATCH x2, UNKNOWN_ACTION x1, UNKNOWN_CONDITION_FOR_ACTION x1, RESOURCE_STAR x1, UNKNOWN_PREFIX x1",
    );
  });

  test("parliament's auditors are never set aside: only findings of its service data are", () => {
    for (const kept of ["PERMISSIONS_MANAGEMENT_ACTIONS", "PRIVILEGE_ESCALATION", "CREDENTIALS_EXPOSURE", "SENSITIVE_ACCESS", "MISMATCHED_TYPE", "MALFORMED"]) {
      expect(SUPERSEDED_PARLIAMENT_ISSUES.has(kept)).toBe(false);
    }
    for (const reason of SUPERSEDED_PARLIAMENT_ISSUES.values()) expect(reason).toMatch(/^iam-reference [A-Z_]+/);
  });

  test("fails on parliament output that is not JSON lines, naming the line", () => {
    expect(() => parseParliamentJson('{"issue":"A"}\nTraceback (most recent call last):\n')).toThrow(
      "parliament output line 2 is not JSON: Traceback (most recent call last):",
    );
  });
});
