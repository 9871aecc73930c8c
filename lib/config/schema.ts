/**
 * The shape of `config/environments.json`, as a zod schema.
 *
 * Field rules live here; rules that compare fields with each other
 * (duplicates, quotas, role accounts) live in `checks.ts`.
 * `npm run generate` turns this into the JSON Schema that editors use.
 */
import { z } from "zod";
import {
  ACCOUNT_ID,
  AWS_REGIONS,
  CLUSTER_IDENTIFIER,
  ROLE_ARN,
  SECURITY_GROUP_ID,
  STACK_SAFE_NAME,
  SUBNET_ID,
  VPC_ID,
  checkCidr,
  isAllowedPort,
} from "./rules";
import { ENDPOINT_NAME_RULE, endpointNameProblems } from "../../modules/redshift-endpoint/endpoint-name";

const accountId = z.string().regex(ACCOUNT_ID, { error: "must be a 12-digit AWS account id" }).describe("12-digit AWS account id.");

const roleArn = z
  .string()
  .regex(ROLE_ARN, { error: "must be an IAM role ARN such as arn:aws:iam::111111111111:role/name" })
  .describe("IAM role ARN assumed by this stack's provider. It must be in the stack's own account. Omit to use the ambient credentials.");

const readOnlyRoleArn = z
  .string()
  .regex(ROLE_ARN, { error: "must be an IAM role ARN such as arn:aws:iam::111111111111:role/name" })
  .describe(
    "IAM role ARN that `npm run drift` and `npm run diff -- --read-only` assume for this stack instead of roleArn: a role in the stack's own account holding the stack's read-only document (`<stackId>.drift.json` from `npm run iam-policies`). @default roleArn",
  );

const region = z
  .enum(AWS_REGIONS as [string, ...string[]], { error: "must be an AWS region code such as ap-northeast-1" })
  .describe("AWS region code.")
  .meta({ examples: ["ap-northeast-1"] });

const stackSafeName = (what: string) =>
  z
    .string()
    .max(32, { error: `${what} must be at most 32 characters` })
    .regex(STACK_SAFE_NAME, {
      error: `${what} must be safe as a stack id: lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen`,
    });

const idOf = (re: RegExp, prefix: string) => z.string().regex(re, { error: `must be \`${prefix}-\` followed by 8 or 17 lowercase hex characters` });

const tagMap = z
  .record(
    z
      .string()
      .min(1, { error: "tag keys must be 1-128 characters" })
      .max(128, { error: "tag keys must be 1-128 characters" })
      .refine((k) => !k.toLowerCase().startsWith("aws:"), { error: "tag keys must not start with the reserved prefix aws:" }),
    z.string().max(256, { error: "tag values must be at most 256 characters" }),
  )
  .describe("Tags applied to every resource, layered over the project's defaults.");

const cidr = z.string().superRefine((value, ctx) => {
  const check = checkCidr(value);
  if (!check.ok) ctx.addIssue({ code: "custom", message: check.reason ?? "invalid CIDR" });
});

const port = z
  .number()
  .int({ error: "must be a whole number" })
  .refine(isAllowedPort, { error: "must be in 5431-5455 or 8191-8215, the ranges a cluster with Redshift-managed VPC endpoints may use" })
  .describe("The cluster's port: 5431-5455 or 8191-8215.");

const endpointName = z
  .string()
  .superRefine((value, ctx) => {
    const problems = endpointNameProblems(value);
    if (problems.length) ctx.addIssue({ code: "custom", message: `${problems.join("; ")} (rule: ${ENDPOINT_NAME_RULE})` });
  })
  .describe(`Name of the Redshift-managed VPC endpoint: ${ENDPOINT_NAME_RULE}. Unique per consumer account and region.`);

export const DnsSchema = z.union([
  z
    .strictObject({
      zoneName: z
        .string()
        .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
          error: "must be a lowercase DNS domain name such as lake.internal",
        })
        .describe("Create a Route 53 private hosted zone with this name, associated with the consumer VPC."),
      recordName: z
        .string()
        .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { error: "must be a single lowercase DNS label such as bi" })
        .describe("The record's label in the zone: the stable name is <recordName>.<zone>."),
    })
    .describe("A new private hosted zone."),
  z
    .strictObject({
      zoneId: z
        .string()
        .regex(/^Z[A-Z0-9]{1,31}$/, { error: "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ" })
        .describe("The existing private hosted zone to write the record into."),
      recordName: z
        .string()
        .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { error: "must be a single lowercase DNS label such as bi" })
        .describe("The record's label in the zone: the stable name is <recordName>.<zone>."),
    })
    .describe("An existing private hosted zone, already associated with the consumer VPC."),
]);

export const ConsumerSchema = z
  .strictObject({
    name: stackSafeName("consumer name").describe("Short name of the consuming team; the stack is `<env>-consumer-<name>`."),
    accountId: accountId.describe("Account that owns the consumer VPC (account B)."),
    roleArn: roleArn.optional(),
    readOnlyRoleArn: readOnlyRoleArn.optional(),
    vpcId: idOf(VPC_ID, "vpc").describe("The consumer VPC."),
    subnetIds: z
      .array(idOf(SUBNET_ID, "subnet"))
      .length(1, {
        error:
          "must hold exactly 1 subnet: AWS places the endpoint's network interface in a subnet it picks from the subnet group, and the subnet cannot change later",
      })
      .describe("Exactly one subnet: it fixes the subnet, and so the AZ, of the endpoint's network interface."),
    standbySubnetIds: z
      .array(idOf(SUBNET_ID, "subnet"))
      .optional()
      .describe("Subnets in other AZs of the same VPC, checked at plan, to promote into subnetIds after an AZ failure. @default []"),
    endpointName,
    allowedCidrs: z
      .array(cidr)
      .min(1, { error: "must list at least one client CIDR; ingress is opened only to these" })
      .describe("Client CIDRs (IPv4 or IPv6) allowed to reach the endpoint on the cluster port. /0 is refused."),
    securityGroupIds: z
      .array(idOf(SECURITY_GROUP_ID, "sg"))
      .optional()
      .describe("Existing security groups to attach besides the one the stack creates. @default []"),
    dns: DnsSchema.optional().describe("A stable private DNS name (CNAME) for the endpoint. @default no record"),
    tags: tagMap.optional(),
  })
  .describe("One consuming VPC in account B.");

export const ProducerSchema = z
  .strictObject({
    accountId: accountId.describe("Account that owns the cluster (account A)."),
    roleArn: roleArn.optional(),
    readOnlyRoleArn: readOnlyRoleArn.optional(),
    clusterIdentifier: z
      .string()
      .regex(CLUSTER_IDENTIFIER, {
        error: "must be a Redshift cluster identifier: 1-63 lowercase letters, digits and single hyphens, starting with a letter",
      })
      .describe("The provisioned RA3 cluster."),
    port,
    forceDeleteAuthorizations: z
      .boolean()
      .optional()
      .describe("Revoke authorizations even when endpoints still use them, deleting those endpoints. @default false"),
  })
  .describe("The cluster owner (account A).");

const workspacePrefix = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, { error: "must be 1-40 letters, digits, hyphens or underscores" });

export const BackendSchema = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("local") }).describe("Local state files next to the project (the default)."),
    z
      .strictObject({
        type: z.literal("s3"),
        bucket: z
          .string()
          .regex(/^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
            error: "must be an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)",
          })
          .describe("The state bucket."),
        region: region.describe("The state bucket's region."),
        keyPrefix: z
          .string()
          .regex(/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/, {
            error: "must be a key prefix without leading or trailing slash, such as redshift-endpoints/dev",
          })
          .describe("Each stack's state is <keyPrefix>/<stackId>.tfstate."),
        roleArn: roleArn.optional().describe("Role assumed to read and write state. @default the ambient credentials"),
        readOnlyRoleArn: roleArn
          .optional()
          .describe(
            "Role that npm run drift and npm run diff -- --read-only assume to read state: s3:ListBucket and s3:GetObject only, as they take no lock. @default roleArn",
          ),
      })
      .describe("State in S3, one key per stack, encrypted, locked with S3's lock file."),
    z
      .strictObject({
        type: z.literal("cloud"),
        organization: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, { error: "must be a Terraform Cloud organization name" })
          .describe("The Terraform Cloud organization."),
        workspacePrefix: workspacePrefix.describe("Each stack's workspace is <workspacePrefix>-<stackId>."),
        hostname: z
          .string()
          .regex(/^[a-z0-9.-]+$/, { error: "must be a host name such as tfe.example.com" })
          .optional()
          .describe("HCP Terraform or Terraform Enterprise host. @default HCP Terraform"),
        project: z.string().min(1).optional().describe("Project for the workspaces. @default the organization's default project"),
        terraformVersion: z
          .string()
          .regex(/^\d+\.\d+\.\d+$/, { error: "must be an exact version such as 1.11.4" })
          .optional()
          .describe("Terraform version pinned on each workspace. @default 1.11.4"),
        awsDynamicCredentials: z.boolean().optional().describe("Give each workspace AWS dynamic provider credentials for its stack's roleArn. @default false"),
      })
      .describe("Terraform Cloud (HCP Terraform) workspaces, one per stack."),
  ])
  .describe("Where this environment's state lives. @default local");

export const EnvironmentSchema = z
  .strictObject({
    region,
    tags: tagMap.optional(),
    backend: BackendSchema.optional(),
    producer: ProducerSchema,
    consumers: z.array(ConsumerSchema).min(1, { error: "must list at least one consumer" }),
  })
  .describe("One environment: a producer stack and one consumer stack per consumer.");

export const QuotasSchema = z
  .strictObject({
    granteesPerCluster: z.number().int().min(1).optional().describe("Accounts authorized per cluster. @default 5"),
    endpointsPerAuthorization: z.number().int().min(1).optional().describe("Redshift-managed VPC endpoints per authorization. @default 5"),
    endpointsPerCluster: z.number().int().min(1).optional().describe("Redshift-managed VPC endpoints per cluster. @default 30"),
  })
  .describe("Override only for accounts whose Redshift quotas were raised.");

export const ConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    quotas: QuotasSchema.optional(),
    environments: z
      .record(stackSafeName("environment name"), EnvironmentSchema)
      .refine((envs) => Object.keys(envs).length > 0, { error: "must define at least one environment" }),
  })
  .describe("Cross-account Amazon Redshift-managed VPC endpoints, per environment.");

export type Config = z.infer<typeof ConfigSchema>;
export type EnvironmentConfig = z.infer<typeof EnvironmentSchema>;
export type ProducerConfig = z.infer<typeof ProducerSchema>;
export type ConsumerConfig = z.infer<typeof ConsumerSchema>;
export type BackendConfig = z.infer<typeof BackendSchema>;
export type DnsConfig = z.infer<typeof DnsSchema>;

export const DEFAULT_QUOTAS = {
  granteesPerCluster: 5,
  endpointsPerAuthorization: 5,
  endpointsPerCluster: 30,
} as const;
