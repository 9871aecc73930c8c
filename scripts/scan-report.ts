/**
 * node scripts/run-ts.js scripts/scan-report.ts <scanned stacks dir> < checkov.json
 * Prints the scan outcome; exits 1 on any unsuppressed failure or stale suppression.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { applySuppressions, formatOutcome, parseCheckovJson } from "../lib/reports/checkov";

const dir = process.argv[2];
const stackFiles = readdirSync(dir).map((stack) => join(stack, "cdk.tf.json"));
const outcome = applySuppressions(dir, parseCheckovJson(readFileSync(0, "utf8")), stackFiles);
process.stdout.write(formatOutcome(outcome));
process.exitCode = outcome.failed.length || outcome.stale.length ? 1 : 0;
