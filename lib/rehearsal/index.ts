/**
 * lib/rehearsal: the rehearsal harness, which imitates two AWS accounts to
 * deploy for real against them. Nothing that acts on real AWS imports it.
 *   rehearse.ts           `npm run rehearse`: deploy, verify, plan, deploy again, destroy
 *   emulator.ts           starts and stops the emulator (emulator/, moto's server and ours)
 *   emulator-options.ts   its flags, from emulator/options.json (one table for both sides)
 *   engine.ts             the offline OpenTofu toolchain, and cdktf against an emulator
 *   iam-enforcement.ts    which emulated role holds which generated document; the call log
 *   granted-vs-called.ts  documents against recorded calls: the report after the scenarios
 *   world.ts              snapshots of what the emulator holds
 *   deploy-timeline.ts    when each stack created its endpoint, from a deploy's output
 *
 * This file only describes the folder: import each part from its own file.
 */
export {};
