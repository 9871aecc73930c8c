/**
 * An environment with three consumers: one in the producer's own account (no
 * authorization), one with a private hosted zone, one with a standby subnet.
 * Its consumer stacks deploy side by side once the producer is done, so it
 * takes at most 1.5x the deploy of a one-consumer environment, measured here
 * in the same run on the same machine.
 */
import * as path from "node:path";
import { formatSteps, rehearse } from "../../lib/operations/rehearse";
import { FIXTURES, newRehearsal } from "./harness";

const CONFIG = path.join(FIXTURES, "consumers.json");

test("an environment with three consumers deploys side by side, within 1.5x of one consumer, and destroys to nothing", async () => {
  const solo = await rehearse(newRehearsal(CONFIG, "solo"));
  process.stdout.write(`solo (1 consumer):\n${formatSteps(solo.rows)}`);
  expect(solo.failure?.message).toBeUndefined();

  const trio = await rehearse(newRehearsal(CONFIG, "trio"));
  process.stdout.write(`trio (3 consumers):\n${formatSteps(trio.rows)}`);
  expect(trio.failure?.message).toBeUndefined();

  const deploySeconds = (rows: typeof solo.rows) => rows.find((r) => r.step === "deploy")!.seconds;
  const ratio = deploySeconds(trio.rows) / deploySeconds(solo.rows);
  process.stdout.write(
    `deploy: 1 consumer ${deploySeconds(solo.rows).toFixed(1)} s, 3 consumers ${deploySeconds(trio.rows).toFixed(1)} s, ratio ${ratio.toFixed(2)} (limit 1.5)\n`,
  );
  expect(ratio).toBeLessThanOrEqual(1.5);
});
