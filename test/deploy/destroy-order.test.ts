/**
 * Destroy order with forceDeleteAuthorizations false (the default): the
 * producer cannot be destroyed while its consumer's endpoint exists, and
 * trying loses nothing; destroying the environment, consumers first, works.
 */
import * as path from "node:path";
import { REPO_ROOT, newRehearsal, stepFailure } from "./harness";

test("fails to destroy only the producer while its consumer's endpoint exists, loses nothing, then destroys the environment", async () => {
  const rehearsal = newRehearsal(path.join(REPO_ROOT, "config", "environments.json"), "dev");
  try {
    await rehearsal.start();
    const seeded = await rehearsal.snapshot();
    await rehearsal.deploy();
    const deployed = await rehearsal.snapshot();

    const failure = await stepFailure(() => rehearsal.destroy("destroy the producer alone", [rehearsal.stacks.producer]));
    expect(failure.message).toMatch(/dev-consumer-bi|endpoint|EndpointAuthorization|InvalidAuthorizationState|depend/i);
    await rehearsal.expectWorld("nothing lost", deployed);
    await rehearsal.planNoChanges("plan after the refused destroy");

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
