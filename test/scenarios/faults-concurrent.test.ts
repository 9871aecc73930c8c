/**
 * Two deploys of one environment at once, as two people (or two CI jobs)
 * start them: on the local backend and on S3 with use_lockfile. One takes
 * each stack's state lock; the other fails on the lock with OpenTofu's
 * message, which names the lock. Nothing is lost, and a later deploy plans
 * no changes.
 */
import * as path from "node:path";
import { addedResources, deployedState, expectedResources, managedState } from "./fault-checks";
import { FIXTURES, REPO_ROOT, newRehearsal } from "./harness";

test.each([
  ["the local backend", path.join(REPO_ROOT, "config", "environments.json"), "dev"],
  ["S3 with use_lockfile", path.join(FIXTURES, "s3.json"), "s3"],
])("two deploys of one environment at once on %s: one deploys, the other fails on the lock, nothing is lost", async (_backend, config, environment) => {
  const rehearsal = newRehearsal(config, environment, { flags: { "endpoint-delay": 5 } });
  try {
    await rehearsal.start();
    const seeded = await rehearsal.snapshot();
    // Synthesize and init once, so both deploys race for the lock, not for cdktf.out.
    await rehearsal.cdktf("synth", ["synth"]);
    const args = ["deploy", ...rehearsal.allStacks, "--auto-approve", "--skip-provider-lock", "--skip-synth"];
    const first = rehearsal.startCdktf("deploy 1", args);
    await new Promise((r) => setTimeout(r, 1500));
    const second = rehearsal.startCdktf("deploy 2", args);
    const outcomes = await Promise.all([first.done, second.done]);
    const codes = outcomes.map((o) => o.exitCode);
    process.stdout.write(`${environment}: exit codes ${codes.join(", ")}\n`);
    for (const o of outcomes) {
      if (o.exitCode !== 0) process.stdout.write(`--- the failed deploy ---\n${o.output.split("\n").slice(-30).join("\n")}\n`);
    }
    expect(codes.filter((c) => c === 0)).toHaveLength(1);
    const loser = outcomes.find((o) => o.exitCode !== 0)!;
    expect(loser.output).toMatch(/Error acquiring the state lock/);
    expect(loser.output).toMatch(/Lock Info:\s+[\s\S]*ID:\s+\S+/);

    expect(await managedState(rehearsal)).toEqual(deployedState(rehearsal));
    expect(await addedResources(rehearsal, seeded)).toEqual(expectedResources(rehearsal));
    // The lock is released: a later deploy takes it and plans no changes.
    await rehearsal.deploy("deploy later", rehearsal.allStacks);
    await rehearsal.planNoChanges();
    await rehearsal.destroy();
    expect(await addedResources(rehearsal, seeded)).toEqual([]);
  } finally {
    await rehearsal.stop();
  }
});
