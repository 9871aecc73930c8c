/**
 * The shape of an adoption file, `config/adopted/<env>.json`: what already
 * exists in AWS for one environment, built by hand, and which the stacks
 * import (Terraform `import` blocks, cdktf's `importFrom`) instead of
 * creating. `npm run adopt -- <env>` writes it (lib/operations/adopt.ts);
 * it is reviewed and committed like any config change, and synth reads it.
 *
 * Everything here is kept exactly as found in AWS: the names and
 * descriptions that AWS cannot change without replacing the resource (the
 * subnet group's name, the security group's name and description) come from
 * this file, never from the config.
 */
import { z } from "zod";
import { ACCOUNT_ID, CLUSTER_IDENTIFIER, SECURITY_GROUP_ID, SUBNET_ID, VPC_ID, checkCidr } from "./rules";

const idOf = (re: RegExp, prefix: string) => z.string().regex(re, { error: `must be \`${prefix}-\` followed by 8 or 17 lowercase hex characters` });

const cidr = z.string().superRefine((value, ctx) => {
  const check = checkCidr(value);
  if (!check.ok) ctx.addIssue({ code: "custom", message: check.reason ?? "invalid CIDR" });
});

/** Security group rule ids: `sgr-` and 17 hex characters. */
export const SECURITY_GROUP_RULE_ID = /^sgr-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

export const AdoptedAuthorizationSchema = z
  .strictObject({
    accountId: z.string().regex(ACCOUNT_ID, { error: "must be a 12-digit AWS account id" }).describe("The grantee account."),
    clusterIdentifier: z.string().regex(CLUSTER_IDENTIFIER, { error: "must be a Redshift cluster identifier" }),
    extraVpcIds: z
      .array(idOf(VPC_ID, "vpc"))
      .describe(
        "VPCs the existing authorization allows that the config does not name. Kept in the authorization, so that no VPC someone else uses is revoked; remove one here, reviewed, to revoke it.",
      ),
  })
  .describe("An existing endpoint authorization, imported as `<accountId>:<clusterIdentifier>`.");

export const AdoptedSubnetGroupSchema = z
  .strictObject({
    name: z.string().min(1, { error: "must be the subnet group's name" }),
    managed: z
      .boolean()
      .describe(
        "true: the group holds exactly the endpoint's one subnet and is imported. false: it holds several subnets, cannot meet the single-subnet rule without replacing the endpoint, and is only referenced by name.",
      ),
    description: z.string().describe("The group's description, kept as found."),
    subnetIds: z.array(idOf(SUBNET_ID, "subnet")).min(1, { error: "must list the group's subnets as found" }),
  })
  .describe("The endpoint's cluster subnet group, as found.");

export const AdoptedSecurityGroupSchema = z
  .strictObject({
    id: idOf(SECURITY_GROUP_ID, "sg"),
    name: z.string().min(1, { error: "must be the security group's name" }).describe("Kept as found: a new name replaces the group."),
    description: z.string().describe("Kept as found: a new description replaces the group."),
  })
  .describe("The endpoint's security group that the stack manages from now on.");

export const AdoptedIngressRuleSchema = z
  .strictObject({
    id: z.string().regex(SECURITY_GROUP_RULE_ID, { error: "must be a security group rule id such as sgr-0123456789abcdef0" }),
    cidr: cidr.describe("One of the consumer's allowedCidrs."),
    description: z.string().optional().describe("Kept as found. @default none"),
  })
  .describe("An existing ingress rule on the cluster port, imported as the rule for its CIDR.");

export const AdoptedConsumerSchema = z
  .strictObject({
    endpointName: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The endpoint, imported by its name; must equal the consumer's endpointName. Remove it with subnetGroup, in a planned window, to move the endpoint to a managed single-subnet group (the AZ runbook). @default none: the endpoint is not adopted",
      ),
    subnetGroup: AdoptedSubnetGroupSchema.optional().describe("Given exactly when endpointName is. @default none"),
    securityGroup: AdoptedSecurityGroupSchema.optional().describe("@default none: the stack creates its security group"),
    ingressRules: z.array(AdoptedIngressRuleSchema).optional().describe("@default none: the stack creates every rule"),
  })
  .describe("What one consumer's stack imports.");

export const AdoptionSchema = z
  .strictObject({
    $comment: z.string().optional(),
    environment: z.string().min(1).describe("The environment this file belongs to; must match the file name."),
    authorizations: z.array(AdoptedAuthorizationSchema).optional().describe("@default none"),
    consumers: z.record(z.string(), AdoptedConsumerSchema).optional().describe("By consumer name. @default none"),
  })
  .describe("Resources built by hand that the environment's stacks import.");

export type Adoption = z.infer<typeof AdoptionSchema>;
export type AdoptedAuthorization = z.infer<typeof AdoptedAuthorizationSchema>;
export type AdoptedConsumer = z.infer<typeof AdoptedConsumerSchema>;
export type AdoptedIngressRule = z.infer<typeof AdoptedIngressRuleSchema>;

/** The adoption files of a config's environments, by environment name; environments without one are absent. */
export type Adoptions = Readonly<Record<string, Adoption>>;
