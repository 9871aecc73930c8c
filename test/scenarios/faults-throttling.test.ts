/**
 * Throttling: 30 % of the Redshift and EC2 calls of a deploy, a verify and a
 * destroy are answered with ThrottlingException/RequestLimitExceeded or a 5xx
 * before they do anything (emulator/faults.py). All three converge through
 * the provider's and the SDKs' retries; the retries are counted from the
 * emulator's own count of injected faults.
 */
import * as path from "node:path";
import { addedResources, deployedState, expectedResources, managedState } from "./fault-checks";
import { REPO_ROOT, newRehearsal, since } from "./harness";

test("a deploy, a verify and a destroy with 30 % of Redshift and EC2 calls throttled or failing all converge, with nothing lost or doubled", async () => {
  const rehearsal = newRehearsal(path.join(REPO_ROOT, "config", "environments.json"), "dev", { flags: { "fault-rate": 0.3, "fault-seed": 14 } });
  try {
    await rehearsal.start();
    const seeded = await rehearsal.snapshot();
    const rows: string[] = [];
    const step = async (name: string, run: () => Promise<unknown>) => {
      const before = (await rehearsal.faultCount()).injected;
      const started = Date.now();
      await run();
      const count = await rehearsal.faultCount();
      rows.push(`| ${name} | ${since(started).toFixed(0)} s | ${count.injected - before} |`);
    };

    await step("deploy", () => rehearsal.deploy());
    expect(await managedState(rehearsal)).toEqual(deployedState(rehearsal));
    expect(await addedResources(rehearsal, seeded)).toEqual(expectedResources(rehearsal));
    await step("verify", () => rehearsal.verify());
    await step("plan: no changes", () => rehearsal.planNoChanges());
    await step("destroy", () => rehearsal.destroy());
    expect(await addedResources(rehearsal, seeded)).toEqual([]);

    const total = await rehearsal.faultCount();
    process.stdout.write(
      `throttling at rate ${total.rate}: ${total.injected} faults injected in ${total.calls} Redshift/EC2 calls\n| step | time | faults retried |\n|---|---|---|\n${rows.join("\n")}\n${JSON.stringify(total.by, null, 1)}\n`,
    );
    // Not one fault was fatal, and there were faults to survive.
    expect(total.injected).toBeGreaterThan(10);
  } finally {
    await rehearsal.stop();
  }
});
