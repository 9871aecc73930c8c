/**
 * lib/operations: the commands that act on real AWS accounts, one file each,
 * each a command (lib/cli) that a one-line script in scripts/ runs:
 *   environment.ts     `npm run deploy` / `npm run diff` / `npm run destroy` for one environment
 *   taint-guard.ts     `npm run deploy`'s check of an endpoint an interrupted deploy left tainted
 *   adoption-guard.ts  `npm run deploy`'s refusal to replace an adopted endpoint
 *   revoke-guard.ts    `npm run deploy` and `destroy`'s refusal to revoke a grant an endpoint still uses
 *   verify.ts          `npm run verify`: the post-deploy health check
 *   adopt.ts           `npm run adopt`: finds what was built by hand, writes the adoption file
 *   drift.ts           `npm run drift`: read-only plans and AWS lookups, side by side per stack
 *   drift-report.ts    drift's rows, security flags and report, from what the engine and AWS said
 *   parity-record.ts   `npm run parity:record`: the parity suite (test/emulator/parity) recorded against AWS
 * They reach AWS through lib/aws and may import lib/iam, lib/synth, lib/cli,
 * lib/app, lib/config, stacks/ and modules/. They never import the rehearsal
 * harness (lib/rehearsal) or the emulator that imitates AWS: lint refuses it
 * (`real-aws-apart-from-harness` in .dependency-cruiser.cjs). The places an
 * emulator is chosen are scripts/environment.ts and scripts/drift.ts, which wire the offline engine in.
 *
 * This file only describes the folder: import each command from its own
 * file, so that one command does not load another's dependencies (verify's
 * AWS SDK clients, for one).
 */
export {};
