/**
 * Rules that compare fields with each other, across one environment or the
 * whole file: duplicates that AWS would reject mid-apply, quotas, and role
 * ARNs that must sit in the stack's own account.
 *
 * They run on the raw parsed JSON, next to the schema and not after it, so a
 * file with a typo in one place still gets every other problem reported.
 * Each check skips values that are not even the right type: the schema
 * reports those.
 */
import { DEFAULT_QUOTAS } from "./schema";
import { ROLE_ARN } from "./rules";
import { consumerStackId, producerStackId } from "./layout";

export type JsonPath = ReadonlyArray<string | number>;

export interface ConfigIssue {
  readonly path: JsonPath;
  readonly message: string;
  /** The value found at `path`; absent when the field is missing. */
  readonly value?: unknown;
  readonly hasValue: boolean;
}

export function issue(path: JsonPath, message: string, ...value: [unknown?]): ConfigIssue {
  return { path, message, value: value[0], hasValue: value.length > 0 };
}

/** Formats a path the way a reader would write it: `environments.dev.consumers[0].subnetIds`. */
export function formatPath(path: JsonPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out || "(file)";
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

interface ConsumerRef {
  readonly env: string;
  readonly index: number;
  readonly raw: Record<string, unknown>;
}

interface ProducerRef {
  readonly env: string;
  readonly region: string;
  readonly accountId: string;
  readonly clusterIdentifier: string;
  readonly consumers: readonly ConsumerRef[];
}

const consumerPath = (c: ConsumerRef, ...rest: Array<string | number>): JsonPath => ["environments", c.env, "consumers", c.index, ...rest];

/** Every cross-field rule. Returns the problems found; an empty list means the file is consistent. */
export function crossFieldIssues(raw: unknown): ConfigIssue[] {
  if (!isRecord(raw) || !isRecord(raw.environments)) return [];
  const issues: ConfigIssue[] = [];
  const producers: ProducerRef[] = [];
  const stackIds = new Map<string, JsonPath>();

  const claimStackId = (id: string, path: JsonPath) => {
    const earlier = stackIds.get(id);
    if (earlier) {
      issues.push(issue(path, `gives the stack id "${id}", which ${formatPath(earlier)} already gives; rename one of them`, id));
    } else {
      stackIds.set(id, path);
    }
  };

  for (const [env, envRaw] of Object.entries(raw.environments)) {
    if (!isRecord(envRaw)) continue;
    const region = str(envRaw.region);
    const producer = isRecord(envRaw.producer) ? envRaw.producer : undefined;
    claimStackId(producerStackId(env), ["environments", env]);
    if (producer) checkRoleAccount(issues, ["environments", env, "producer"], producer);
    checkDynamicCredentialRoles(issues, env, envRaw);

    const consumers: ConsumerRef[] = [];
    const names = new Map<string, number>();
    const rawConsumers = Array.isArray(envRaw.consumers) ? envRaw.consumers : [];
    rawConsumers.forEach((c, index) => {
      if (!isRecord(c)) return;
      const ref: ConsumerRef = { env, index, raw: c };
      consumers.push(ref);
      checkRoleAccount(issues, consumerPath(ref), c);
      checkConsumerLists(issues, ref);
      const name = str(c.name);
      if (name === undefined) return;
      const first = names.get(name);
      if (first !== undefined) {
        issues.push(
          issue(
            consumerPath(ref, "name"),
            `consumer names must be unique within an environment; environments.${env}.consumers[${first}] is already named "${name}"`,
            name,
          ),
        );
      } else {
        names.set(name, index);
        claimStackId(consumerStackId(env, name), consumerPath(ref, "name"));
      }
    });

    const accountId = str(producer?.accountId);
    const clusterIdentifier = str(producer?.clusterIdentifier);
    if (region && accountId && clusterIdentifier) producers.push({ env, region, accountId, clusterIdentifier, consumers });
  }

  checkUniqueEndpointNames(issues, producers);
  checkOneEndpointPerVpc(issues, producers);
  checkQuotasAndAuthorizations(issues, producers, isRecord(raw.quotas) ? raw.quotas : {});
  return issues;
}

/** With AWS dynamic credentials, every workspace's runs assume their own stack's role, so each stack needs one. */
function checkDynamicCredentialRoles(issues: ConfigIssue[], env: string, envRaw: Record<string, unknown>) {
  const backend = envRaw.backend;
  if (!isRecord(backend) || backend.type !== "cloud" || backend.awsDynamicCredentials !== true) return;
  const why = `is required when ${formatPath(["environments", env, "backend", "awsDynamicCredentials"])} is true: the stack's Terraform Cloud workspace gets AWS dynamic credentials for this role (TFC_AWS_RUN_ROLE_ARN)`;
  const stacks: Array<[JsonPath, unknown]> = [[["environments", env, "producer"], envRaw.producer]];
  if (Array.isArray(envRaw.consumers))
    envRaw.consumers.forEach((c, i) => {
      stacks.push([["environments", env, "consumers", i], c]);
    });
  for (const [path, stack] of stacks) {
    if (isRecord(stack) && stack.roleArn === undefined) issues.push(issue([...path, "roleArn"], why));
  }
}

function checkRoleAccount(issues: ConfigIssue[], path: JsonPath, stack: Record<string, unknown>) {
  const accountId = str(stack.accountId);
  if (!accountId) return;
  for (const field of ["roleArn", "readOnlyRoleArn"] as const) {
    const roleArn = str(stack[field]);
    const m = roleArn ? ROLE_ARN.exec(roleArn) : null;
    if (m && m[2] !== accountId) {
      issues.push(
        issue(
          [...path, field],
          `must be a role in this stack's own account ${accountId}, but it is in account ${m[2]}; the provider pins allowed_account_ids to ${accountId}`,
          roleArn,
        ),
      );
    }
  }
}

function checkConsumerLists(issues: ConfigIssue[], c: ConsumerRef) {
  for (const field of ["subnetIds", "standbySubnetIds", "allowedCidrs", "securityGroupIds"] as const) {
    const list = c.raw[field];
    if (!Array.isArray(list)) continue;
    list.forEach((value, i) => {
      const first = list.indexOf(value);
      if (first !== i) issues.push(issue(consumerPath(c, field, i), `duplicates ${field}[${first}]; list each value once`, value));
    });
  }
  const active = Array.isArray(c.raw.subnetIds) ? c.raw.subnetIds[0] : undefined;
  if (Array.isArray(c.raw.standbySubnetIds)) {
    c.raw.standbySubnetIds.forEach((s, i) => {
      if (s === active) {
        issues.push(issue(consumerPath(c, "standbySubnetIds", i), "is the active subnet; a standby must be a different subnet, in another AZ", s));
      }
    });
  }
}

function checkUniqueEndpointNames(issues: ConfigIssue[], producers: readonly ProducerRef[]) {
  const seen = new Map<string, ConsumerRef>();
  for (const p of producers) {
    for (const c of p.consumers) {
      const name = str(c.raw.endpointName);
      const account = str(c.raw.accountId);
      if (!name || !account) continue;
      const key = `${account}/${p.region}/${name}`;
      const first = seen.get(key);
      if (first) {
        issues.push(
          issue(
            consumerPath(c, "endpointName"),
            `endpoint names must be unique per consumer account and region; ${formatPath(consumerPath(first, "endpointName"))} already uses "${name}" in account ${account}, ${p.region}`,
            name,
          ),
        );
      } else {
        seen.set(key, c);
      }
    }
  }
}

function checkOneEndpointPerVpc(issues: ConfigIssue[], producers: readonly ProducerRef[]) {
  const seen = new Map<string, ConsumerRef>();
  for (const p of producers) {
    for (const c of p.consumers) {
      const vpcId = str(c.raw.vpcId);
      if (!vpcId) continue;
      const key = `${p.accountId}/${p.region}/${p.clusterIdentifier}/${vpcId}`;
      const first = seen.get(key);
      if (first) {
        issues.push(
          issue(
            consumerPath(c, "vpcId"),
            `EndpointAlreadyExists: cluster ${p.clusterIdentifier} (account ${p.accountId}, ${p.region}) already gets an endpoint in ${vpcId} from ${formatPath(consumerPath(first))}; users report AWS refusing a second endpoint for one cluster in one VPC (no AWS document says so), so this project refuses it`,
            vpcId,
          ),
        );
      } else {
        seen.set(key, c);
      }
    }
  }
}

function quota(quotas: Record<string, unknown>, key: keyof typeof DEFAULT_QUOTAS): number {
  const v = quotas[key];
  return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : DEFAULT_QUOTAS[key];
}

function checkQuotasAndAuthorizations(issues: ConfigIssue[], producers: readonly ProducerRef[], quotas: Record<string, unknown>) {
  const clusters = new Map<string, ProducerRef[]>();
  for (const p of producers) {
    const key = `${p.accountId}/${p.region}/${p.clusterIdentifier}`;
    clusters.set(key, [...(clusters.get(key) ?? []), p]);
  }
  const granteeLimit = quota(quotas, "granteesPerCluster");
  const perAuthLimit = quota(quotas, "endpointsPerAuthorization");
  const perClusterLimit = quota(quotas, "endpointsPerCluster");

  for (const group of clusters.values()) {
    const { accountId, region, clusterIdentifier } = group[0];
    const cluster = `cluster ${clusterIdentifier} (account ${accountId}, ${region})`;
    const all = group.flatMap((p) => p.consumers);
    // Which environment's producer stack creates the authorization for each grantee account.
    const grantOwner = new Map<string, string>();
    const grantees = new Map<string, ConsumerRef[]>();
    for (const p of group) {
      const granteesHere = new Set<string>();
      for (const c of p.consumers) {
        const grantee = str(c.raw.accountId);
        if (!grantee || grantee === accountId) continue;
        grantees.set(grantee, [...(grantees.get(grantee) ?? []), c]);
        if (granteesHere.has(grantee)) continue;
        granteesHere.add(grantee);
        const owner = grantOwner.get(grantee);
        if (owner !== undefined) {
          issues.push(
            issue(
              consumerPath(c, "accountId"),
              `AuthorizationAlreadyExists: environments.${owner}.producer already authorizes account ${grantee} on ${cluster}; a cluster holds one authorization per account, so keep all of this account's consumers of that cluster in one environment`,
              grantee,
            ),
          );
        } else {
          grantOwner.set(grantee, p.env);
        }
      }
    }
    if (grantees.size > granteeLimit) {
      const extra = [...grantees.values()][granteeLimit][0];
      issues.push(
        issue(
          consumerPath(extra, "accountId"),
          `quota "grantees per cluster" (EndpointAuthorizationsPerClusterLimitExceeded): ${cluster} would be authorized for ${grantees.size} accounts, limit ${granteeLimit}; raise quotas.granteesPerCluster only if AWS raised it for this account`,
          str(extra.raw.accountId),
        ),
      );
    }
    for (const [grantee, consumers] of grantees) {
      if (consumers.length > perAuthLimit) {
        const extra = consumers[perAuthLimit];
        issues.push(
          issue(
            consumerPath(extra, "accountId"),
            `quota "Redshift-managed VPC endpoints per authorization" (EndpointsPerAuthorizationLimitExceeded): account ${grantee} would have ${consumers.length} endpoints on ${cluster}, limit ${perAuthLimit}; raise quotas.endpointsPerAuthorization only if AWS raised it`,
            grantee,
          ),
        );
      }
    }
    if (all.length > perClusterLimit) {
      const extra = all[perClusterLimit];
      issues.push(
        issue(
          consumerPath(extra),
          `quota "Redshift-managed VPC endpoints per cluster" (EndpointsPerClusterLimitExceeded): ${cluster} would have ${all.length} endpoints, limit ${perClusterLimit}; raise quotas.endpointsPerCluster only if AWS raised it`,
          str(extra.raw.name),
        ),
      );
    }
  }
}
