/**
 * The consumer's view of the producer's state is missing or corrupted: a
 * deleted local state file, an S3 object that is gone or unreadable, a state
 * with no outputs (the producer destroyed). The consumer's deploy fails at
 * plan, before any change, naming the producer stack: OpenTofu's own error
 * names the remote-state data source `cross-stack-reference-input-<producer>`
 * when the state cannot be read; our precondition names the producer and says
 * to deploy or restore it when the state holds no outputs. Restoring the
 * state lets the same deploy through.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY } from "../../lib/rehearsal/emulator";
import { type Rehearsal, StepFailure, engineErrors } from "../../lib/rehearsal/rehearse";
import { addedResources, expectedResources, managedState, stateList } from "./fault-checks";
import { FIXTURES, REPO_ROOT, newRehearsal, stepFailure } from "./harness";

/** OpenTofu's own error when the remote state cannot be read names the data source, whose name holds the producer stack. */
function expectUnreadable(message: string, producer: string, reason: string): void {
  expect(message).toContain(`Error: data.terraform_remote_state.cross-stack-reference-input-${producer}: Unable to read remote state`);
  expect(message).toContain(reason);
}

/** Our precondition's message (stacks/consumer-stack.ts), when the producer's state holds no outputs. */
const MISSING = (producer: string) =>
  `The state of stack ${producer} holds no outputs for this consumer: it was never deployed, or its state was lost. Deploy ${producer} first`;

/** The first line of each of the engine's errors in `output` (`Error: <summary>`). */
function errorHeadings(output: string): string[] {
  return engineErrors(output).map((error) => error.split("\n")[0]);
}

/** Deploys the producer alone and returns what the emulator holds then. */
async function producerOnly(rehearsal: Rehearsal) {
  await rehearsal.start();
  const seeded = await rehearsal.snapshot();
  await rehearsal.deploy("deploy the producer", [rehearsal.stacks.producer]);
  return { seeded, afterProducer: await rehearsal.snapshot() };
}

/**
 * The consumer's deploy fails before any change, at the consumer's plan: its
 * output is the consumer stack's, and one of its errors begins as
 * one of the engine's own plan in the consumer's folder does, so a deploy that
 * failed for another reason does not pass. The whole message is then read from that
 * plan, whitespace folded: the output cdktf displays is drawn by its terminal
 * UI and may be cut at exit (it once ended inside OpenTofu's error box, just
 * before the precondition's message, its first line shown), while the
 * engine's own output is complete. Returns the plan's text and the deploy's
 * error headings.
 */
async function consumerFails(rehearsal: Rehearsal, step: string, afterProducer: Awaited<ReturnType<typeof producerOnly>>["afterProducer"]) {
  const consumer = rehearsal.stacks.consumers[0];
  const failure = await stepFailure(() => rehearsal.cdktf(step, consumerDeploy(consumer)).then(failIfNot(step)));
  // The run is the consumer's alone: cdktf prefixes the stack's output with its name (its error box lines are not prefixed).
  expect(failure.message.startsWith(`${step}: ${consumer}  `)).toBe(true);
  await rehearsal.expectWorld(`${step}: nothing changed`, afterProducer);
  expect(fs.existsSync(path.join(rehearsal.stackDir(consumer)))).toBe(true);
  expect((await stateList(rehearsal, consumer)).filter((a) => !a.startsWith("data."))).toEqual([]);
  const plan = await rehearsal.run(
    `${step}: the engine's own plan`,
    rehearsal.options.engine.terraformBinary,
    ["plan", "-input=false", "-lock=false", "-no-color"],
    rehearsal.stackDir(consumer),
  );
  expect(plan.exitCode).toBe(1);
  await rehearsal.expectWorld(`${step}: nothing changed by the plan`, afterProducer);
  const deployErrors = errorHeadings(failure.message);
  const planErrors = errorHeadings(plan.output);
  expect({ deployErrors, shared: deployErrors.filter((heading) => planErrors.includes(heading)).length > 0 }).toEqual({ deployErrors, shared: true });
  return { plan: plan.output.replace(/\s+/g, " "), deployErrors };
}

/** A consumer team's deploy of its own stack alone (cdktf refuses a stack whose producer is not in the run without the flag). */
function consumerDeploy(consumer: string): string[] {
  return ["deploy", consumer, "--ignore-missing-stack-dependencies", "--auto-approve", "--skip-provider-lock"];
}

function failIfNot(step: string) {
  return (o: { exitCode: number; output: string }) => {
    if (o.exitCode !== 0) throw new StepFailure(step, o.output);
    return o;
  };
}

test("fails to deploy the consumer when the producer's local state file was deleted, naming the producer stack; restoring the file lets it through", async () => {
  const rehearsal = newRehearsal(path.join(REPO_ROOT, "config", "environments.json"), "dev");
  try {
    const { seeded, afterProducer } = await producerOnly(rehearsal);
    const producer = rehearsal.stacks.producer;
    const stateFile = path.join(rehearsal.options.scratchDir, `terraform.${producer}.tfstate`);
    const saved = fs.readFileSync(stateFile);
    fs.rmSync(stateFile);
    expectUnreadable(
      (await consumerFails(rehearsal, "deploy the consumer (producer state deleted)", afterProducer)).plan,
      producer,
      "Error: Unable to find remote state",
    );

    // A state with no outputs, as the producer stack's destroy leaves it: the deploy fails at our precondition.
    const state = JSON.parse(saved.toString("utf8")) as { serial: number; outputs: object; resources: unknown[] };
    fs.writeFileSync(stateFile, JSON.stringify({ ...state, serial: state.serial + 1, outputs: {}, resources: [] }));
    const empty = await consumerFails(rehearsal, "deploy the consumer (producer state empty)", afterProducer);
    expect(empty.deployErrors).toContain("Error: Resource precondition failed");
    expect(empty.plan).toContain(MISSING(producer));

    fs.writeFileSync(stateFile, saved);
    await rehearsal
      .cdktf("deploy the consumer (state restored)", consumerDeploy(rehearsal.stacks.consumers[0]))
      .then(failIfNot("deploy the consumer (state restored)"));
    expect(await addedResources(rehearsal, seeded)).toEqual(expectedResources(rehearsal));
    expect(Object.values(await managedState(rehearsal)).flat()).toHaveLength(4);
    await rehearsal.destroy();
    expect(await addedResources(rehearsal, seeded)).toEqual([]);
  } finally {
    await rehearsal.stop();
  }
});

test("fails to deploy the consumer when the producer's S3 state object is gone or unreadable, naming the producer stack; restoring the object lets it through", async () => {
  // The test deletes and overwrites the producer's state object as an accident or an operator with full
  // rights would; the state role's generated policy rightly allows deleting only lock files, so IAM is not
  // enforced here (rehearse-s3.test.ts runs the S3 backend under enforcement).
  const rehearsal = newRehearsal(path.join(FIXTURES, "s3.json"), "s3", {}, { enforceIam: false });
  const stateRole = "arn:aws:iam::444444444444:role/redshift-endpoints-state";
  try {
    const { seeded, afterProducer } = await producerOnly(rehearsal);
    const producer = rehearsal.stacks.producer;
    const s3 = new S3Client({
      region: "us-west-2",
      endpoint: rehearsal.url,
      forcePathStyle: true,
      credentials: fromTemporaryCredentials({
        params: { RoleArn: stateRole, RoleSessionName: "redshift-endpoints-test" },
        masterCredentials: { accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY },
        clientConfig: { region: "us-west-2", endpoint: rehearsal.url },
      }),
    });
    const object = { Bucket: "redshift-endpoints-state-rehearsal", Key: `redshift-endpoints/s3/${producer}.tfstate` };
    try {
      const saved = await (await s3.send(new GetObjectCommand(object))).Body!.transformToByteArray();

      // Unreadable: the object holds something that is not a state.
      await s3.send(new PutObjectCommand({ ...object, Body: "this is not a terraform state\n" }));
      const unreadable = await consumerFails(rehearsal, "deploy the consumer (producer state unreadable)", afterProducer);
      expectUnreadable(unreadable.plan, producer, "Error: Unsupported state file format");

      // Gone: the object was deleted.
      await s3.send(new DeleteObjectCommand(object));
      expectUnreadable(
        (await consumerFails(rehearsal, "deploy the consumer (producer state deleted)", afterProducer)).plan,
        producer,
        "Error: Unable to find remote state",
      );

      await s3.send(new PutObjectCommand({ ...object, Body: saved }));
      await rehearsal
        .cdktf("deploy the consumer (state restored)", consumerDeploy(rehearsal.stacks.consumers[0]))
        .then(failIfNot("deploy the consumer (state restored)"));
      expect(await addedResources(rehearsal, seeded)).toEqual(expectedResources(rehearsal));
      await rehearsal.destroy();
      expect(await addedResources(rehearsal, seeded)).toEqual([]);
    } finally {
      s3.destroy();
    }
  } finally {
    await rehearsal.stop();
  }
});
