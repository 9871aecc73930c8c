/**
 * lib/app: building the app's stacks from validated config. This file builds
 * the environments; bootstrap.ts the Terraform Cloud bootstrap stack. It may
 * import lib/config, stacks/ and modules/, never lib/synth, lib/operations or
 * the entry points.
 *
 * Turns validated configuration into stacks: `<env>-producer` and one
 * `<env>-consumer-<name>` per consumer, for every environment.
 */
import type { Construct } from "constructs";
import { ConsumerStack } from "../../stacks/consumer-stack";
import { ProducerStack } from "../../stacks/producer-stack";
import type { StateBackend } from "../../stacks/backend";
import { buildBootstrap, providerRoleArn } from "./bootstrap";
import type { BuildOptions } from "./build-options";
import type { AdoptedConsumer, Config, EnvironmentConfig } from "../config";
import type { ConsumerAdoption } from "../../stacks/consumer-stack";
import { consumerStackId, endpointGrants, producerStackId } from "../config/layout";

export type { BuildOptions } from "./build-options";

/** Tags every resource carries, under the environment's and the stack's own. */
export const PROJECT_TAGS: Readonly<Record<string, string>> = {
  "managed-by": "cdktf",
  project: "redshift-managed-endpoints",
};

export interface EnvironmentStacks {
  readonly producer: ProducerStack;
  readonly consumers: readonly ConsumerStack[];
}

export function stateBackendFor(env: EnvironmentConfig, options: BuildOptions): StateBackend {
  const backend = env.backend ?? { type: "local" as const };
  return backend.type === "local" ? { type: "local", stateDir: options.stateDir, outdir: options.outdir } : backend;
}

/** Adds every environment's stacks, and the Terraform Cloud bootstrap when needed, to `scope` (normally the App). */
export function buildStacks(scope: Construct, config: Config, options: BuildOptions): Map<string, EnvironmentStacks> {
  const result = buildEnvironments(scope, config, Object.keys(config.environments), options);
  buildBootstrap(scope, config, options);
  return result;
}

/** Adds the stacks of the named environments only (environments never reference each other). */
export function buildEnvironments(scope: Construct, config: Config, envNames: readonly string[], options: BuildOptions): Map<string, EnvironmentStacks> {
  const result = new Map<string, EnvironmentStacks>();
  for (const envName of envNames) {
    result.set(envName, buildEnvironment(scope, envName, config.environments[envName], options));
  }
  return result;
}

function buildEnvironment(scope: Construct, envName: string, env: EnvironmentConfig, options: BuildOptions): EnvironmentStacks {
  const backend = stateBackendFor(env, options);
  const envTags = { ...PROJECT_TAGS, ...env.tags, environment: envName };
  const p = env.producer;
  const adoption = options.adoptions?.[envName];

  const producer = new ProducerStack(scope, producerStackId(envName), {
    region: env.region,
    awsProviderVersion: options.awsProviderVersion,
    accountId: p.accountId,
    roleArn: providerRoleArn(env, p.roleArn),
    defaultTags: { ...envTags, role: "producer" },
    backend,
    clusterIdentifier: p.clusterIdentifier,
    port: p.port,
    grants: [...endpointGrants(env)].map(([accountId, vpcIds]) => {
      // An adopted authorization keeps the VPCs it allows beyond the config's: revoking one could cut off someone else's endpoint.
      const adopted = adoption?.authorizations?.find((a) => a.accountId === accountId);
      return { accountId, vpcIds: [...vpcIds, ...(adopted?.extraVpcIds ?? [])], importExisting: adopted !== undefined };
    }),
    forceDeleteAuthorizations: p.forceDeleteAuthorizations,
  });

  const consumers = env.consumers.map(
    (c) =>
      new ConsumerStack(scope, consumerStackId(envName, c.name), {
        region: env.region,
        awsProviderVersion: options.awsProviderVersion,
        accountId: c.accountId,
        roleArn: providerRoleArn(env, c.roleArn),
        defaultTags: { ...envTags, ...c.tags, role: "consumer", consumer: c.name },
        backend,
        authorization: producer.authorizationFor(c.accountId),
        cluster: producer.cluster,
        port: p.port,
        vpcId: c.vpcId,
        subnetIds: [...c.subnetIds],
        endpointName: c.endpointName,
        allowedCidrs: c.allowedCidrs,
        securityGroupIds: c.securityGroupIds,
        standbySubnetIds: c.standbySubnetIds,
        dnsRecordName: c.dns?.recordName,
        dnsZoneName: c.dns && "zoneName" in c.dns ? c.dns.zoneName : undefined,
        dnsZoneId: c.dns && "zoneId" in c.dns ? c.dns.zoneId : undefined,
        adoption: consumerAdoption(adoption?.consumers?.[c.name]),
      }),
  );
  return { producer, consumers };
}

/** A consumer's adoption file entry, in the stack's words. */
function consumerAdoption(adopted: AdoptedConsumer | undefined): ConsumerAdoption | undefined {
  if (adopted === undefined) return undefined;
  const group = adopted.subnetGroup;
  return {
    subnetGroup: group && { name: group.name, description: group.description, managed: group.managed },
    securityGroup: adopted.securityGroup,
    ingressRules: adopted.ingressRules?.map((r) => ({ cidr: r.cidr, ruleId: r.id, description: r.description })),
  };
}
