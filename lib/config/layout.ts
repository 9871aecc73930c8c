/**
 * What an environment's config implies, spelled in one place: its stack ids
 * and the endpoint authorizations its producer grants. Light to load: main.ts
 * reads it before anything heavy.
 */
import * as path from "node:path";
import type { EnvironmentConfig } from "./schema";

/** The project's default config file, relative to the project root. */
export const DEFAULT_CONFIG_FILE = "config/environments.json";

/** The producer stack of environment `envName`. */
export function producerStackId(envName: string): string {
  return `${envName}-producer`;
}

/** The stack of consumer `consumerName` in environment `envName`. */
export function consumerStackId(envName: string, consumerName: string): string {
  return `${envName}-consumer-${consumerName}`;
}

/**
 * Grantee account -> its consumer VPCs, each once, in config order. Consumers
 * in the producer's own account need no authorization and are left out.
 */
export function endpointGrants(env: EnvironmentConfig): ReadonlyMap<string, readonly string[]> {
  const grants = new Map<string, string[]>();
  for (const c of env.consumers) {
    if (c.accountId === env.producer.accountId) continue;
    const vpcs = grants.get(c.accountId) ?? [];
    if (!vpcs.includes(c.vpcId)) vpcs.push(c.vpcId);
    grants.set(c.accountId, vpcs);
  }
  return grants;
}

/**
 * The adoption file of environment `envName` (lib/config/adoption.ts): in
 * the folder `adopted` next to the config file, so that a scratch copy of
 * the config (the rehearsal's) has its own.
 */
export function adoptionFile(configFile: string, envName: string): string {
  return path.join(path.dirname(configFile), "adopted", `${envName}.json`);
}
