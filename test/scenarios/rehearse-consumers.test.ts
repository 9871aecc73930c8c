/**
 * An environment with three consumers: one in the producer's own account (no
 * authorization), one with a private hosted zone, one with a standby subnet.
 * It rehearses like any other, and its consumer stacks deploy side by side
 * once the producer is done: each consumer starts creating its endpoint
 * before any of them is complete. That is an order of events in cdktf's
 * output, not a timing, so it holds on a busy machine too.
 *
 * How much time side by side saves is measured, not asserted here:
 * `npm run bench:deploy` (lib/bench/deploy.ts), which `npm run test:scenarios`
 * runs alone after the scenarios.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { endpointCreations, sideBySideProblem } from "../../lib/rehearsal/deploy-timeline";
import { formatSteps, rehearse } from "../../lib/rehearsal/rehearse";
import { FIXTURES, newRehearsal } from "./harness";

const CONFIG = path.join(FIXTURES, "consumers.json");

test("an environment with three different consumers deploys them side by side, verifies, and destroys to nothing", async () => {
  const rehearsal = newRehearsal(CONFIG, "trio");
  const result = await rehearse(rehearsal);
  process.stdout.write(`trio (3 consumers):\n${formatSteps(result.rows)}`);
  expect(result.failure?.message).toBeUndefined();

  const logs = path.join(rehearsal.options.scratchDir, "logs");
  const deployLog = fs.readdirSync(logs).find((f) => /^\d+-deploy\.log$/.test(f));
  expect(deployLog).toBeDefined();
  const creations = endpointCreations(fs.readFileSync(path.join(logs, deployLog as string), "utf8"));
  expect(creations.map((c) => c.stack).sort()).toEqual(["trio-consumer-dns", "trio-consumer-own", "trio-consumer-standby"]);
  expect(sideBySideProblem(creations, rehearsal.stacks.consumers)).toBeUndefined();
});
