/**
 * A deploy killed outright (SIGKILL to its whole process group: cdktf,
 * OpenTofu and the provider, as `kill -9` or a lost machine ends it) while the
 * endpoint is `creating`. OpenTofu writes a stack's state when its apply
 * ends, so the consumer's state then holds nothing: its security group,
 * ingress rule, subnet group and endpoint exist in AWS only, and a plain
 * re-run fails on the first of them (`InvalidGroup.Duplicate`). The
 * documented procedure (docs/backends-and-deploy.md, "killed before
 * OpenTofu could record anything") is run exactly as written: wait for
 * `active`, `npm run adopt -- <env>`, deploy again. It converges to one
 * endpoint, the one AWS was creating: no duplicate, no orphan, no lost
 * authorization. On S3 with `use_lockfile` the kill also leaves the consumer's
 * lock object behind: the re-run names the lock's ID, and the README's
 * `terraform force-unlock <ID>` in the stack's folder releases it.
 */
import * as path from "node:path";
import { DescribeEndpointAccessCommand } from "@aws-sdk/client-redshift";
import { ENDPOINT_ADDRESS, addedResources, deployedState, expectedResources, managedState } from "./fault-checks";
import { FIXTURES, REPO_ROOT, awsClients, newRehearsal, stepFailure } from "./harness";

const CONSUMER_ROLE = "arn:aws:iam::222222222222:role/redshift-endpoints-deploy";

test.each([
  ["local state", path.join(REPO_ROOT, "config", "environments.json"), "dev"],
  ["S3 state with use_lockfile", path.join(FIXTURES, "s3.json"), "s3"],
])(
  "a deploy killed outright while the endpoint is creating (%s) converges, after the documented steps, to the same one endpoint",
  async (_backend, config, environment) => {
    const rehearsal = newRehearsal(config, environment, { flags: { "endpoint-delay": 45 } });
    try {
      await rehearsal.start();
      const seeded = await rehearsal.snapshot();
      const env = rehearsal.config.environments[environment];
      const name = env.consumers[0].endpointName;
      const consumer = rehearsal.stacks.consumers[0];
      const { redshift } = awsClients(rehearsal, CONSUMER_ROLE, env.region);
      const describe = async () =>
        (await redshift.send(new DescribeEndpointAccessCommand({ EndpointName: name })).catch(() => undefined))?.EndpointAccessList?.[0];

      const deploy = rehearsal.startCdktf("deploy (killed outright)", ["deploy", ...rehearsal.allStacks, "--auto-approve", "--skip-provider-lock"]);
      let exited = false;
      void deploy.done.then(() => {
        exited = true;
      });
      while ((await describe())?.EndpointStatus !== "creating") {
        if (exited) throw new Error(`the deploy ended before the endpoint was creating:\n${(await deploy.done).output}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      process.kill(-(deploy.child.pid ?? 0), "SIGKILL");
      await deploy.done;
      const created = await describe();

      // What a kill -9 leaves: the producer's apply had ended (authorization in state); the consumer's had not.
      expect(await managedState(rehearsal)).toEqual({ [rehearsal.stacks.producer]: deployedState(rehearsal)[rehearsal.stacks.producer], [consumer]: [] });
      const creating = expectedResources(rehearsal).map((l) => l.replace("status=active", "status=creating"));
      expect(await addedResources(rehearsal, seeded)).toEqual(creating);
      let plain = await stepFailure(() => rehearsal.deploy("deploy again, plainly"));
      if (env.backend?.type === "s3") {
        // The killed apply held the consumer's lock object; the README's step, as written.
        expect(plain.message).toContain("Error acquiring the state lock");
        const id = /ID:\s+([0-9a-f-]{36})/.exec(plain.message)?.[1];
        expect(id).toBeDefined();
        const unlock = await rehearsal.run(
          "terraform force-unlock",
          rehearsal.options.engine.terraformBinary,
          ["force-unlock", "-force", id ?? ""],
          rehearsal.stackDir(consumer),
        );
        expect(unlock.output).toContain("OpenTofu state has been successfully unlocked!");
        plain = await stepFailure(() => rehearsal.deploy("deploy again, plainly, unlocked"));
      }
      expect(plain.message).toContain(`InvalidGroup.Duplicate: The security group 'redshift-endpoint-${name}' already exists`);

      // The procedure, as written: wait until the endpoint is active, adopt what AWS holds, deploy again.
      while ((await describe())?.EndpointStatus !== "active") await new Promise((r) => setTimeout(r, 5000));
      const adopt = await rehearsal.npm("npm run adopt", ["adopt", "--", environment]);
      expect(adopt.exitCode).toBe(0);
      const deployed = await rehearsal.deploy("deploy after adopt");
      expect(deployed.output).not.toMatch(/aws_redshift_endpoint_access\.\S+: (Creating|Destroying)/);
      expect(await managedState(rehearsal)).toEqual(deployedState(rehearsal));
      expect(await addedResources(rehearsal, seeded)).toEqual(expectedResources(rehearsal));
      const after = await describe();
      expect(after?.EndpointCreateTime).toEqual(created?.EndpointCreateTime);
      expect(after?.VpcEndpoint?.NetworkInterfaces?.[0]?.NetworkInterfaceId).toBe(created?.VpcEndpoint?.NetworkInterfaces?.[0]?.NetworkInterfaceId);
      expect((await managedState(rehearsal))[consumer]).toContain(ENDPOINT_ADDRESS);
      await rehearsal.verify();
      await rehearsal.planNoChanges();
      await rehearsal.destroy();
      expect(await addedResources(rehearsal, seeded)).toEqual([]);
    } finally {
      await rehearsal.stop();
    }
  },
);
