/**
 * Destroy order, and the check that no revoke cuts an endpoint off
 * (lib/operations/revoke-guard.ts), with forceDeleteAuthorizations false (the
 * default).
 *
 * The emulator runs with `--revoke-in-use accept`: AWS documents nothing about
 * a revoke without Force while endpoints use the grant (emulator rule
 * revoke.in-use-without-force, assumed), so here the emulator would let the
 * revoke through and only the project's own commands stand between the user
 * and an endpoint cut off from its cluster.
 * - cdktf refuses to destroy the producer alone (its consumers read its state);
 * - `npm run deploy` with a consumer moved to another VPC refuses before the
 *   producer drops the VPC its endpoint is in;
 * - `npm run destroy` whose consumer state was lost refuses to destroy the
 *   producer: the authorization's EndpointCount says an endpoint still uses it;
 * - each refusal changes nothing in either account;
 * - with the config and state as they were, `npm run destroy` destroys the
 *   consumers, then the producer, and leaves nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, newRehearsal, stepFailure } from "./harness";

test("refuses every revoke an endpoint still uses, changing nothing, then destroys the environment consumers first", async () => {
  const rehearsal = newRehearsal(path.join(REPO_ROOT, "config", "environments.json"), "dev", { flags: { "revoke-in-use": "accept" } });
  try {
    await rehearsal.start();
    const seeded = await rehearsal.snapshot();
    await rehearsal.deploy();
    const deployed = await rehearsal.snapshot();
    const consumer = rehearsal.stacks.consumers[0];
    const vpcId = rehearsal.config.environments.dev.consumers[0].vpcId;

    // cdktf itself refuses a destroy that leaves out the stacks reading the producer's state.
    const refused = await stepFailure(() => rehearsal.destroy("destroy the producer alone", [rehearsal.stacks.producer]));
    expect(refused.message).toContain(
      `Usage Error: The following dependant stacks are not included in the stacks to run: ${consumer}. Either add them or add the --ignore-missing-stack-dependencies flag.`,
    );
    await rehearsal.expectWorld("nothing lost", deployed);

    // The consumer moved to another VPC: the producer would drop the VPC its endpoint is still in.
    const config = fs.readFileSync(rehearsal.scratchConfigFile, "utf8");
    rehearsal.editEnvironment((env) => ({ ...env, consumers: env.consumers.map((c) => ({ ...c, vpcId: "vpc-0fedcba9876543210" })) }));
    // npm run deploy and destroy as a user runs them against the emulator, on the rehearsal's scratch folder and state.
    const moved = await rehearsal.npm("npm run deploy (consumer moved)", ["deploy", "--", "dev", "--auto-approve"]);
    expect(moved.exitCode).toBe(1);
    expect(moved.output).toContain("Refusing to deploy dev-producer: it would revoke authorizations that endpoints still use.");
    expect(moved.output).toContain(`  - account 222222222222 on cluster lake-dev, VPC ${vpcId}: used by endpoint lake-dev-bi`);
    expect(moved.output).toContain("Nothing was applied of dev-producer.");
    expect(moved.output).not.toMatch(/aws_redshift_endpoint_authorization\.\S+: Modifying/);
    await rehearsal.expectWorld("nothing changed", deployed);
    fs.writeFileSync(rehearsal.scratchConfigFile, config);

    // The consumer's state lost: its destroy destroys nothing, and the endpoint still uses the authorization.
    const consumerState = path.join(rehearsal.options.scratchDir, `terraform.${consumer}.tfstate`);
    fs.renameSync(consumerState, `${consumerState}.kept`);
    const lost = await rehearsal.npm("npm run destroy (consumer state lost)", ["destroy", "--", "dev", "--auto-approve"]);
    expect(lost.exitCode).toBe(1);
    expect(lost.output).toContain("Refusing to destroy dev-producer: it would revoke authorizations that endpoints still use.");
    expect(lost.output).toContain(
      "  - account 222222222222 on cluster lake-dev, the whole authorization: used by 1 Redshift-managed VPC endpoint (its EndpointCount)",
    );
    expect(lost.output).toContain("Nothing was destroyed of dev-producer.");
    await rehearsal.expectWorld("nothing changed", deployed);
    fs.rmSync(consumerState, { force: true });
    fs.renameSync(`${consumerState}.kept`, consumerState);
    await rehearsal.planNoChanges("plan after the refusals");

    const destroy = await rehearsal.npm("npm run destroy", ["destroy", "--", "dev", "--auto-approve"]);
    expect(destroy.exitCode).toBe(0);
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
