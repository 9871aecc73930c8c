/**
 * lib/operations: the commands an operator runs around a deploy, one file
 * each, each called by a thin script in scripts/:
 *   environment-stacks.ts  `npm run deploy` / `npm run diff` / `npm run destroy` for one environment
 *   taint-guard.ts         `npm run deploy`'s check of an endpoint an interrupted deploy left tainted
 *   verify.ts              `npm run verify`: the post-deploy health check
 *   adopt.ts               `npm run adopt`: finds what was built by hand, writes the adoption file
 *   adoption-guard.ts      `npm run deploy`'s refusal to replace an adopted endpoint
 *   rehearse.ts            `npm run rehearse`: a real deploy against the emulator (emulator.ts, engine.ts, world.ts)
 *   deploy-timeline.ts     when each stack created its endpoint, from a deploy's output (`npm run bench:deploy`)
 *   iam-policies.ts        `npm run iam-policies`: least-privilege deploy policies
 *   checkov-report.ts      `npm run scan`: applies in-code checkov suppressions
 *   package-contents.ts    `npm run check-package`: the tarball holds only exports and their imports
 * Files here may import lib/synth, lib/app, lib/config, stacks/ and modules/;
 * never lib/bench, scripts/ or main.ts. Nothing below imports them.
 *
 * This file only describes the folder: import each command from its own
 * file, so that one command does not load another's dependencies (verify's
 * AWS SDK clients, for one).
 */
export {};
