/**
 * lib/config: the configuration, as data. schema.ts (the shape, as zod),
 * rules.ts (value rules), checks.ts (rules that compare fields), layout.ts
 * (the stack ids and file names the config implies), errors.ts (UserError),
 * json-schema.ts (the editor schema) and this file (loading). It may import
 * packages and the endpoint-name rule of modules/redshift-endpoint, nothing
 * else of this repository: no stacks, no lib/app, lib/synth or lib/operations.
 *
 * Loads `config/environments.json` (or the file that REDSHIFT_ENDPOINTS_CONFIG
 * names) once, validates all of it, and returns typed data or a ConfigError
 * that lists every problem with its JSON path, the value and the rule.
 */
import { existsSync, readFileSync } from "node:fs";
import type { z } from "zod";
import { type Adoption, type Adoptions, AdoptionSchema } from "./adoption";
import { type ConfigIssue, crossFieldIssues, formatPath, issue } from "./checks";
import { UserError } from "./errors";
import { adoptionFile, endpointGrants } from "./layout";
import { BackendSchema, type Config, ConfigSchema, ConsumerSchema, DnsSchema, EnvironmentSchema, ProducerSchema, QuotasSchema } from "./schema";

export * from "./schema";
export * from "./adoption";
export { formatPath } from "./checks";
export type { ConfigIssue } from "./checks";

export { DEFAULT_CONFIG_FILE } from "./layout";
export { UserError } from "./errors";

export class ConfigError extends UserError {
  constructor(
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      `Invalid configuration in ${file} (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${issues.map((i) => `  - ${formatIssue(i)}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

export function formatIssue(i: ConfigIssue): string {
  const got = i.hasValue ? `; got ${i.value === undefined ? "nothing" : preview(i.value)}` : "";
  return `${formatPath(i.path)}: ${i.message}${got}`;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/**
 * Reads, parses and validates a config file. Throws ConfigError with every
 * problem found. `preread` is the file's text when the caller has read it
 * already (main.ts does, to size the synth before loading everything else).
 */
export function loadConfig(file: string, preread?: string): Config {
  return parseConfig(readJson(file, preread), file);
}

/** Which role each stack's provider assumes: the deploy role (`roleArn`) or the read-only one (`readOnlyRoleArn`). */
export type StackRoles = "deploy" | "read-only";

/**
 * The config as `npm run drift` and `npm run diff -- --read-only` synthesize
 * it: every stack's provider assumes its `readOnlyRoleArn`, or its `roleArn`
 * when it has none, and so does the S3 backend (state and the consumers'
 * remote state). Nothing else changes, so the plans are the deploy's plans.
 */
export function withReadOnlyRoles(config: Config): Config {
  const readOnly = <T extends { roleArn?: string; readOnlyRoleArn?: string }>(stack: T): T => ({ ...stack, roleArn: stack.readOnlyRoleArn ?? stack.roleArn });
  return {
    ...config,
    environments: Object.fromEntries(
      Object.entries(config.environments).map(([name, env]) => [
        name,
        {
          ...env,
          producer: readOnly(env.producer),
          consumers: env.consumers.map(readOnly),
          ...(env.backend?.type === "s3" ? { backend: readOnly(env.backend) } : {}),
        },
      ]),
    ),
  };
}

/** Reads and parses a JSON file; a missing, unreadable or malformed file is a ConfigError naming it. */
function readJson(file: string, preread?: string): unknown {
  let text: string;
  try {
    text = preread ?? readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "file not found; set REDSHIFT_ENDPOINTS_CONFIG to an existing file, or create config/environments.json"
        : code === "EACCES"
          ? "file is not readable (permission denied)"
          : code === "EISDIR"
            ? "is a directory, not a JSON file"
            : `cannot be read (${code ?? String(e)})`;
    throw new ConfigError(file, [issue([], why)]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, "")); // editors on some systems write a byte-order mark
  } catch (e) {
    throw new ConfigError(file, [issue([], `is not valid JSON: ${jsonErrorWhere(text, (e as Error).message)}`)]);
  }
  return raw;
}

/**
 * The adoption files of `config`'s environments (`adopted/<env>.json` next to
 * `configFile`), each validated alone and against the config. Environments
 * without a file are absent. Throws ConfigError listing every problem.
 */
export function loadAdoptions(configFile: string, config: Config): Adoptions {
  const adoptions: Record<string, Adoption> = {};
  for (const envName of Object.keys(config.environments)) {
    const file = adoptionFile(configFile, envName);
    if (!existsSync(file)) continue;
    adoptions[envName] = parseAdoption(readJson(file), config, envName, file);
  }
  return adoptions;
}

/** Validates one adoption file's parsed JSON against its schema and the environment it belongs to. */
export function parseAdoption(raw: unknown, config: Config, envName: string, file = "<adoption>"): Adoption {
  const result = AdoptionSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new ConfigError(file, sortIssues(result.error.issues.flatMap(toConfigIssues)));
  const issues = adoptionIssues(result.data, config, envName);
  if (issues.length) throw new ConfigError(file, issues);
  return result.data;
}

/** The adoption must describe this environment as configured: its consumers, endpoints, CIDRs, subnets and grantees. */
function adoptionIssues(adoption: Adoption, config: Config, envName: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (adoption.environment !== envName) {
    issues.push(issue(["environment"], `must be "${envName}", the environment whose file this is`, adoption.environment));
  }
  const env = config.environments[envName];
  const grants = endpointGrants(env);
  (adoption.authorizations ?? []).forEach((a, i) => {
    const vpcs = grants.get(a.accountId);
    if (vpcs === undefined) {
      issues.push(issue(["authorizations", i, "accountId"], `must be a consumer account of environment ${envName} other than the producer's`, a.accountId));
      return;
    }
    if (a.clusterIdentifier !== env.producer.clusterIdentifier) {
      issues.push(issue(["authorizations", i, "clusterIdentifier"], `must be the producer's cluster ${env.producer.clusterIdentifier}`, a.clusterIdentifier));
    }
    a.extraVpcIds.forEach((vpc, j) => {
      if (vpcs.includes(vpc)) {
        issues.push(
          issue(["authorizations", i, "extraVpcIds", j], "must not repeat a VPC the config already names (list only the VPCs beyond the config's)", vpc),
        );
      }
    });
  });
  for (const [name, adopted] of Object.entries(adoption.consumers ?? {})) {
    const consumer = env.consumers.find((c) => c.name === name);
    if (consumer === undefined) {
      issues.push(issue(["consumers", name], `must be a consumer of environment ${envName} (${env.consumers.map((c) => c.name).join(", ")})`, adopted));
      continue;
    }
    if ((adopted.endpointName === undefined) !== (adopted.subnetGroup === undefined)) {
      issues.push(
        issue(["consumers", name], "must give endpointName and subnetGroup together (the adopted endpoint and the group it stands on), or neither", adopted),
      );
      continue;
    }
    if (adopted.endpointName !== undefined && adopted.endpointName !== consumer.endpointName) {
      issues.push(
        issue(
          ["consumers", name, "endpointName"],
          `must equal the consumer's endpointName "${consumer.endpointName}"; an endpoint cannot be renamed without replacing it`,
          adopted.endpointName,
        ),
      );
    }
    const active = consumer.subnetIds[0];
    const group = adopted.subnetGroup ?? { managed: true, subnetIds: [active] };
    if (group.managed && (group.subnetIds.length !== 1 || group.subnetIds[0] !== active)) {
      issues.push(
        issue(
          ["consumers", name, "subnetGroup", "subnetIds"],
          `a managed subnet group must hold exactly the consumer's one subnet [${JSON.stringify(active)}]`,
          group.subnetIds,
        ),
      );
    }
    if (!group.managed && !group.subnetIds.includes(active)) {
      issues.push(
        issue(
          ["consumers", name, "subnetGroup", "subnetIds"],
          `must include the consumer's subnetIds[0] ${active}: the unmanaged group keeps the endpoint where it is; to move it, follow the AZ runbook (remove endpointName and subnetGroup here first)`,
          group.subnetIds,
        ),
      );
    }
    const seen = new Set<string>();
    (adopted.ingressRules ?? []).forEach((rule, i) => {
      if (!consumer.allowedCidrs.includes(rule.cidr)) {
        issues.push(
          issue(["consumers", name, "ingressRules", i, "cidr"], `must be one of the consumer's allowedCidrs (${consumer.allowedCidrs.join(", ")})`, rule.cidr),
        );
      }
      if (seen.has(rule.cidr)) issues.push(issue(["consumers", name, "ingressRules", i, "cidr"], "must appear once: one rule per CIDR", rule.cidr));
      seen.add(rule.cidr);
    });
    if (adopted.ingressRules?.length && adopted.securityGroup === undefined) {
      issues.push(
        issue(["consumers", name, "ingressRules"], "needs securityGroup: rules are imported only with the group they belong to", adopted.ingressRules),
      );
    }
  }
  return issues;
}

/** Validates already-parsed JSON. */
export function parseConfig(raw: unknown, file = "<config>"): Config {
  const result = ConfigSchema.safeParse(raw, { reportInput: true });
  const issues = [...(result.success ? [] : result.error.issues.flatMap(toConfigIssues)), ...crossFieldIssues(raw)];
  if (issues.length) throw new ConfigError(file, sortIssues(issues));
  return result.data as Config;
}

function jsonErrorWhere(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return message;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split("\n").length;
  const column = pos - before.lastIndexOf("\n");
  return `${message.replace(/ in JSON at position \d+.*$/, "")} at line ${line}, column ${column}`;
}

const KNOWN_KEYS = [ConfigSchema, EnvironmentSchema, ProducerSchema, ConsumerSchema, QuotasSchema, ...BackendSchema.options, ...DnsSchema.options].flatMap(
  (s) => Object.keys(s.shape),
);

function closest(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of new Set(KNOWN_KEYS)) {
    const d = editDistance(key.toLowerCase(), known.toLowerCase());
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

type ZodIssue = z.core.$ZodIssue;

function toConfigIssues(zi: ZodIssue): ConfigIssue[] {
  const path = zi.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  const input = (zi as { input?: unknown }).input;
  switch (zi.code) {
    case "unrecognized_keys":
      return zi.keys.map((key) => {
        const hint = closest(key);
        const value = input && typeof input === "object" ? (input as Record<string, unknown>)[key] : undefined;
        const why = hint === key ? "is not allowed at this level" : `unknown key${hint ? ` (did you mean "${hint}"?)` : ""}`;
        return issue([...path, key], `${why}; unknown keys are refused so that typos don't vanish`, value);
      });
    case "invalid_type":
      if (input === undefined) return [issue(path, `is required (expected ${typeName(zi.expected)})`)];
      if (zi.expected === "int") return [issue(path, "must be a whole number", input)];
      return [issue(path, `must be ${article(typeName(zi.expected))}`, input)];
    case "invalid_union":
      if (path.includes("backend")) {
        return [issue(path, 'must be {"type":"local"}, {"type":"s3", bucket, region, keyPrefix} or {"type":"cloud", organization, workspacePrefix}', input)];
      }
      if (path[path.length - 1] === "dns") {
        return [issue(path, "must be {zoneName, recordName} to create a private hosted zone, or {zoneId, recordName} to use an existing one", input)];
      }
      return [issue(path, zi.message, input)];
    case "invalid_key":
      return zi.issues.map((inner) => issue(path, inner.message, input));
    case "invalid_element":
      return zi.issues.map((inner) => issue(path, inner.message, input));
    case "too_small":
    case "too_big": {
      if (!zi.message.startsWith("Too")) return [issue(path, zi.message, input)]; // the schema's own wording
      const bound = zi.code === "too_small" ? `at least ${String(zi.minimum)}` : `at most ${String(zi.maximum)}`;
      return [issue(path, Array.isArray(input) ? `must have ${bound} item(s)` : `must be ${bound}`, input)];
    }
    default:
      return [issue(path, zi.message, input)];
  }
}

/** zod's type names in JSON's words. */
function typeName(expected: string): string {
  return expected === "record" ? "object" : expected;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Drops duplicates, and any further rule on a value whose type is already wrong. */
function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  const wrongType = new Set(issues.filter((i) => /^must be an? [a-z]+$/.test(i.message)).map((i) => formatPath(i.path)));
  return issues.filter((i) => {
    if (wrongType.has(formatPath(i.path)) && !/^must be an? [a-z]+$/.test(i.message)) return false;
    const key = `${formatPath(i.path)}|${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
