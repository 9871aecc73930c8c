/**
 * An environment on the S3 backend, its bucket in the emulator in a third
 * account: every stack's state in S3 with use_lockfile, and the consumer
 * reading the producer's state from S3.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { FIXTURES, newRehearsal } from "../scenarios/harness";

test("an environment on the S3 backend keeps every stack's state in the emulator's bucket, locked with a lock file, and rehearses cleanly", async () => {
  const rehearsal = newRehearsal(path.join(FIXTURES, "s3.json"), "s3");
  try {
    await rehearsal.start();
    const seeded = await rehearsal.snapshot();
    const deploy = await rehearsal.deploy();
    // The consumer read the producer's outputs through terraform_remote_state on S3.
    expect(JSON.parse(fs.readFileSync(path.join(rehearsal.stackDir("s3-consumer-bi"), "cdk.tf.json"), "utf8")).data.terraform_remote_state).toBeDefined();

    const stateRole = "arn:aws:iam::444444444444:role/redshift-endpoints-state";
    const keys = await rehearsal.s3Keys("redshift-endpoints-state-rehearsal", stateRole);
    expect(keys).toEqual(["redshift-endpoints/s3/s3-consumer-bi.tfstate", "redshift-endpoints/s3/s3-producer.tfstate"]);
    // use_lockfile: no lock object is left behind (the keys above hold none), and no apply met a lock;
    // faults-concurrent.test.ts shows the lock holding off a second deploy.
    expect(deploy.output).not.toMatch(/Error acquiring the state lock/);
    expect(fs.readdirSync(rehearsal.options.scratchDir).filter((f) => f.endsWith(".tfstate"))).toEqual([]);

    await rehearsal.verify();
    await rehearsal.planNoChanges();
    await rehearsal.destroy();
    await rehearsal.expectWorld("nothing left", seeded);
  } finally {
    await rehearsal.stop();
  }
});
