/** The shipped dev environment, rehearsed exactly as `npm run rehearse -- dev --enforce-iam` does. */
import * as path from "node:path";
import { formatSteps, rehearse } from "../../lib/operations/rehearse";
import { REPO_ROOT, newRehearsal } from "./harness";

test("the shipped dev environment deploys, verifies, converges and destroys to nothing, under exactly its generated policies", async () => {
  const rehearsal = newRehearsal(path.join(REPO_ROOT, "config", "environments.json"), "dev");
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
    ["IAM: no denials", "ok"],
  ]);
});
