/**
 * The check `npm run deploy` makes before applying the producer, and `npm run
 * destroy` before destroying it: that no authorization it would revoke is
 * still used by a Redshift-managed VPC endpoint.
 *
 * AWS documents what a revoke with Force does (the endpoints are deleted, the
 * API model's RevokeEndpointAccessMessage.Force) and nothing about a revoke
 * without Force while endpoints use the grant: whether AWS refuses it or
 * accepts it and leaves the endpoints without access is not known (the
 * emulator's rule revoke.in-use-without-force is assumed either way). So the
 * project's own commands keep the consumers safe without AWS's help: they read
 * what the producer's state grants, set it against what the config wants, and
 * refuse, before anything changes, any revoke an endpoint still uses:
 * - a whole authorization (the config no longer names the account, or the
 *   producer is destroyed): AWS's EndpointCount of the authorization, read in
 *   the producer's account (the API model: "The number of Redshift-managed VPC
 *   endpoints created for the authorization");
 * - some of its VPCs (the provider revokes them without Force, whatever
 *   force_delete says), AWS's AllowedVPCs included (a VPC authorized by hand
 *   is in no state, and the provider revokes it too): the grantee's own
 *   endpoints in those VPCs, read in the grantee's account through a consumer
 *   stack's role.
 * Every lookup first checks that its credentials are the target's account.
 * What remains open: an endpoint created between this check and the apply
 * (the check and cdktf plan apart), and whether EndpointCount counts an
 * endpoint still creating (assumed).
 * With `producer.forceDeleteAuthorizations` a whole revoke is the user's
 * choice (Force deletes the endpoints) and is let through.
 *
 * Pure except `resolveRevokes` (the engine through an injected runner, AWS
 * through injected lookups) and the real lookups at the end.
 */
import { DescribeEndpointAccessCommand, DescribeEndpointAuthorizationCommand } from "@aws-sdk/client-redshift";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { deploySessionName } from "../../stacks/account-stack";
import { type StackTarget, awsClientFactory } from "../aws/clients";
import type { EnvironmentConfig } from "../config";
import type { Adoption } from "../config/adoption";
import { consumerStackId, endpointGrants, producerStackId } from "../config/layout";
import { type EngineRunner, engineStep } from "./adoption-guard";

/** An authorization as the producer's state holds it. */
export interface HeldGrant {
  readonly account: string;
  readonly clusterIdentifier: string;
  readonly vpcIds: readonly string[];
}

/** A revoke an apply would make: the whole authorization, or some of its VPCs. */
export interface Revoke {
  readonly account: string;
  readonly clusterIdentifier: string;
  /** The VPCs it takes away; "all" for the whole authorization. */
  readonly vpcIds: readonly string[] | "all";
}

interface RawStateResource {
  readonly mode?: string;
  readonly type?: string;
  readonly instances?: ReadonlyArray<{
    readonly attributes?: {
      account?: string;
      cluster_identifier?: string;
      vpc_ids?: string[];
    };
  }>;
}

/** The authorizations a raw state (`terraform state pull`) holds; none for an empty state. */
export function heldGrants(state: unknown): HeldGrant[] {
  const resources = ((state as { resources?: RawStateResource[] } | null)?.resources ?? []).filter(
    (r) => r.mode === "managed" && r.type === "aws_redshift_endpoint_authorization",
  );
  return resources.flatMap((r) =>
    (r.instances ?? []).map((i) => ({
      account: i.attributes?.account ?? "",
      clusterIdentifier: i.attributes?.cluster_identifier ?? "",
      vpcIds: [...(i.attributes?.vpc_ids ?? [])].sort(),
    })),
  );
}

/** What the config (and its adoption file) wants granted: grantee account -> VPCs, on the producer's cluster. */
export function wantedGrants(env: EnvironmentConfig, adoption?: Adoption): ReadonlyMap<string, readonly string[]> {
  const wanted = new Map<string, readonly string[]>();
  for (const [account, vpcIds] of endpointGrants(env)) {
    const extra = adoption?.authorizations?.find((a) => a.accountId === account)?.extraVpcIds ?? [];
    wanted.set(account, [...vpcIds, ...extra]);
  }
  return wanted;
}

/** The revokes that applying `wanted` on `cluster` over `held` makes (every held grant when `wanted` is empty: a destroy). */
export function plannedRevokes(held: readonly HeldGrant[], cluster: string, wanted: ReadonlyMap<string, readonly string[]>): Revoke[] {
  const revokes: Revoke[] = [];
  for (const grant of held) {
    const keep = grant.clusterIdentifier === cluster ? wanted.get(grant.account) : undefined;
    if (keep === undefined)
      revokes.push({
        account: grant.account,
        clusterIdentifier: grant.clusterIdentifier,
        vpcIds: "all",
      });
    else {
      const dropped = grant.vpcIds.filter((v) => !keep.includes(v));
      if (dropped.length)
        revokes.push({
          account: grant.account,
          clusterIdentifier: grant.clusterIdentifier,
          vpcIds: dropped,
        });
    }
  }
  return revokes;
}

/** An authorization as AWS holds it. */
export interface AwsAuthorization {
  /** Its VPCs, or "all" when it allows every VPC of the account. */
  readonly allowedVpcs: readonly string[] | "all";
  /** "The number of Redshift-managed VPC endpoints created for the authorization" (the API model's EndpointCount). */
  readonly endpointCount: number;
}

/** The producer stack as the lookups reach it: its account, through its deploy role. */
function producerTarget(envName: string, env: EnvironmentConfig): StackTarget {
  return { stack: producerStackId(envName), role: "producer", accountId: env.producer.accountId, roleArn: env.producer.roleArn, region: env.region };
}

/** Reads what uses an authorization in AWS. Each lookup fails unless its credentials are the target's own account. */
export interface RevokeLookups {
  /** The authorization, read in the producer's account; undefined when AWS holds none. */
  readonly authorization: (producer: StackTarget, clusterIdentifier: string, grantee: string) => Promise<AwsAuthorization | undefined>;
  /** The grantee's endpoints to the cluster in `vpcIds`, read in the grantee's account. */
  readonly endpointsInVpcs: (consumer: StackTarget, owner: string, clusterIdentifier: string, vpcIds: readonly string[]) => Promise<string[]>;
}

/** A revoke some endpoint still uses, and what uses it. */
export interface UsedRevoke {
  readonly revoke: Revoke;
  readonly use: string;
}

/**
 * Which of `revokes` an endpoint still uses, asking AWS. A whole revoke with
 * `force` (forceDeleteAuthorizations) is the user's choice and is not asked
 * about. A lookup that fails counts as used: the check never lets through
 * what it could not see.
 */
export async function usedRevokes(options: {
  readonly envName: string;
  readonly env: EnvironmentConfig;
  readonly revokes: readonly Revoke[];
  readonly lookups: RevokeLookups;
}): Promise<UsedRevoke[]> {
  const { env, envName } = options;
  const producer = producerTarget(envName, env);
  const used: UsedRevoke[] = [];
  for (const revoke of options.revokes) {
    try {
      if (revoke.vpcIds === "all") {
        if (env.producer.forceDeleteAuthorizations) continue;
        const count = (await options.lookups.authorization(producer, revoke.clusterIdentifier, revoke.account))?.endpointCount ?? 0;
        if (count > 0)
          used.push({
            revoke,
            use: `${count} Redshift-managed VPC endpoint${count === 1 ? "" : "s"} (its EndpointCount)`,
          });
        continue;
      }
      const consumer = env.consumers.find((c) => c.accountId === revoke.account);
      if (consumer === undefined) {
        used.push({
          revoke,
          use: `an unknown number of endpoints: no consumer of account ${revoke.account} is left in the config to look with`,
        });
        continue;
      }
      const target: StackTarget = {
        stack: consumerStackId(envName, consumer.name),
        role: "consumer",
        accountId: consumer.accountId,
        roleArn: consumer.roleArn,
        region: env.region,
      };
      const names = await options.lookups.endpointsInVpcs(target, env.producer.accountId, revoke.clusterIdentifier, revoke.vpcIds);
      if (names.length)
        used.push({
          revoke,
          use: `endpoint${names.length === 1 ? "" : "s"} ${names.join(", ")}`,
        });
    } catch (e) {
      used.push({
        revoke,
        use: `endpoints it could not read (${(e as Error).message.split("\n")[0]})`,
      });
    }
  }
  return used;
}

/** The refusal for `command` (deploy or destroy) when revokes would cut endpoints off; undefined when none would. */
export function revokeRefusal(command: "deploy" | "destroy", envName: string, used: readonly UsedRevoke[]): string | undefined {
  if (used.length === 0) return undefined;
  const producer = producerStackId(envName);
  return [
    `Refusing to ${command} ${producer}: it would revoke authorizations that endpoints still use.`,
    ...used.map(
      ({ revoke, use }) =>
        `  - account ${revoke.account} on cluster ${revoke.clusterIdentifier}, ${
          revoke.vpcIds === "all" ? "the whole authorization" : `VPC ${revoke.vpcIds.join(", ")}`
        }: used by ${use}`,
    ),
    "AWS documents what a revoke with Force does (it deletes the endpoints), not what a revoke without it does to the endpoints",
    "that use the authorization; this command does not leave their fate to AWS.",
    "What to do:",
    "  - Destroy the consumer stacks that own those endpoints first, while they are still in the config:",
    `    npx cdktf destroy ${consumerStackId(envName, "<name>")} (or npm run destroy -- ${envName}, which destroys every consumer first).`,
    "  - If the endpoints are not this project's (built by hand, or another project's), ask their owners to delete them.",
    "  - To delete them with the revoke, on purpose, set producer.forceDeleteAuthorizations (whole authorizations only).",
    `Nothing was ${command === "deploy" ? "applied" : "destroyed"} of ${producer}.`,
  ].join("\n");
}

/**
 * The check itself: the producer's state (its synthesized folder `stackDir`:
 * `init`, then `state pull`) against what the config wants, then AWS for each
 * revoke. Returns the refusal message, or undefined when the command may go
 * on. Throws Error with the engine's output when an engine step fails.
 */
export async function resolveRevokes(options: {
  readonly command: "deploy" | "destroy";
  readonly envName: string;
  readonly env: EnvironmentConfig;
  readonly adoption?: Adoption;
  readonly stackDir: string;
  readonly terraformBinary: string;
  readonly run: EngineRunner;
  readonly lookups: RevokeLookups;
}): Promise<string | undefined> {
  const step = (args: readonly string[]) => engineStep(options.run, options.terraformBinary, args, options.stackDir);
  await step(["init", "-input=false", "-no-color"]);
  const pulled = (await step(["state", "pull"])).trim();
  const held = await withAwsVpcs(pulled === "" ? [] : heldGrants(JSON.parse(pulled)), options);
  const wanted = options.command === "destroy" ? new Map<string, readonly string[]>() : wantedGrants(options.env, options.adoption);
  const revokes = plannedRevokes(held, options.env.producer.clusterIdentifier, wanted);
  if (revokes.length === 0) return undefined;
  return revokeRefusal(
    options.command,
    options.envName,
    await usedRevokes({
      envName: options.envName,
      env: options.env,
      revokes,
      lookups: options.lookups,
    }),
  );
}

/**
 * The held grants with the VPCs AWS allows added: a VPC authorized by hand is
 * in no state, but the provider's refresh reads AWS's AllowedVPCs into
 * vpc_ids and its update then revokes what the config lacks, so the check must
 * see it too (an endpoint may already sit in it). Throws when AWS cannot be read.
 */
async function withAwsVpcs(
  held: readonly HeldGrant[],
  options: { readonly envName: string; readonly env: EnvironmentConfig; readonly lookups: RevokeLookups },
): Promise<HeldGrant[]> {
  const { env, envName } = options;
  const producer = producerTarget(envName, env);
  return Promise.all(
    held.map(async (grant) => {
      const aws = await options.lookups.authorization(producer, grant.clusterIdentifier, grant.account);
      if (aws === undefined || aws.allowedVpcs === "all") return grant;
      return { ...grant, vpcIds: [...new Set([...grant.vpcIds, ...aws.allowedVpcs])].sort() };
    }),
  );
}

/** Fails unless `clients`' credentials are `target`'s own account: a lookup in another account would see nothing, and let a revoke through. */
async function expectAccount(clients: ReturnType<ReturnType<typeof awsClientFactory>>, target: StackTarget): Promise<void> {
  const { Account } = await clients.sts.send(new GetCallerIdentityCommand({}));
  if (Account !== target.accountId)
    throw new Error(`the credentials for ${target.stack} are account ${Account}, not the stack's account ${target.accountId}; set its roleArn`);
}

/** The real lookups: the AWS SDK, through each stack's own role (its deploy session, as the deploy's other checks). */
export const awsRevokeLookups: RevokeLookups = {
  authorization: async (producer, clusterIdentifier, grantee) => {
    const clients = awsClientFactory({
      roleSessionName: deploySessionName(producer.stack),
    })(producer);
    try {
      await expectAccount(clients, producer);
      const out = await clients.redshift.send(
        new DescribeEndpointAuthorizationCommand({
          ClusterIdentifier: clusterIdentifier,
          Account: grantee,
        }),
      );
      const found = out.EndpointAuthorizationList?.[0];
      if (found === undefined) return undefined;
      return { allowedVpcs: found.AllowedAllVPCs ? "all" : [...(found.AllowedVPCs ?? [])], endpointCount: found.EndpointCount ?? 0 };
    } finally {
      for (const c of [clients.redshift, clients.sts, clients.ec2]) c.destroy();
    }
  },
  endpointsInVpcs: async (consumer, owner, clusterIdentifier, vpcIds) => {
    const clients = awsClientFactory({
      roleSessionName: deploySessionName(consumer.stack),
    })(consumer);
    try {
      await expectAccount(clients, consumer);
      const names: string[] = [];
      for (const vpcId of vpcIds) {
        const out = await clients.redshift.send(
          new DescribeEndpointAccessCommand({
            ClusterIdentifier: clusterIdentifier,
            ResourceOwner: owner,
            VpcId: vpcId,
          }),
        );
        names.push(...(out.EndpointAccessList ?? []).map((e) => e.EndpointName ?? "?"));
      }
      return names.sort();
    } finally {
      for (const c of [clients.redshift, clients.sts, clients.ec2]) c.destroy();
    }
  },
};
