/**
 * Past the provider's wait (`npm run test:scenarios:slow`, REHEARSE_SLOW=1; over
 * 11 minutes, so not part of CI's `npm run test:scenarios`): endpoints stay
 * `creating` for 660 s, longer than the provider's fixed 10 minutes. The
 * deploy fails with the provider's timeout; the README's procedure (wait for
 * `active`, untaint, deploy again), run exactly as written, adopts the
 * endpoint with no change and no second endpoint.
 */
import * as path from "node:path";
import { ENDPOINT_ADDRESS, addedResources, deployedState, expectedResources, managedState, tainted, untaintWhenActive } from "../fault-checks";
import { REPO_ROOT, newRehearsal, since, stepFailure } from "../harness";

const CONSUMER_ROLE = "arn:aws:iam::222222222222:role/redshift-endpoints-deploy";

test("fails to deploy an endpoint still creating after the provider's 10 minutes; the README's untaint procedure then adopts it with no change", async () => {
  if (process.env.REHEARSE_SLOW !== "1") throw new Error("This scenario takes over 11 minutes: run it with npm run test:scenarios:slow (REHEARSE_SLOW=1).");
  const rehearsal = newRehearsal(path.join(REPO_ROOT, "config", "environments.json"), "dev", { flags: { "endpoint-delay": 660 } });
  try {
    await rehearsal.start();
    const seeded = await rehearsal.snapshot();
    const started = Date.now();
    const failure = await stepFailure(() => rehearsal.deploy());
    const failedAfter = since(started);
    process.stdout.write(`deploy failed after ${failedAfter.toFixed(0)} s:\n${failure.message}\n`);
    expect(failure.message).toMatch(/waiting for Redshift Endpoint Access \(lake-dev-bi\)[\s\S]*timeout while waiting for state to become 'active'/);
    expect(await tainted(rehearsal, rehearsal.stacks.consumers[0])).toEqual([ENDPOINT_ADDRESS]);
    expect(await managedState(rehearsal)).toEqual(deployedState(rehearsal));

    const waited = Date.now();
    expect(await untaintWhenActive(rehearsal, 0, CONSUMER_ROLE, 5 * 60_000)).toBe(ENDPOINT_ADDRESS);
    const adopt = await rehearsal.deploy("deploy after untaint");
    process.stdout.write(
      `waited ${since(waited).toFixed(0)} s for active, untainted, deployed again:\n${adopt.output
        .split("\n")
        .filter((l) => /Plan:|No changes|Apply complete/.test(l))
        .join("\n")}\n`,
    );
    expect(adopt.output).not.toMatch(/aws_redshift_endpoint_access\.\S+: (Creating|Destroying)/);
    expect(await tainted(rehearsal, rehearsal.stacks.consumers[0])).toEqual([]);
    expect(await addedResources(rehearsal, seeded)).toEqual(expectedResources(rehearsal));
    await rehearsal.planNoChanges();
    process.stdout.write(`total ${since(started).toFixed(0)} s (${new Date().toISOString()})\n`);
  } finally {
    await rehearsal.stop();
  }
});
