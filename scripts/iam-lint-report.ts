/**
 * node scripts/run-ts.js scripts/iam-lint-report.ts <policies dir> < parliament.json
 * Prints the lint outcome; exits 1 on any unsuppressed finding or unused suppression.
 * The findings the newer reference supersedes are counted and set aside (lib/reports/parliament.ts).
 */
import { readFileSync, readdirSync } from "node:fs";
import { applyLintSuppressions, formatLintOutcome, parseParliamentJson } from "../lib/reports/parliament";

const files = readdirSync(process.argv[2]).filter((f) => f.endsWith(".json"));
const { text, ok } = formatLintOutcome(files, applyLintSuppressions(parseParliamentJson(readFileSync(0, "utf8"))));
process.stdout.write(text);
process.exitCode = ok ? 0 : 1;
