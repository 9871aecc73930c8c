/**
 * A killed deploy: the deploy is stopped as a CI runner's timeout stops a
 * job (SIGTERM to its process group, SIGKILL 10 s later if anything still
 * runs) while the endpoint is `creating`. The re-run, with the manual step the
 * README names performed exactly as written, converges to one endpoint: no
 * duplicate, no orphan, no lost authorization.
 */
import * as path from "node:path";
import { DescribeEndpointAccessCommand } from "@aws-sdk/client-redshift";
import {
  ENDPOINT_ADDRESS,
  addedResources,
  deployedState,
  expectedResources,
  killDeployWhileCreating,
  managedState,
  tainted,
  untaintWhenActive,
} from "./fault-checks";
import { REPO_ROOT, awsClients, newRehearsal } from "./harness";

const CONSUMER_ROLE = "arn:aws:iam::222222222222:role/redshift-endpoints-deploy";

test("a deploy killed while the endpoint is creating re-runs to one endpoint, with no duplicate, orphan or lost authorization", async () => {
  const rehearsal = newRehearsal(path.join(REPO_ROOT, "config", "environments.json"), "dev", { flags: { "endpoint-delay": 90 } });
  try {
    await rehearsal.start();
    const seeded = await rehearsal.snapshot();
    const env = rehearsal.config.environments.dev;
    const name = env.consumers[0].endpointName;
    const { redshift } = awsClients(rehearsal, CONSUMER_ROLE, env.region);
    const status = async () =>
      (await redshift.send(new DescribeEndpointAccessCommand({ EndpointName: name })).catch(() => undefined))?.EndpointAccessList?.[0]?.EndpointStatus;

    const { killed, outcome } = await killDeployWhileCreating(rehearsal, status);
    const consumer = rehearsal.stacks.consumers[0];
    process.stdout.write(`killed by ${killed} after the endpoint was creating; the deploy exited ${outcome.exitCode}\n`);
    // OpenTofu stops on SIGTERM within the grace: it cancels the provider's wait, which returns with the
    // endpoint created but not active, so the endpoint is in state, tainted. The authorization is kept.
    expect(killed).toBe("SIGTERM");
    expect(await tainted(rehearsal, consumer)).toEqual([ENDPOINT_ADDRESS]);
    expect(await managedState(rehearsal)).toEqual(deployedState(rehearsal));
    const creating = expectedResources(rehearsal).map((l) => l.replace("status=active", "status=creating"));
    expect(await addedResources(rehearsal, seeded)).toEqual(creating);

    // A plain re-run would plan to replace the tainted endpoint: a new network interface and IP, and the
    // delete is refused while the endpoint is still creating (InvalidEndpointState). So, instead:
    // The README's procedure, as written: wait for active, untaint, deploy again.
    expect(await untaintWhenActive(rehearsal, 0, CONSUMER_ROLE, 5 * 60_000)).toBe(ENDPOINT_ADDRESS);
    const adopt = await rehearsal.deploy("deploy after untaint");
    expect(adopt.output).not.toMatch(/aws_redshift_endpoint_access\.\S+: (Creating|Destroying)/);
    expect(await tainted(rehearsal, consumer)).toEqual([]);
    expect(await managedState(rehearsal)).toEqual(deployedState(rehearsal));
    expect(await addedResources(rehearsal, seeded)).toEqual(expectedResources(rehearsal));
    await rehearsal.verify();
    await rehearsal.planNoChanges();
    await rehearsal.destroy();
    expect(await addedResources(rehearsal, seeded)).toEqual([]);
  } finally {
    await rehearsal.stop();
  }
});
