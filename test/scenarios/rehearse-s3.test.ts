/**
 * An environment on the S3 backend, its bucket in the emulator in a third
 * account: every stack's state in S3 with use_lockfile, and the consumer
 * reading the producer's state from S3.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Rehearsal } from "../../lib/rehearsal/rehearse";
import { FIXTURES, newRehearsal } from "./harness";

const FIXTURE = path.join(FIXTURES, "s3.json");
const PRODUCER = "s3-producer";
const CONSUMER = "s3-consumer-bi";

/** A stack's synthesized cdk.tf.json. */
function synthesized(rehearsal: Rehearsal, stack: string): any {
  return JSON.parse(fs.readFileSync(path.join(rehearsal.stackDir(stack), "cdk.tf.json"), "utf8"));
}

/** `tofu <args>` in a stack's folder, as planNoChanges runs it (state read from the bucket); its JSON. */
async function tofuJson(rehearsal: Rehearsal, stack: string, args: readonly string[]): Promise<any> {
  const outcome = await rehearsal.run(`tofu ${args[0]} ${stack}`, rehearsal.options.engine.terraformBinary, args, rehearsal.stackDir(stack));
  expect({ stack, args, exitCode: outcome.exitCode }).toEqual({ stack, args, exitCode: 0 });
  return JSON.parse(outcome.output);
}

test("an environment on the S3 backend keeps every stack's state in the emulator's bucket, locked with a lock file, and rehearses cleanly", async () => {
  const backend = JSON.parse(fs.readFileSync(FIXTURE, "utf8")).environments.s3.backend;
  const rehearsal = newRehearsal(FIXTURE, "s3");
  try {
    await rehearsal.start();
    const seeded = await rehearsal.snapshot();
    await rehearsal.deploy();

    // Every stack's backend is the configured bucket, locked with S3's lock file.
    for (const stack of [PRODUCER, CONSUMER]) {
      expect(synthesized(rehearsal, stack).terraform.backend.s3).toMatchObject({
        bucket: backend.bucket,
        key: `${backend.keyPrefix}/${stack}.tfstate`,
        use_lockfile: true,
      });
    }
    // The consumer reads the producer's state where the producer writes it.
    expect(synthesized(rehearsal, CONSUMER).data.terraform_remote_state).toEqual({
      [`cross-stack-reference-input-${PRODUCER}`]: expect.objectContaining({
        backend: "s3",
        config: expect.objectContaining({ bucket: backend.bucket, key: `${backend.keyPrefix}/${PRODUCER}.tfstate` }),
      }),
    });

    const stateRole = "arn:aws:iam::444444444444:role/redshift-endpoints-state";
    const keys = await rehearsal.s3Keys(backend.bucket, stateRole);
    // Exactly the two states: no lock file is left behind.
    expect(keys).toEqual([`${backend.keyPrefix}/${CONSUMER}.tfstate`, `${backend.keyPrefix}/${PRODUCER}.tfstate`]);
    expect(fs.readdirSync(rehearsal.options.scratchDir).filter((f) => f.endsWith(".tfstate"))).toEqual([]);

    // The consumer's state holds the producer's outputs as the producer's state has them, and its endpoint is on that cluster.
    const produced = Object.fromEntries(
      Object.entries(await tofuJson(rehearsal, PRODUCER, ["output", "-json"])).map(([name, o]) => [name, (o as { value: unknown }).value]),
    );
    const consumerState = await tofuJson(rehearsal, CONSUMER, ["show", "-json"]);
    const resources: any[] = consumerState.values.root_module.resources;
    const remoteState = resources.find((r) => r.address === `data.terraform_remote_state.cross-stack-reference-input-${PRODUCER}`);
    expect(remoteState?.values.outputs).toEqual(produced);
    const clusterOutputs = Object.keys(produced).filter((name) => /^cross-stack-output-.*cluster_identifier$/.test(name));
    expect(clusterOutputs).toHaveLength(1);
    expect(produced[clusterOutputs[0]]).toBe("lake-s3");
    const endpoint = resources.find((r) => r.type === "aws_redshift_endpoint_access");
    expect(endpoint?.values.cluster_identifier).toBe(produced[clusterOutputs[0]]);

    await rehearsal.verify();
    await rehearsal.planNoChanges();
    await rehearsal.destroy();
    await rehearsal.expectWorld("nothing left", seeded);
  } finally {
    await rehearsal.stop();
  }
});
