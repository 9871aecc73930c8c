/**
 * Turns the environments on a `cloud` backend into the Terraform Cloud
 * bootstrap stack (`tfc-bootstrap`), which creates their workspaces. No
 * environment on `cloud`, no bootstrap stack.
 */
import type { Construct } from "constructs";
import { TFC_BOOTSTRAP_STACK_ID, TfcBootstrapStack, type TfcEnvironment } from "../../stacks/tfc-bootstrap-stack";
import type { BuildOptions } from "./build-options";
import type { Config, EnvironmentConfig } from "../config";
import { consumerStackId, producerStackId } from "../config/layout";

/** Adds the bootstrap stack to `scope` when some environment uses `cloud`; returns it, or undefined. */
export function buildBootstrap(scope: Construct, config: Config, options: BuildOptions): TfcBootstrapStack | undefined {
  const environments: TfcEnvironment[] = [];
  for (const [envName, env] of Object.entries(config.environments)) {
    const backend = env.backend;
    if (backend?.type !== "cloud") continue;
    environments.push({
      name: envName,
      organization: backend.organization,
      workspacePrefix: backend.workspacePrefix,
      hostname: backend.hostname,
      project: backend.project,
      terraformVersion: backend.terraformVersion,
      awsDynamicCredentials: backend.awsDynamicCredentials,
      producer: { stackId: producerStackId(envName), roleArn: env.producer.roleArn },
      consumers: env.consumers.map((c) => ({ stackId: consumerStackId(envName, c.name), roleArn: c.roleArn })),
    });
  }
  if (environments.length === 0) return undefined;
  return new TfcBootstrapStack(scope, TFC_BOOTSTRAP_STACK_ID, {
    environments,
    backend: { type: "local", stateDir: options.stateDir, outdir: options.outdir },
  });
}

/**
 * The role a stack's AWS provider assumes. None when the environment gives its
 * Terraform Cloud workspaces AWS dynamic credentials: the run already holds
 * that very role, and assuming it again would need the role to trust itself.
 */
export function providerRoleArn(env: EnvironmentConfig, roleArn: string | undefined): string | undefined {
  return env.backend?.type === "cloud" && (env.backend.awsDynamicCredentials ?? false) ? undefined : roleArn;
}
