/**
 * Destroy order with forceDeleteAuthorizations false (the default): the
 * producer cannot be destroyed while its consumer's endpoint exists, and
 * trying loses nothing; destroying the environment, consumers first, works.
 */
import * as path from "node:path";
import { REPO_ROOT, newRehearsal, stepFailure } from "../scenarios/harness";

test("fails to destroy only the producer while its consumer's endpoint exists, loses nothing, then destroys the environment", async () => {
  const rehearsal = newRehearsal(path.join(REPO_ROOT, "config", "environments.json"), "dev");
  try {
    await rehearsal.start();
    const seeded = await rehearsal.snapshot();
    await rehearsal.deploy();
    const deployed = await rehearsal.snapshot();

    // cdktf itself refuses a destroy that leaves out the stacks reading the producer's state.
    const refused = await stepFailure(() => rehearsal.destroy("destroy the producer alone", [rehearsal.stacks.producer]));
    expect(refused.message).toContain(
      "Usage Error: The following dependant stacks are not included in the stacks to run: dev-consumer-bi. Either add them or add the --ignore-missing-stack-dependencies flag.",
    );
    await rehearsal.expectWorld("nothing lost", deployed);

    // Forced past that check, AWS (the emulator) refuses to revoke a grant that an endpoint still uses.
    const forced = await stepFailure(() =>
      rehearsal.destroy("destroy the producer alone, forced", [rehearsal.stacks.producer], ["--ignore-missing-stack-dependencies"]),
    );
    expect(forced.message).toContain("InvalidAuthorizationState");
    expect(forced.message).toContain("The authorization of account 222222222222 on cluster lake-dev is used by endpoints lake-dev-bi.");
    await rehearsal.expectWorld("nothing lost", deployed);
    // Terraform removes a stack's outputs when its destroy starts, even when AWS then refuses it: the
    // consumer cannot read the producer's outputs until the producer is deployed again (README, destroy order).
    const unreadable = await stepFailure(() => rehearsal.planNoChanges("plan after the refused destroys"));
    expect(unreadable.message).toContain("dev-consumer-bi: exit 1:\nError: Resource precondition failed");
    expect(unreadable.message).toContain("The state of stack dev-producer holds no outputs for this consumer");
    await rehearsal.deploy("deploy the producer again", [rehearsal.stacks.producer]);
    await rehearsal.expectWorld("nothing lost", deployed);
    await rehearsal.planNoChanges("plan after the producer is deployed again");

    const destroy = await rehearsal.destroy();
    const lines = destroy.output.split("\n");
    const endpointGone = lines.findIndex((l) => /aws_redshift_endpoint_access\.\S+: Destruction complete/.test(l));
    const authorizationGone = lines.findIndex((l) => /aws_redshift_endpoint_authorization\.\S+: Destruction complete/.test(l));
    expect(endpointGone).toBeGreaterThan(-1);
    expect(authorizationGone).toBeGreaterThan(endpointGone);
    await rehearsal.expectWorld("nothing left", seeded);
  } finally {
    await rehearsal.stop();
  }
});
