/**
 * `npm run adopt -- <env>`: finds what already exists in AWS for one
 * environment, built by hand with the procedure this project replaces, and
 * says what the stacks will import instead of creating, so that the first
 * deploy replaces nothing.
 *
 * For each consumer it looks, with the same role assumption as `verify`, for
 * the producer's authorization of the consumer's account, the endpoint named
 * `endpointName`, the endpoint's subnet group, its security groups and their
 * ingress rules on the cluster port. The result is a table of every resource
 * (will be imported, referenced as is, or missing and created) and an
 * adoption file (lib/config/adoption.ts) that synth reads.
 *
 * Anything that cannot be adopted without replacing the endpoint is refused
 * with its reason, and then nothing is written.
 *
 * AWS clients come from an injected factory (lib/aws), so tests run this
 * against mocks and the emulator. `adoptCommand` at the end is the command
 * line; `scripts/adopt.ts` runs it.
 */
import { errorText, isAwsError } from "../aws/errors";
import * as fs from "node:fs";
import * as path from "node:path";
import { DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand, type SecurityGroupRule } from "@aws-sdk/client-ec2";
import {
  type ClusterSubnetGroup,
  DescribeClusterSubnetGroupsCommand,
  DescribeEndpointAccessCommand,
  DescribeEndpointAuthorizationCommand,
  type EndpointAccess,
  type EndpointAuthorization,
} from "@aws-sdk/client-redshift";
import { type AdoptedConsumer, type AdoptedIngressRule, type Adoption, type ConsumerConfig, type EnvironmentConfig, parseAdoption } from "../config";
import type { Config } from "../config";
import { adoptionFile, consumerStackId, endpointGrants, producerStackId } from "../config/layout";
import { type ClientFactory, type StackClients, awsClientFactory } from "../aws/clients";
import { defineCommand } from "../cli/command";
import { CONFIG_VARIABLES, loadEnvironment } from "../cli/environment";

/** The session name that CloudTrail shows for the roles `adopt` assumes. */
export const ADOPT_SESSION_NAME = "redshift-endpoints-adopt";

/**
 * What happens to one resource.
 * - `import`: found, and the stack imports it (no change to the resource).
 * - `reference`: found and used as is, but not managed (a subnet group of several subnets).
 * - `leave`: found, not managed, left exactly as it is (an ingress rule the config does not name).
 * - `create`: missing, so the stack creates it.
 * - `refused`: found, but adopting it would replace the endpoint or take access from someone; nothing is written.
 */
export type AdoptAction = "import" | "reference" | "leave" | "create" | "refused";

/** How the table prints each action. */
export const ACTION_TEXT: Readonly<Record<AdoptAction, string>> = {
  import: "found: will be imported",
  reference: "found: kept as is, referenced, not managed",
  leave: "found: left as is, not managed",
  create: "missing: will be created",
  refused: "REFUSED",
};

export interface AdoptRow {
  /** `<env>-producer` or `<env>-consumer-<name>`. */
  readonly stack: string;
  /** What kind of resource: `authorization`, `endpoint`, `subnet group`, `security group`, `ingress rule`. */
  readonly resource: string;
  /** Its id or name in AWS, or what it will be. */
  readonly id: string;
  readonly action: AdoptAction;
  /** One line for a person. */
  readonly detail: string;
}

export interface AdoptReport {
  readonly environment: string;
  readonly rows: readonly AdoptRow[];
  /** The adoption file's content; undefined when something was refused or nothing exists to adopt. */
  readonly adoption?: Adoption;
  /** Where the endpoints' network interfaces are, and what that means; printed after the table. */
  readonly notes: readonly string[];
}

export interface AdoptOptions {
  /** The environment's name in the config. */
  readonly environment: string;
  /** The whole validated config (the adoption is validated against it). */
  readonly config: Config;
  /** Builds each stack's AWS clients (verify's `awsClientFactory`). */
  readonly clients: ClientFactory;
}

/** Looks for everything the environment's stacks would create; never throws for AWS errors (they become refused rows). */
export async function adoptEnvironment(options: AdoptOptions): Promise<AdoptReport> {
  const env = options.config.environments[options.environment];
  const created: StackClients[] = [];
  const clientsFor: ClientFactory = (target) => {
    const c = options.clients(target);
    created.push(c);
    return c;
  };
  try {
    const rows: AdoptRow[] = [];
    const notes: string[] = [];
    const producer = await findAuthorizations(options.environment, env, clientsFor, rows);
    const consumers: Record<string, AdoptedConsumer> = {};
    for (const [index, c] of env.consumers.entries()) {
      const adopted = await findConsumer(options.environment, env, c, index, clientsFor, rows, notes);
      if (adopted) consumers[c.name] = adopted;
    }
    const refused = rows.some((r) => r.action === "refused");
    const anything = producer.length > 0 || Object.keys(consumers).length > 0;
    const adoption: Adoption | undefined =
      refused || !anything
        ? undefined
        : {
            $comment: `Written by npm run adopt -- ${options.environment}: resources built by hand that the stacks import instead of creating. Review it like any config change.`,
            environment: options.environment,
            ...(producer.length > 0 ? { authorizations: producer } : {}),
            ...(Object.keys(consumers).length > 0 ? { consumers } : {}),
          };
    // What is written must pass the very validation synth applies.
    if (adoption) parseAdoption(adoption, options.config, options.environment);
    return { environment: options.environment, rows, adoption, notes };
  } finally {
    for (const c of created) {
      c.sts.destroy();
      c.redshift.destroy();
      c.ec2.destroy();
    }
  }
}

async function findAuthorizations(
  envName: string,
  env: EnvironmentConfig,
  clientsFor: ClientFactory,
  rows: AdoptRow[],
): Promise<NonNullable<Adoption["authorizations"]>> {
  const p = env.producer;
  const stack = producerStackId(envName);
  const grants = [...endpointGrants(env)];
  if (grants.length === 0) return [];
  const { redshift } = clientsFor({ stack, role: "producer", accountId: p.accountId, roleArn: p.roleArn, region: env.region });
  const adopted: NonNullable<Adoption["authorizations"]> = [];
  for (const [account, vpcIds] of grants) {
    const id = `${account}:${p.clusterIdentifier}`;
    const row = (action: AdoptAction, detail: string) => rows.push({ stack, resource: "authorization", id, action, detail });
    let found: EndpointAuthorization | undefined;
    try {
      const out = await redshift.send(new DescribeEndpointAuthorizationCommand({ ClusterIdentifier: p.clusterIdentifier, Account: account, Grantee: false }));
      found = (out.EndpointAuthorizationList ?? []).find((a) => a.Grantee === account && a.ClusterIdentifier === p.clusterIdentifier);
    } catch (e) {
      if (!isAwsError(e, "EndpointAuthorizationNotFound")) {
        row("refused", `cannot look: DescribeEndpointAuthorization failed: ${errorText(e)}`);
        continue;
      }
    }
    const decision = authorizationDecision(found, vpcIds);
    row(decision.action, decision.detail);
    if (decision.action === "import") adopted.push({ accountId: account, clusterIdentifier: p.clusterIdentifier, extraVpcIds: decision.extraVpcIds });
  }
  return adopted;
}

/** What to do with the authorization found (or not) for a grantee whose consumers use `vpcIds`. Pure. */
export function authorizationDecision(
  found: EndpointAuthorization | undefined,
  vpcIds: readonly string[],
): { action: AdoptAction; detail: string; extraVpcIds: string[] } {
  if (found === undefined) return { action: "create", detail: `no authorization yet; will authorize ${vpcIds.join(", ")}`, extraVpcIds: [] };
  const status = found.Status ?? "unknown";
  if (status.toLowerCase() !== "authorized") {
    return { action: "refused", detail: `status is ${status}: adopt only an Authorized authorization; wait, then run adopt again`, extraVpcIds: [] };
  }
  if (found.AllowedAllVPCs === true) {
    return {
      action: "refused",
      detail:
        "allows ALL VPCs of the account: this project grants named VPCs only, and narrowing it could cut off endpoints in VPCs the config does not know. Ask the account's owners which VPCs use it, re-authorize those with --vpc-ids, then adopt again",
      extraVpcIds: [],
    };
  }
  const allowed = found.AllowedVPCs ?? [];
  const extraVpcIds = allowed.filter((v) => !vpcIds.includes(v));
  const missing = vpcIds.filter((v) => !allowed.includes(v));
  const parts = [`allows ${allowed.join(", ") || "no VPC"}`];
  if (extraVpcIds.length) {
    parts.push(
      `KEEPS ${extraVpcIds.join(", ")}: not in the config, someone else may use ${extraVpcIds.length === 1 ? "it" : "them"}; recorded in extraVpcIds, remove from there (reviewed) to revoke`,
    );
  }
  if (missing.length) parts.push(`will add ${missing.join(", ")} in place`);
  return { action: "import", detail: parts.join("; "), extraVpcIds };
}

async function findConsumer(
  envName: string,
  env: EnvironmentConfig,
  c: ConsumerConfig,
  index: number,
  clientsFor: ClientFactory,
  rows: AdoptRow[],
  notes: string[],
): Promise<AdoptedConsumer | undefined> {
  const p = env.producer;
  const stack = consumerStackId(envName, c.name);
  const where = `environments.${envName}.consumers[${index}]`;
  const row = (resource: string, id: string, action: AdoptAction, detail: string) => rows.push({ stack, resource, id, action, detail });
  const { redshift, ec2 } = clientsFor({ stack, role: "consumer", accountId: c.accountId, roleArn: c.roleArn, region: env.region });

  let endpoint: EndpointAccess | undefined;
  try {
    const out = await redshift.send(new DescribeEndpointAccessCommand({ EndpointName: c.endpointName }));
    endpoint = (out.EndpointAccessList ?? []).find((e) => e.EndpointName === c.endpointName);
  } catch (e) {
    if (!isAwsError(e, "EndpointNotFound")) {
      row("endpoint", c.endpointName, "refused", `cannot look: DescribeEndpointAccess failed: ${errorText(e)}`);
      return undefined;
    }
  }
  if (endpoint === undefined) {
    row(
      "endpoint",
      c.endpointName,
      "create",
      `no endpoint named ${c.endpointName} in account ${c.accountId}; the stack creates it with its subnet group and security group`,
    );
    return undefined;
  }

  const eni = endpoint.VpcEndpoint?.NetworkInterfaces?.[0];
  const problems = endpointProblems(endpoint, c, p.accountId, p.clusterIdentifier, where);
  if (problems.length) {
    row("endpoint", c.endpointName, "refused", problems.join("; "));
    return undefined;
  }
  row(
    "endpoint",
    c.endpointName,
    "import",
    `active at ${endpoint.Address}:${endpoint.Port} (${eni?.PrivateIpAddress}), network interface ${eni?.NetworkInterfaceId} in ${eni?.SubnetId} (${eni?.AvailabilityZone})`,
  );

  // The subnet group.
  const groupName = endpoint.SubnetGroupName ?? "";
  let group: ClusterSubnetGroup | undefined;
  try {
    const out = await redshift.send(new DescribeClusterSubnetGroupsCommand({ ClusterSubnetGroupName: groupName }));
    group = out.ClusterSubnetGroups?.[0];
  } catch (e) {
    row("subnet group", groupName, "refused", `cannot look: DescribeClusterSubnetGroups failed: ${errorText(e)}`);
    return undefined;
  }
  if (group === undefined) {
    row("subnet group", groupName, "refused", "the endpoint names this subnet group, but it was not found");
    return undefined;
  }
  const subnetIds = (group.Subnets ?? []).map((s) => s.SubnetIdentifier ?? "").filter((s) => s !== "");
  const managed = subnetIds.length === 1;
  if (managed) {
    row("subnet group", groupName, "import", `holds exactly ${subnetIds[0]}; name and description kept`);
  } else {
    row(
      "subnet group",
      groupName,
      "reference",
      `holds ${subnetIds.length} subnets (${subnetIds.join(", ")}): cannot meet the single-subnet rule without replacing the endpoint; referenced by name, never changed or deleted`,
    );
    notes.push(
      `${stack}: endpoint ${c.endpointName}'s network interface sits in ${eni?.AvailabilityZone} (${eni?.SubnetId}); subnet group ${groupName} stays as built by hand. ` +
        `To move to a managed single-subnet group in a planned window, follow the AZ runbook (docs/runbooks.md): remove consumers.${c.name}.endpointName and .subnetGroup from the adoption file, set subnetIds, deploy (the endpoint is replaced once).`,
    );
  }

  // The security groups.
  const extra = c.securityGroupIds ?? [];
  const onEndpoint = (endpoint.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId ?? "").filter((g) => g !== "");
  const candidates = onEndpoint.filter((g) => !extra.includes(g));
  for (const g of extra.filter((g) => !onEndpoint.includes(g))) {
    row("security group", g, "create", `in ${where}.securityGroupIds but not on the endpoint; added to the endpoint in place`);
  }
  for (const g of onEndpoint.filter((g) => extra.includes(g))) row("security group", g, "leave", `listed in ${where}.securityGroupIds; attached, not managed`);
  if (candidates.length > 1) {
    row(
      "security group",
      candidates.join(", "),
      "refused",
      `the endpoint uses ${candidates.length} security groups not in ${where}.securityGroupIds; the stack manages exactly one: list the others in securityGroupIds (they stay attached, unmanaged), then adopt again`,
    );
    return undefined;
  }
  const adopted: AdoptedConsumer = {
    endpointName: c.endpointName,
    subnetGroup: { name: groupName, managed, description: group.Description ?? "", subnetIds },
  };
  if (candidates.length === 0) {
    row(
      "security group",
      `redshift-endpoint-${c.endpointName}`,
      "create",
      "the endpoint has no security group beyond securityGroupIds; the new one is added to it in place",
    );
    for (const cidr of c.allowedCidrs) row("ingress rule", `${cidr} tcp/${p.port}`, "create", "on the new security group");
    return adopted;
  }

  const sgId = candidates[0];
  try {
    const out = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sgId] }));
    const sg = out.SecurityGroups?.[0];
    if (sg === undefined) throw new Error(`security group ${sgId} not found`);
    if (sg.VpcId !== c.vpcId) {
      row("security group", sgId, "refused", `is in ${sg.VpcId}, not the consumer VPC ${c.vpcId} (${where}.vpcId)`);
      return undefined;
    }
    row("security group", sgId, "import", `"${sg.GroupName}": name and description kept (a change would replace the group)`);
    const rules = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [sgId] }] }));
    const ingress = (rules.SecurityGroupRules ?? []).filter((r) => r.IsEgress !== true);
    const matched = matchIngressRules(ingress, c.allowedCidrs, p.port);
    for (const cidr of c.allowedCidrs) {
      const rule = matched.imported.find((r) => r.cidr === cidr);
      if (rule) row("ingress rule", rule.id, "import", `${cidr} tcp/${p.port}`);
      else row("ingress rule", `${cidr} tcp/${p.port}`, "create", "no rule for this CIDR on the cluster port yet; added in place");
    }
    for (const left of matched.left)
      row("ingress rule", left.id, "leave", `${left.what}: not one of ${where}.allowedCidrs on port ${p.port}; stays as is, unmanaged`);
    return {
      ...adopted,
      securityGroup: { id: sgId, name: sg.GroupName ?? "", description: sg.Description ?? "" },
      ...(matched.imported.length ? { ingressRules: matched.imported } : {}),
    };
  } catch (e) {
    row("security group", sgId, "refused", `cannot look: ${errorText(e)}`);
    return undefined;
  }
}

/** Why an endpoint found by name cannot be adopted as the consumer's, or nothing. Pure. */
export function endpointProblems(endpoint: EndpointAccess, c: ConsumerConfig, owner: string, cluster: string, where: string): string[] {
  const problems: string[] = [];
  const eni = endpoint.VpcEndpoint?.NetworkInterfaces?.[0];
  if (endpoint.ClusterIdentifier !== cluster || (endpoint.ResourceOwner ?? owner) !== owner) {
    problems.push(
      `it connects to cluster ${endpoint.ClusterIdentifier} of ${endpoint.ResourceOwner}, not ${cluster} of ${owner}; an endpoint cannot change cluster`,
    );
  }
  const status = endpoint.EndpointStatus ?? "unknown";
  if (status.toLowerCase() !== "active") problems.push(`its status is ${status}: adopt only an active endpoint; wait, then run adopt again`);
  const vpc = endpoint.VpcEndpoint?.VpcId;
  if (vpc !== c.vpcId) problems.push(`it is in ${vpc ?? "an unknown VPC"}, not ${c.vpcId} (${where}.vpcId); an endpoint cannot change VPC`);
  if (eni === undefined) problems.push("it reports no network interface");
  else if (eni.SubnetId !== c.subnetIds[0]) {
    problems.push(
      `its network interface sits in ${eni.SubnetId} (${eni.AvailabilityZone}), but ${where}.subnetIds is ${JSON.stringify(c.subnetIds)}: set subnetIds to ["${eni.SubnetId}"] (an interface never moves; to move it later, follow the AZ runbook)`,
    );
  }
  return problems;
}

/**
 * Splits a security group's ingress rules: the one rule per configured CIDR
 * that admits exactly TCP on `port` is imported; every other rule is left as
 * it is (another port, a port range, another protocol, another CIDR, a source
 * group or prefix list). Pure.
 */
export function matchIngressRules(
  rules: readonly SecurityGroupRule[],
  cidrs: readonly string[],
  port: number,
): { imported: AdoptedIngressRule[]; left: { id: string; what: string }[] } {
  const imported: AdoptedIngressRule[] = [];
  const left: { id: string; what: string }[] = [];
  for (const r of rules) {
    const id = r.SecurityGroupRuleId ?? "";
    const source = r.CidrIpv4 ?? r.CidrIpv6 ?? r.ReferencedGroupInfo?.GroupId ?? r.PrefixListId ?? "unknown source";
    const ports = r.IpProtocol === "-1" ? "all traffic" : `${r.IpProtocol}/${r.FromPort === r.ToPort ? r.FromPort : `${r.FromPort}-${r.ToPort}`}`;
    const cidr = r.CidrIpv4 ?? r.CidrIpv6;
    const exact = r.IpProtocol === "tcp" && r.FromPort === port && r.ToPort === port && cidr !== undefined && cidrs.includes(cidr);
    if (exact && !imported.some((i) => i.cidr === cidr)) {
      imported.push({ id, cidr, ...(r.Description ? { description: r.Description } : {}) });
    } else {
      left.push({ id, what: `${source} ${ports}` });
    }
  }
  return { imported, left };
}

/** The table of every resource, then the notes and the verdict. */
export function formatAdoptTable(report: AdoptReport, file: string): string {
  const header = ["STACK", "RESOURCE", "ID", "STATUS", "DETAIL"];
  const cells = report.rows.map((r) => [r.stack, r.resource, r.id, ACTION_TEXT[r.action], r.detail]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(header[i].length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]) =>
    c
      .map((cell, i) => (i < 4 ? cell.padEnd(widths[i]) : cell))
      .join("  ")
      .trimEnd();
  const refused = report.rows.filter((r) => r.action === "refused");
  const verdict =
    refused.length > 0
      ? `${report.environment}: REFUSED (${refused.length} resource${refused.length === 1 ? "" : "s"}); nothing written. Fix what each REFUSED row says, then run npm run adopt -- ${report.environment} again.`
      : report.adoption
        ? `${report.environment}: wrote ${file}. Review and commit it like any config change. Next: npx cdktf deploy ${producerStackId(report.environment)} (it imports the authorization; the consumers read its state, so they cannot be planned before it exists), then npm run diff -- ${report.environment}, then npm run deploy -- ${report.environment}.`
        : `${report.environment}: nothing built by hand was found; nothing to adopt, no file written. npm run deploy -- ${report.environment} creates everything.`;
  return [
    `Adoption of environment ${report.environment}`,
    "",
    line(header),
    line(widths.map((w) => "-".repeat(w)).concat("------")),
    ...cells.map(line),
    "",
    ...report.notes.map((n) => `NOTE ${n}`),
    ...(report.notes.length ? [""] : []),
    verdict,
    "",
  ].join("\n");
}

/** 0 when adopted (or nothing to adopt), 1 when something was refused. */
export function adoptExitCode(report: AdoptReport): 0 | 1 {
  return report.rows.some((r) => r.action === "refused") ? 1 : 0;
}

/** Writes the adoption file all at once (a temporary file renamed into place). */
export function writeAdoptionFile(file: string, adoption: Adoption): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(adoption, null, 2)}\n`);
  fs.renameSync(temporary, file);
}

/** `npm run adopt -- <environment>`. */
export const adoptCommand = defineCommand(
  {
    name: "adopt",
    summary:
      "Finds the endpoint authorizations, endpoints, subnet groups, security groups and ingress rules that already exist for\n" +
      "the environment (built by hand), prints what will be imported, kept or created, and writes adopted/<environment>.json\n" +
      "next to the config for synth to import them. Refuses, writing nothing, what it cannot adopt without replacing an endpoint.",
    positionals: [{ name: "environment", description: "an environment of the config" }],
    options: {},
    environment: CONFIG_VARIABLES,
    exits: {
      usage: 2,
      failed: 1,
      meanings: [
        [0, "adopted, or nothing to adopt"],
        [1, "something was refused (nothing written), or the command could not run"],
        [2, "bad usage"],
      ],
    },
    more: "See docs/runbooks.md, Adopting endpoints built by hand.",
  },
  async ({ positionals }, io) => {
    const selected = loadEnvironment(io, positionals.environment);
    const report = await adoptEnvironment({
      environment: selected.name,
      config: selected.config,
      clients: awsClientFactory({ roleSessionName: ADOPT_SESSION_NAME }),
    });
    const target = adoptionFile(selected.file, selected.name);
    if (report.adoption) writeAdoptionFile(target, report.adoption);
    io.stdout(formatAdoptTable(report, target));
    return adoptExitCode(report);
  },
);
