/**
 * A killed deploy, recovered by `npm run deploy` itself: the deploy is
 * killed while the endpoint is `creating` (as in faults-killed-deploy), which
 * leaves it in state, tainted. Then, as a user runs it against the emulator:
 * - `npm run deploy -- dev` while AWS still creates the endpoint refuses,
 *   says to wait, and applies nothing of the consumer;
 * - once the endpoint is `active`, `npm run deploy -- dev` untaints it and
 *   keeps it: no create, no destroy, one endpoint, nothing lost.
 * The manual procedure of the README is faults-killed-deploy's; this is the
 * check `npm run deploy` makes (lib/operations/taint-guard.ts).
 */
import * as path from "node:path";
import { DescribeEndpointAccessCommand } from "@aws-sdk/client-redshift";
import { ENDPOINT_ADDRESS, addedResources, deployedState, expectedResources, killDeployWhileCreating, managedState, tainted } from "./fault-checks";
import { REPO_ROOT, awsClients, newRehearsal, since } from "./harness";

const CONSUMER_ROLE = "arn:aws:iam::222222222222:role/redshift-endpoints-deploy";

/**
 * `npm run deploy -- dev --auto-approve` as rehearsal.npm() runs it: from the
 * project folder, as a user runs it against the emulator, its synth output and
 * local state in the rehearsal's scratch folder, so both see the same state.
 */
const DEPLOY = ["deploy", "--", "dev", "--auto-approve"];

test("npm run deploy refuses while a tainted endpoint is creating, then untaints and keeps it once active", async () => {
  const rehearsal = newRehearsal(path.join(REPO_ROOT, "config", "environments.json"), "dev", { flags: { "endpoint-delay": 150 } });
  try {
    await rehearsal.start();
    const seeded = await rehearsal.snapshot();
    const env = rehearsal.config.environments.dev;
    const name = env.consumers[0].endpointName;
    const consumer = rehearsal.stacks.consumers[0];
    const { redshift } = awsClients(rehearsal, CONSUMER_ROLE, env.region);
    const described = async () =>
      (await redshift.send(new DescribeEndpointAccessCommand({ EndpointName: name })).catch(() => undefined))?.EndpointAccessList?.[0];
    const status = async () => (await described())?.EndpointStatus;

    await killDeployWhileCreating(rehearsal, status);
    expect(await tainted(rehearsal, consumer)).toEqual([ENDPOINT_ADDRESS]);
    const created = await described();

    let started = Date.now();
    const early = await rehearsal.npm("npm run deploy while creating", DEPLOY);
    process.stdout.write(
      `npm run deploy while creating: exit ${early.exitCode} after ${since(started).toFixed(0)} s\n${early.output.split("\n").slice(-5).join("\n")}\n`,
    );
    expect(await status()).toBe("creating");
    expect(early.exitCode).toBe(1);
    expect(early.output).toContain(`Refusing to deploy ${consumer}. ${consumer}: endpoint ${name} (${ENDPOINT_ADDRESS}) is tainted in state`);
    expect(early.output).toContain("AWS still reports it creating. Deploying now would replace it");
    expect(early.output).toContain("then run `npm run deploy -- dev` again: it untaints the endpoint and keeps it.");
    expect(early.output).not.toMatch(/aws_redshift_endpoint_access\.\S+: (Creating|Destroying)/);
    expect(await tainted(rehearsal, consumer)).toEqual([ENDPOINT_ADDRESS]);

    while ((await status()) !== "active") await new Promise((r) => setTimeout(r, 5000));
    const active = await described();
    started = Date.now();
    const kept = await rehearsal.npm("npm run deploy once active", DEPLOY);
    process.stdout.write(`npm run deploy once active: exit ${kept.exitCode} after ${since(started).toFixed(0)} s\n`);
    expect(kept.exitCode).toBe(0);
    expect(kept.output).toContain(`AWS reports it active, so this deploy untaints it and keeps it`);
    expect(kept.output).not.toMatch(/aws_redshift_endpoint_access\.\S+: (Creating|Destroying)/);
    expect(await tainted(rehearsal, consumer)).toEqual([]);
    // The same endpoint: its network interface and create time are the ones it was created with.
    const after = await described();
    expect(after?.EndpointCreateTime).toEqual(created?.EndpointCreateTime);
    expect(after?.VpcEndpoint?.NetworkInterfaces?.map((n) => n.NetworkInterfaceId)).toEqual(
      active?.VpcEndpoint?.NetworkInterfaces?.map((n) => n.NetworkInterfaceId),
    );
    expect(await managedState(rehearsal)).toEqual(deployedState(rehearsal));
    expect(await addedResources(rehearsal, seeded)).toEqual(expectedResources(rehearsal));
    await rehearsal.planNoChanges();
    await rehearsal.destroy();
    expect(await addedResources(rehearsal, seeded)).toEqual([]);
  } finally {
    await rehearsal.stop();
  }
});
