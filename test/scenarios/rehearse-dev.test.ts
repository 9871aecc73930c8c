/**
 * The shipped dev environment, rehearsed exactly as `npm run rehearse -- dev --enforce-iam`
 * does; and what the provider costs each stack on disk.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type Rehearsal, type RehearsalResult, bytesUnder, formatSteps, rehearse } from "../../lib/rehearsal/rehearse";
import { REPO_ROOT, newRehearsal } from "./harness";

/** The provider binary is about 675 MB: a stack that copied it would hold that much. */
const ONE_MIB = 1024 * 1024;

// One rehearsal, run once for both tests: the second reads the .terraform folders its deploy left.
let rehearsal: Rehearsal;
let result: RehearsalResult;
beforeAll(async () => {
  rehearsal = newRehearsal(path.join(REPO_ROOT, "config", "environments.json"), "dev");
  result = await rehearse(rehearsal);
  process.stdout.write(`dev rehearsal:\n${formatSteps(result.rows)}`);
});

test("the shipped dev environment deploys, verifies, converges and destroys to nothing, under exactly its generated policies", () => {
  expect(result.failure?.message).toBeUndefined();
  expect(result.rows.map((r) => [r.step, r.result])).toEqual([
    ["emulator", "ok"],
    ["deploy", "ok"],
    ["verify", "ok"],
    ["plan: no changes", "ok"],
    ["deploy again", "ok"],
    ["destroy", "ok"],
    ["nothing left", "ok"],
    ["IAM: no denials", "ok"],
  ]);
});

test("the provider is installed once per machine: each stack's .terraform links the mirror's provider instead of copying it", () => {
  const mirror = fs.realpathSync(path.join(path.dirname(rehearsal.options.engine.cliConfigFile), "mirror"));
  const bytes = rehearsal.allStacks.map((id) => bytesUnder(path.join(rehearsal.stackDir(id), ".terraform")));
  process.stdout.write(`bytes under .terraform, per stack: ${bytes.join(", ")}\n`);
  for (const n of bytes) expect(n).toBeLessThan(ONE_MIB);
  for (const id of rehearsal.allStacks) {
    const providers = path.join(rehearsal.stackDir(id), ".terraform", "providers", "registry.opentofu.org", "hashicorp", "aws");
    const [version] = fs.readdirSync(providers);
    const platform = path.join(providers, version, fs.readdirSync(path.join(providers, version))[0]);
    expect(fs.lstatSync(platform).isSymbolicLink()).toBe(true);
    expect(fs.realpathSync(platform).startsWith(mirror)).toBe(true);
  }
});
