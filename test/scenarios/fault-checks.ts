/**
 * What the fault scenarios check after each fault: the state of each stack
 * (`tofu state list`, `tofu show -json`, run in the stack's folder as a user
 * would), and what the emulator holds beyond its seed, resource by resource.
 */
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY, emulatorVenvBin } from "../../lib/rehearsal/emulator";
import { type CommandOutcome, type Rehearsal, StepFailure } from "../../lib/rehearsal/rehearse";
import { type WorldSnapshot, diffSnapshots } from "../../lib/rehearsal/world";

/** The endpoint's address in every consumer stack's state (its construct ids are a public contract). */
export const ENDPOINT_ADDRESS = "aws_redshift_endpoint_access.endpoint_F9556B44";

/** `tofu state list` in the stack's folder, sorted; empty when the stack has no state yet. */
export async function stateList(rehearsal: Rehearsal, stack: string): Promise<string[]> {
  const outcome = await rehearsal.run(`state list ${stack}`, rehearsal.options.engine.terraformBinary, ["state", "list"], rehearsal.stackDir(stack));
  if (outcome.exitCode !== 0 && outcome.output.includes("No state file was found")) return [];
  if (outcome.exitCode !== 0) throw new StepFailure(`state list ${stack}`, outcome.output);
  return outcome.output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^(data\.)?[a-z0-9_]+\.\S+$/.test(l))
    .sort();
}

/** The addresses `tofu show -json` marks tainted in the stack's state. */
export async function tainted(rehearsal: Rehearsal, stack: string): Promise<string[]> {
  const outcome = await rehearsal.run(`show ${stack}`, rehearsal.options.engine.terraformBinary, ["show", "-json"], rehearsal.stackDir(stack));
  if (outcome.exitCode !== 0) throw new StepFailure(`show ${stack}`, outcome.output);
  const json = outcome.output.slice(outcome.output.indexOf("{"));
  const state = JSON.parse(json) as { values?: { root_module?: { resources?: { address: string; tainted?: boolean }[] } } };
  return (state.values?.root_module?.resources ?? []).filter((r) => r.tainted === true).map((r) => r.address);
}

/** The state every stack of an environment with one consumer holds when deployed (data sources left out). */
export function deployedState(rehearsal: Rehearsal): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  result[rehearsal.stacks.producer] = rehearsal.config.environments[rehearsal.options.environment].consumers.map(
    (c) => `aws_redshift_endpoint_authorization.authorization-${c.accountId}`,
  );
  for (const consumer of rehearsal.stacks.consumers) {
    result[consumer] = [ENDPOINT_ADDRESS, "aws_redshift_subnet_group.endpoint_subnet-group_117523AA", "aws_security_group.security-group"];
  }
  return result;
}

/** Each stack's managed resources in state (`tofu state list` without data sources and ingress rules' ids). */
export async function managedState(rehearsal: Rehearsal): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  for (const stack of rehearsal.allStacks) {
    result[stack] = (await stateList(rehearsal, stack)).filter((a) => !a.startsWith("data.") && !a.startsWith("aws_vpc_security_group_ingress_rule."));
  }
  return result;
}

/**
 * What the emulator holds beyond `seeded`, with generated ids replaced by
 * `<id>`: one line per resource, so a duplicate shows as two equal lines.
 */
export async function addedResources(rehearsal: Rehearsal, seeded: WorldSnapshot): Promise<string[]> {
  return diffSnapshots(seeded, await rehearsal.snapshot())
    .map((l) => l.replace(/\b(sg|sgr|eni|vpce)-[0-9a-f]+\b/g, "$1-<id>"))
    .sort();
}

/**
 * The resources a deployed environment adds to the emulator, one line each,
 * derived from the config: per consumer, the authorization (seen by the
 * producer and by the grantee), the subnet group, the endpoint (active; seen
 * by both accounts too), its
 * security group with one rule per CIDR, its network interface and VPC endpoint.
 */
export function expectedResources(rehearsal: Rehearsal): string[] {
  const env = rehearsal.config.environments[rehearsal.options.environment];
  const lines: string[] = [];
  for (const c of env.consumers) {
    const grant = `redshift endpoint-authorization ${env.producer.clusterIdentifier} ${env.producer.accountId}->${c.accountId} vpcs=${c.vpcId} all=False`;
    lines.push(`+ ${env.producer.accountId} ${grant}`, `+ ${c.accountId} ${grant}`);
    lines.push(`+ ${c.accountId} redshift subnet-group ${c.endpointName}-${c.subnetIds[0]}`);
    // The cluster owner sees the grantee's endpoint too.
    for (const account of new Set([c.accountId, env.producer.accountId])) {
      lines.push(`+ ${account} redshift endpoint ${c.endpointName} cluster=${env.producer.clusterIdentifier} status=active`);
    }
    lines.push(`+ ${c.accountId} ec2 security-group sg-<id> redshift-endpoint-${c.endpointName}`);
    for (const _cidr of c.allowedCidrs) lines.push(`+ ${c.accountId} ec2 security-group-rule sgr-<id> sg-<id>`);
    lines.push(`+ ${c.accountId} ec2 network-interface eni-<id> ${c.subnetIds[0]}`);
    lines.push(`+ ${c.accountId} ec2 vpc-endpoint vpce-<id>`);
  }
  return lines.sort();
}

/** Environment variables for the AWS CLI acting in `roleArn`'s account, as a user with that role would. */
export async function roleEnv(rehearsal: Rehearsal, roleArn: string, region: string): Promise<Record<string, string>> {
  const sts = new STSClient({
    region,
    endpoint: rehearsal.url,
    credentials: { accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY },
  });
  try {
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "redshift-endpoints-operator" }));
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
    return { AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey, AWS_SESSION_TOKEN: c.SessionToken, AWS_DEFAULT_REGION: region };
  } finally {
    sts.destroy();
  }
}

/**
 * The README's procedure for an endpoint that is still being created when the
 * deploy stopped, run exactly as written: wait until
 * `aws redshift describe-endpoint-access` shows `active` (in the consumer's
 * account), `terraform state list | grep aws_redshift_endpoint_access`, then
 * `terraform untaint <address>` in the stack's folder. Returns the address.
 */
export async function untaintWhenActive(rehearsal: Rehearsal, consumerIndex: number, roleArn: string, timeoutMs: number): Promise<string> {
  const env = rehearsal.config.environments[rehearsal.options.environment];
  const consumer = env.consumers[consumerIndex];
  const stack = rehearsal.stacks.consumers[consumerIndex];
  const aws = emulatorVenvBin("aws", rehearsal.options.repoRoot);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const credentials = await roleEnv(rehearsal, roleArn, env.region);
    const status = await rehearsal.run(
      "aws redshift describe-endpoint-access",
      aws,
      ["redshift", "describe-endpoint-access", "--endpoint-name", consumer.endpointName, "--query", "EndpointAccessList[0].EndpointStatus"],
      rehearsal.options.scratchDir,
      credentials,
    );
    if (status.exitCode !== 0) throw new StepFailure("aws redshift describe-endpoint-access", status.output);
    if (status.output.trim() === '"active"') break;
    if (Date.now() > deadline) throw new StepFailure("wait for active", `the endpoint is still ${status.output.trim()}`);
    await new Promise((r) => setTimeout(r, 10_000));
  }
  const address = (await stateList(rehearsal, stack)).find((a) => a.startsWith("aws_redshift_endpoint_access."));
  if (address === undefined) throw new StepFailure("state list", `${stack} holds no aws_redshift_endpoint_access`);
  const untaint = await rehearsal.run("terraform untaint", rehearsal.options.engine.terraformBinary, ["untaint", address], rehearsal.stackDir(stack));
  if (untaint.exitCode !== 0) throw new StepFailure("terraform untaint", untaint.output);
  return address;
}

/**
 * Starts `cdktf deploy` of every stack and stops it as a CI runner's timeout
 * stops a job once `status()` reports the endpoint `creating`: SIGTERM to its
 * process group, SIGKILL 10 s later if anything still runs. Resolves to the
 * signal that ended it and the deploy's outcome.
 */
export async function killDeployWhileCreating(
  rehearsal: Rehearsal,
  status: () => Promise<string | undefined>,
): Promise<{ killed: "SIGTERM" | "SIGKILL"; outcome: CommandOutcome }> {
  const graceMs = 10_000;
  const deploy = rehearsal.startCdktf("deploy (killed)", ["deploy", ...rehearsal.allStacks, "--auto-approve", "--skip-provider-lock"]);
  let exited = false;
  void deploy.done.then(() => {
    exited = true;
  });
  while ((await status()) !== "creating") {
    if (exited) throw new Error(`the deploy ended before the endpoint was creating:\n${(await deploy.done).output}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const pid = deploy.child.pid ?? 0;
  process.kill(-pid, "SIGTERM");
  const killed = await Promise.race([deploy.done.then(() => "SIGTERM" as const), new Promise<"SIGKILL">((r) => setTimeout(() => r("SIGKILL"), graceMs))]);
  if (killed === "SIGKILL") {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // the group ended in between
    }
  }
  return { killed, outcome: await deploy.done };
}
