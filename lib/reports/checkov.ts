/**
 * Applies in-code checkov suppressions to a checkov JSON report.
 *
 * checkov 3.3.30's terraform_json runner does not read the `//` metadata
 * that cdktf lets us put on a resource (its runner passes an empty skip list
 * to every check), so the suppressions written by `suppressCheckov` are
 * applied here: a failed check whose resource carries a matching
 * `{"checkov": {"skip": [{"id", "comment"}]}}` counts as suppressed, with its
 * reason printed. A suppression that matches no failure is stale and fails
 * the scan, so suppressions cannot outlive their reason.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface CheckovFinding {
  readonly checkId: string;
  readonly checkName: string;
  /** `<type>.<name>`, as checkov names resources. */
  readonly resource: string;
  /** The stack file, relative to the scanned folder (`/<stackId>/cdk.tf.json`). */
  readonly file: string;
}

export interface ScanOutcome {
  readonly passed: number;
  readonly failed: readonly CheckovFinding[];
  readonly suppressed: ReadonlyArray<CheckovFinding & { readonly comment: string }>;
  /** Suppressions in the code that no failure used, as `file resource id`. */
  readonly stale: readonly string[];
}

interface Suppression {
  readonly id: string;
  readonly comment?: string;
}

/** Reads checkov's `--output json` (one framework object, or a list of them). */
export function parseCheckovJson(text: string): { passed: number; failed: CheckovFinding[] } {
  const parsed = JSON.parse(text);
  // biome-ignore lint/suspicious/noExplicitAny: checkov's JSON report, read field by field with optional chaining; its shape is checkov's
  const reports: any[] = Array.isArray(parsed) ? parsed : [parsed];
  let passed = 0;
  const failed: CheckovFinding[] = [];
  for (const r of reports) {
    passed += r.summary?.passed ?? 0;
    for (const f of r.results?.failed_checks ?? []) {
      failed.push({ checkId: f.check_id, checkName: f.check_name, resource: f.resource, file: f.file_path });
    }
  }
  return { passed, failed };
}

function suppressionsIn(stackFile: string): Map<string, Suppression[]> {
  const stack = JSON.parse(readFileSync(stackFile, "utf8"));
  const out = new Map<string, Suppression[]>();
  for (const kind of ["resource", "data"] as const) {
    // biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON of any resource type; only the `//` metadata is read
    for (const [type, byName] of Object.entries<Record<string, any>>(stack[kind] ?? {})) {
      // biome-ignore lint/suspicious/noExplicitAny: one resource block of that JSON, as above
      for (const [name, block] of Object.entries<any>(byName)) {
        const skip = block?.["//"]?.checkov?.skip;
        if (Array.isArray(skip)) out.set(`${kind === "data" ? "data." : ""}${type}.${name}`, skip);
      }
    }
  }
  return out;
}

/** Splits checkov's failures into real failures and suppressed ones; finds stale suppressions. */
export function applySuppressions(
  scannedDir: string,
  report: { passed: number; failed: readonly CheckovFinding[] },
  stackFiles: readonly string[],
): ScanOutcome {
  const byFile = new Map(stackFiles.map((f) => [f, suppressionsIn(join(scannedDir, f))]));
  const used = new Set<string>();
  const failed: CheckovFinding[] = [];
  const suppressed: Array<CheckovFinding & { comment: string }> = [];
  for (const finding of report.failed) {
    const file = finding.file.replace(/^\//, "");
    const match = byFile
      .get(file)
      ?.get(finding.resource)
      ?.find((s) => s.id === finding.checkId);
    if (match && (match.comment ?? "").trim().length >= 10) {
      used.add(`${file} ${finding.resource} ${match.id}`);
      suppressed.push({ ...finding, comment: match.comment ?? "" });
    } else {
      failed.push(finding);
    }
  }
  const stale: string[] = [];
  for (const [file, resources] of byFile) {
    for (const [resource, skips] of resources) {
      for (const s of skips) if (!used.has(`${file} ${resource} ${s.id}`)) stale.push(`${file} ${resource} ${s.id}`);
    }
  }
  return { passed: report.passed, failed, suppressed, stale };
}

export function formatOutcome(o: ScanOutcome): string {
  const lines = [`checkov: ${o.passed} passed, ${o.failed.length} failed, ${o.suppressed.length} suppressed in code, ${o.stale.length} stale suppressions`];
  for (const f of o.failed) lines.push(`  FAILED ${f.checkId} ${f.resource} in ${f.file}: ${f.checkName}`);
  for (const s of o.suppressed) lines.push(`  suppressed ${s.checkId} ${s.resource} in ${s.file}: ${s.comment}`);
  for (const s of o.stale) lines.push(`  STALE suppression (the check passes; remove it): ${s}`);
  return `${lines.join("\n")}\n`;
}
