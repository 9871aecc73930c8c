/**
 * The shipped dev environment, rehearsed exactly as `npm run rehearse -- dev`
 * does; and what the provider costs each stack on disk.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type Rehearsal, bytesUnder, formatSteps, rehearse } from "../../lib/operations/rehearse";
import { REPO_ROOT, newRehearsal } from "./harness";

/** The provider binary is about 675 MB: a stack that copied it would hold that much. */
const ONE_MIB = 1024 * 1024;

let rehearsal: Rehearsal;

test("the shipped dev environment deploys, verifies, converges and destroys to nothing", async () => {
  rehearsal = newRehearsal(path.join(REPO_ROOT, "config", "environments.json"), "dev");
  const result = await rehearse(rehearsal);
  process.stdout.write(`dev rehearsal:\n${formatSteps(result.rows)}`);
  expect(result.failure?.message).toBeUndefined();
  expect(result.rows.map((r) => [r.step, r.result])).toEqual([
    ["emulator", "ok"],
    ["deploy", "ok"],
    ["verify", "ok"],
    ["plan: no changes", "ok"],
    ["deploy again", "ok"],
    ["destroy", "ok"],
    ["nothing left", "ok"],
  ]);
});

test("the provider is installed once per machine: each stack's .terraform holds links, with or without the plugin cache", async () => {
  const withCache = rehearsal.allStacks.map((id) => bytesUnder(path.join(rehearsal.stackDir(id), ".terraform")));
  // The same stack initialized the way scripts/test-terraform.sh does, with no plugin cache at all.
  const copy = path.join(rehearsal.options.scratchDir, "no-plugin-cache");
  fs.cpSync(rehearsal.stackDir(rehearsal.stacks.producer), copy, { recursive: true, filter: (src) => !src.includes(`${path.sep}.terraform`) });
  const init = await rehearsal.run(
    "init without a plugin cache",
    rehearsal.options.engine.terraformBinary,
    ["init", "-backend=false", "-input=false", "-no-color"],
    copy,
    {
      TF_PLUGIN_CACHE_DIR: "",
    },
  );
  expect(init.exitCode).toBe(0);
  const withoutCache = bytesUnder(path.join(copy, ".terraform"));
  process.stdout.write(`bytes under .terraform: with the shared plugin cache ${withCache.join(", ")} (per stack); without any cache ${withoutCache}\n`);
  for (const bytes of [...withCache, withoutCache]) expect(bytes).toBeLessThan(ONE_MIB);
});
