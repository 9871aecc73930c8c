/**
 * Each plan-time guardrail of the producer stack, against an emulator seeded
 * with a world that breaks it the way people broke it by hand. The deploy
 * fails before any resource is created, with the guardrail's message, and the
 * emulator holds nothing new.
 */
import * as path from "node:path";
import { REPO_ROOT, newRehearsal, stepFailure } from "./harness";

const SHIPPED = path.join(REPO_ROOT, "config", "environments.json");

test.each([
  ["relocation off", { flags: { "relocation-off": true } }, "Cluster lake-dev has cluster relocation turned off"],
  [
    "a non-RA3 node type",
    { flags: { "node-type": "dc2.large" } },
    "Cluster lake-dev is node type dc2.large, but cluster relocation and Redshift-managed VPC endpoints need an RA3 node type",
  ],
  ["another port", { flags: { "cluster-port": 5440 } }, "Cluster lake-dev listens on port 5440, but the config says 5439"],
])("fails to deploy dev on a cluster with %s, before anything is created", async (_name, emulator, message) => {
  const rehearsal = newRehearsal(SHIPPED, "dev", emulator);
  try {
    await rehearsal.start();
    const seeded = await rehearsal.snapshot();
    const failure = await stepFailure(() => rehearsal.deploy());
    expect(failure.step).toBe("deploy");
    expect(failure.message.replace(/\s+/g, " ")).toContain(message);
    await rehearsal.expectWorld("nothing created", seeded);
  } finally {
    await rehearsal.stop();
  }
});
