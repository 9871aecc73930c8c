/**
 * Least-privilege deploy policies, derived from synthesized stacks.
 *
 * Each stack's document holds exactly the actions its deploy needs, found
 * from the resource and data source types the stack's cdk.tf.json holds, and
 * scoped to the stack's cluster, VPC, account and region where AWS allows
 * resource-level permissions. No action is a wildcard. A type with no entry
 * below fails generation loudly instead of producing a policy that would be
 * denied halfway through an apply.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: PolicyStatement[];
}

/** What a stack's JSON says about where it deploys. */
export interface StackContext {
  readonly stackId: string;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** Literal cluster identifier, when the stack reads the cluster. */
  readonly clusterIdentifier?: string;
  /** Literal VPC id, when the stack has a security group. */
  readonly vpcId?: string;
  /** Literal ids of existing hosted zones the stack writes records into. */
  readonly hostedZoneIds: readonly string[];
}

type Grant = (ctx: StackContext) => PolicyStatement[];

const arn = (ctx: StackContext, service: string, resource: string, region = ctx.region, account = ctx.accountId) =>
  `arn:${ctx.partition}:${service}:${region}:${account}:${resource}`;
const clusterArn = (ctx: StackContext) => arn(ctx, "redshift", `cluster:${ctx.clusterIdentifier ?? "*"}`);
const vpcArn = (ctx: StackContext) => arn(ctx, "ec2", `vpc/${ctx.vpcId ?? "*"}`);
const inVpc = (ctx: StackContext) => (ctx.vpcId ? { StringEquals: { "ec2:Vpc": vpcArn(ctx) } } : undefined);
const allow = (Sid: string, Action: string[], Resource: string | string[], Condition?: PolicyStatement["Condition"]): PolicyStatement => ({
  Sid,
  Effect: "Allow",
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});

/** Actions per Terraform type, as `resource.<type>` or `data.<type>`. */
export const GRANTS: Readonly<Record<string, Grant>> = {
  "data.aws_redshift_cluster": (ctx) => [allow("ReadCluster", ["redshift:DescribeClusters"], clusterArn(ctx))],
  "resource.aws_redshift_endpoint_authorization": (ctx) => [
    allow("AuthorizeEndpointAccess", ["redshift:AuthorizeEndpointAccess", "redshift:RevokeEndpointAccess"], clusterArn(ctx)),
    allow("ReadEndpointAuthorizations", ["redshift:DescribeEndpointAuthorization"], "*"),
  ],
  "resource.aws_security_group": (ctx) => [
    allow("CreateSecurityGroupInVpc", ["ec2:CreateSecurityGroup"], [vpcArn(ctx), arn(ctx, "ec2", "security-group/*")]),
    allow("TagSecurityGroups", ["ec2:CreateTags", "ec2:DeleteTags"], arn(ctx, "ec2", "security-group/*")),
    allow(
      "ManageSecurityGroupsInVpc",
      ["ec2:DeleteSecurityGroup", "ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress"],
      arn(ctx, "ec2", "security-group/*"),
      inVpc(ctx),
    ),
    allow("ReadSecurityGroups", ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroupRules", "ec2:DescribeSecurityGroups"], "*"),
  ],
  "resource.aws_vpc_security_group_ingress_rule": (ctx) => [
    allow(
      "ManageIngressRulesInVpc",
      ["ec2:AuthorizeSecurityGroupIngress", "ec2:ModifySecurityGroupRules", "ec2:RevokeSecurityGroupIngress", "ec2:UpdateSecurityGroupRuleDescriptionsIngress"],
      arn(ctx, "ec2", "security-group/*"),
      inVpc(ctx),
    ),
    allow("TagIngressRules", ["ec2:CreateTags", "ec2:DeleteTags"], arn(ctx, "ec2", "security-group-rule/*")),
    allow("ReadIngressRules", ["ec2:DescribeSecurityGroupRules", "ec2:DescribeSecurityGroups"], "*"),
  ],
  "resource.aws_redshift_subnet_group": (ctx) => [
    allow(
      "ManageClusterSubnetGroups",
      [
        "redshift:CreateClusterSubnetGroup",
        "redshift:CreateTags",
        "redshift:DeleteClusterSubnetGroup",
        "redshift:DeleteTags",
        "redshift:ModifyClusterSubnetGroup",
      ],
      arn(ctx, "redshift", "subnetgroup:*"),
    ),
    allow("ReadClusterSubnetGroups", ["ec2:DescribeSubnets", "redshift:DescribeClusterSubnetGroups", "redshift:DescribeTags"], "*"),
  ],
  "resource.aws_redshift_endpoint_access": (ctx) => [
    allow("ManageRedshiftManagedEndpoints", ["redshift:CreateEndpointAccess", "redshift:DeleteEndpointAccess", "redshift:ModifyEndpointAccess"], "*"),
    allow("ReadRedshiftManagedEndpoints", ["redshift:DescribeEndpointAccess"], "*"),
    allow(
      "CreateVpcEndpointInVpc",
      ["ec2:CreateVpcEndpoint"],
      [vpcArn(ctx), arn(ctx, "ec2", "vpc-endpoint/*"), arn(ctx, "ec2", "subnet/*"), arn(ctx, "ec2", "security-group/*")],
    ),
    allow("ManageVpcEndpoints", ["ec2:DeleteVpcEndpoints", "ec2:ModifyVpcEndpoint"], arn(ctx, "ec2", "vpc-endpoint/*")),
    allow(
      "ReadNetworkForVpcEndpoints",
      [
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeAddresses",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcAttribute",
        "ec2:DescribeVpcEndpoints",
        "ec2:DescribeVpcs",
      ],
      "*",
    ),
  ],
  "data.aws_subnet": () => [allow("ReadSubnets", ["ec2:DescribeSubnets"], "*")],
  "resource.aws_route53_zone": (ctx) => [
    allow(
      "ManagePrivateHostedZones",
      [
        "route53:ChangeTagsForResource",
        "route53:CreateHostedZone",
        "route53:DeleteHostedZone",
        "route53:GetHostedZone",
        "route53:ListResourceRecordSets",
        "route53:ListTagsForResource",
        "route53:UpdateHostedZoneComment",
      ],
      `arn:${ctx.partition}:route53:::hostedzone/*`,
    ),
    allow(
      "AssociateZoneWithVpc",
      ["route53:AssociateVPCWithHostedZone", "route53:DisassociateVPCFromHostedZone"],
      [`arn:${ctx.partition}:route53:::hostedzone/*`, vpcArn(ctx)],
    ),
    allow("ReadZoneChanges", ["route53:GetChange"], `arn:${ctx.partition}:route53:::change/*`),
    allow("ReadVpcsForZones", ["ec2:DescribeVpcs"], "*"),
  ],
  "resource.aws_route53_record": (ctx) => [
    allow(
      "ManageEndpointRecord",
      ["route53:ChangeResourceRecordSets", "route53:GetHostedZone", "route53:ListResourceRecordSets"],
      ctx.hostedZoneIds.length ? ctx.hostedZoneIds.map((z) => `arn:${ctx.partition}:route53:::hostedzone/${z}`) : `arn:${ctx.partition}:route53:::hostedzone/*`,
    ),
    allow("ReadRecordChanges", ["route53:GetChange"], `arn:${ctx.partition}:route53:::change/*`),
  ],
};

/** Types that need no AWS permission (Terraform's own). */
const FREE_TYPES = new Set(["data.terraform_remote_state"]);

export class IamPolicyError extends Error {}

/** Reads the deploy context of one stack from its synthesized JSON. */
// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, read field by field with optional chaining
export function stackContext(stackId: string, stack: any): StackContext {
  const provider = stack.provider?.aws?.[0];
  const region: string | undefined = provider?.region;
  const accountId: string | undefined = provider?.allowed_account_ids?.[0];
  if (!region || !accountId) throw new IamPolicyError(`${stackId}: the AWS provider pins no region or allowed_account_ids; cannot scope a policy`);
  const partition = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
  const literal = (v: unknown) => (typeof v === "string" && !v.includes("${") ? v : undefined);
  // biome-ignore lint/suspicious/noExplicitAny: provider and resource blocks of synthesized Terraform JSON
  const first = (blocks: Record<string, any> | undefined) => (blocks ? Object.values(blocks)[0] : undefined);
  // biome-ignore lint/suspicious/noExplicitAny: resource blocks of synthesized Terraform JSON
  const zoneIds = Object.values<any>(stack.resource?.aws_route53_record ?? {})
    .map((r) => literal(r.zone_id))
    .filter((z): z is string => z !== undefined);
  return {
    stackId,
    partition,
    region,
    accountId,
    clusterIdentifier: literal(first(stack.data?.aws_redshift_cluster)?.cluster_identifier),
    vpcId: literal(first(stack.resource?.aws_security_group)?.vpc_id),
    hostedZoneIds: [...new Set(zoneIds)].sort(),
  };
}

/** The Terraform types a stack holds, as `resource.<type>` and `data.<type>`. */
// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, walked by resource type
export function stackTypes(stack: any): string[] {
  return [...Object.keys(stack.resource ?? {}).map((t) => `resource.${t}`), ...Object.keys(stack.data ?? {}).map((t) => `data.${t}`)].sort();
}

/** The policy document of one synthesized stack. */
// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, walked by resource type
export function policyForStack(stackId: string, stack: any): PolicyDocument {
  const ctx = stackContext(stackId, stack);
  const statements: PolicyStatement[] = [];
  for (const type of stackTypes(stack)) {
    if (FREE_TYPES.has(type)) continue;
    const grant = GRANTS[type];
    if (!grant) throw new IamPolicyError(`${stackId}: no IAM mapping for ${type}; add its deploy actions to GRANTS in lib/iam-policies.ts`);
    statements.push(...grant(ctx));
  }
  return { Version: "2012-10-17", Statement: mergeStatements(statements) };
}

/** Joins statements with the same resources and condition, and sorts actions, so documents are small and stable. */
function mergeStatements(statements: PolicyStatement[]): PolicyStatement[] {
  const byScope = new Map<string, PolicyStatement>();
  for (const s of statements) {
    const key = JSON.stringify([s.Resource, s.Condition ?? null]);
    const existing = byScope.get(key);
    byScope.set(
      key,
      existing
        ? { ...existing, Sid: existing.Sid.includes(s.Sid) ? existing.Sid : `${existing.Sid}And${s.Sid}`, Action: [...existing.Action, ...s.Action] }
        : { ...s, Action: [...s.Action] },
    );
  }
  return [...byScope.values()].map((s) => ({
    ...s,
    // Actions AWS offers no resource-level permission for (or whose resource is in another account).
    Sid: s.Resource === "*" ? "NoResourceLevelPermissions" : s.Sid,
    Action: [...new Set(s.Action)].sort(),
  }));
}

/**
 * Writes `<stackId>.json` for every AWS stack of a synthesized output folder.
 * Stacks without an AWS provider (the Terraform Cloud bootstrap) are skipped.
 * Returns the files written.
 */
export function writePolicies(synthDir: string, destDir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(synthDir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const documents: Array<[string, PolicyDocument]> = [];
  for (const [stackId, entry] of Object.entries(manifest.stacks).sort(([a], [b]) => a.localeCompare(b))) {
    const stack = JSON.parse(readFileSync(join(synthDir, entry.synthesizedStackPath), "utf8"));
    if (!stack.provider?.aws) continue;
    documents.push([stackId, policyForStack(stackId, stack)]);
  }
  mkdirSync(destDir, { recursive: true });
  return documents.map(([stackId, doc]) => {
    const file = join(destDir, `${stackId}.json`);
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
    return file;
  });
}
