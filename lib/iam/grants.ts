/**
 * What each Terraform type of the stacks needs from IAM, and why: the one
 * place where a grant's reason lives. Each action of a grant says who calls
 * it (the provider, or AWS behind another call, with the document that says
 * so) and, when no rehearsal scenario calls it, why not (`notExercised`).
 * docs/iam.md's grant table is generated from here (`npm run generate`).
 */
import { Ec2 } from "iam-floyd/lib/generated/policy-statements/ec2";
import { Iam } from "iam-floyd/lib/generated/policy-statements/iam";
import { Redshift } from "iam-floyd/lib/generated/policy-statements/redshift";
import { Route53 } from "iam-floyd/lib/generated/policy-statements/route53";
import type { PolicyStatement as FloydStatement } from "iam-floyd/lib/shared";

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
  /** Literal name of the stack's Redshift subnet group. */
  readonly subnetGroupName?: string;
  /**
   * The names the subnet group takes after the AZ runbook swaps `subnetIds`
   * and a standby subnet (each literal `data.aws_subnet` id other than the
   * active one, put in place of the active id in the name).
   */
  readonly standbySubnetGroupNames: readonly string[];
  /**
   * Literal ids of the subnets the endpoint's network interface may sit in:
   * the active subnet and, for the AZ runbook, each standby one. Empty when
   * any of them is not a literal.
   */
  readonly endpointSubnetIds: readonly string[];
  /** Literal ids of existing hosted zones the stack writes records into. */
  readonly hostedZoneIds: readonly string[];
  /** Literal names of the DNS records the stack manages, lower case, no trailing dot. */
  readonly recordNames: readonly string[];
  /** Literal types of the DNS records the stack manages. */
  readonly recordTypes: readonly string[];
  /**
   * Whether an endpoint authorization of the stack is revoked with Force
   * (`force_delete`, from `producer.forceDeleteAuthorizations`).
   * @default false
   */
  readonly forceDeleteAuthorizations?: boolean;
}

/**
 * A provider operation on a Terraform resource or data source. A replacement
 * is a `delete` and a `create`; `read` includes refresh, import and the
 * waiters that poll after a create, update or delete.
 */
export type ProviderOperation = "create" | "read" | "update" | "delete";

/**
 * Why one action is granted: who needs it, and whether a rehearsal sees it.
 * - `caller: "provider"`: terraform-provider-aws (v5) calls this API itself;
 *   its debug log (`rpc.method`) lists the calls (emulator/README.md).
 * - `caller: "aws"`: the provider never calls it; AWS evaluates it against the
 *   caller's identity while serving another call (`via`), as `source` says.
 *   Where the emulator evaluates that check too, its call log shows it.
 * - `notExercised`: why no rehearsal scenario calls it, when none does (an
 *   update no scenario makes, or a check the emulator does not evaluate).
 *   Granted-vs-called fails on a grant that is neither called nor explained.
 */
export interface ActionReason {
  readonly operations: readonly ProviderOperation[];
  readonly caller: "provider" | "aws";
  /** The provider function or API call that needs it, in a few words. */
  readonly detail: string;
  /** For `caller: "aws"`, the API call during which AWS checks it. */
  readonly via?: string;
  /** For `caller: "aws"`, the document that says AWS checks it: a guide page, the service authorization reference, or AWS's own CloudFormation schema. */
  readonly source?: string;
  /** Why no rehearsal scenario exercises it. @default none: some scenario must call it */
  readonly notExercised?: string;
  /**
   * For `caller: "aws"`, what no document says about AWS's check (whether, when, on what); the grant table prints
   * it, so nothing assumed reads as AWS behaviour. @default none: the source says all of it
   */
  readonly assumed?: string;
}

/** One grant: a statement built with iam-floyd, and why each of its actions is there. */
export interface Grant {
  readonly statement: FloydStatement;
  readonly why: Readonly<Record<string, ActionReason>>;
}

export type GrantFactory = (ctx: StackContext) => Grant[];

const provider = (operations: ProviderOperation[], detail: string, notExercised?: string): ActionReason => ({
  operations,
  caller: "provider",
  detail,
  ...(notExercised === undefined ? {} : { notExercised }),
});
const byAws = (
  operations: ProviderOperation[],
  via: string,
  detail: string,
  source: string,
  { notExercised, assumed }: { notExercised?: string; assumed?: string } = {},
): ActionReason => ({
  operations,
  caller: "aws",
  via,
  detail,
  source,
  ...(notExercised === undefined ? {} : { notExercised }),
  ...(assumed === undefined ? {} : { assumed }),
});

/** What no document says about a dependent action of ec2:CreateVpcEndpoint when Redshift makes that check. */
const DEPENDENT_OF_CALLER_CHECK =
  "when AWS checks it and on which resource, and whether it does when Redshift makes the ec2:CreateVpcEndpoint check (the reference says only that you must have it 'to successfully call the action')";
/** What no document says about the caller-side checks behind CreateEndpointAccess and ModifyEndpointAccess. */
const VPC_ENDPOINT_CHECK = "how AWS makes the check (a forward access session or otherwise), and so on which resources and condition keys";
/** What no document says about a check only AWS's CloudFormation schema lists. */
const SCHEMA_ONLY_CHECK =
  "that Redshift checks it on the caller at all, when, and on what: a handler's permissions are what CloudFormation's handler role needs, and no document says Redshift checks them on the caller";

/** Why the emulator does not evaluate the checks that only AWS's CloudFormation schema lists. */
const CFN_ONLY = "only the AWS::Redshift::EndpointAccess schema lists it, among the handler's permissions; no document says when or on what Redshift checks it";
/** The CloudFormation schemas' repository (AWS's own handlers for AWS::Redshift::EndpointAccess and EndpointAuthorization). */
const CFN_REPO = "aws-cloudformation/aws-cloudformation-resource-providers-redshift";

/** Why an update-only grant goes unexercised: no scenario makes that change. */
const updateOnly = (what: string) => `update only: no scenario changes ${what}`;
/** Why a check AWS makes behind a call goes unexercised: the emulator does not evaluate it. */
const notEvaluated = (why: string) => `the emulator does not evaluate this check: ${why}`;

/** Where each document a reason cites lives. */
export const SOURCES = {
  redshiftGuideEndpoints:
    "Amazon Redshift Management Guide, Redshift-managed VPC endpoints, Considerations (https://docs.aws.amazon.com/redshift/latest/mgmt/managing-cluster-cross-vpc.html): a note on creating or modifying a Redshift-managed VPC endpoint, not read verbatim here (the stored copies end at its first words, 'To create or modify a Redshi…'); that it asks for ec2:CreateVpcEndpoint and ec2:ModifyVpcEndpoint in the caller's IAM policy is as issue 19 reported it",
  redshiftGuideServiceLinkedRole:
    "Amazon Redshift Management Guide, Using service-linked roles: Redshift creates AWSServiceRoleForRedshift the first time an account creates a cluster or a Redshift-managed VPC endpoint (https://docs.aws.amazon.com/redshift/latest/mgmt/using-service-linked-roles.html)",
  cfnEndpointAccessSchema: `AWS::Redshift::EndpointAccess resource schema, handler permissions (${CFN_REPO}, aws-redshift-endpointaccess/aws-redshift-endpointaccess.json @55b2520 and @517d7ca: ec2:DescribeVpcAttribute, DescribeSecurityGroups, DescribeAddresses, DescribeInternetGateways and DescribeSubnets for create, update and delete; for create ec2:CreateClientVpnEndpoint, not ec2:CreateVpcEndpoint)`,
  cfnEndpointAuthorizationSchema: `AWS::Redshift::EndpointAuthorization resource schema, delete handler permissions (${CFN_REPO}, aws-redshift-endpointauthorization/aws-redshift-endpointauthorization.json @c8def72: redshift:RevokeEndpointAccess, redshift:DeleteEndpointAccess, …); the handler revokes with the template's Force (endpoint-authorization/src/main/java/software/amazon/redshift/endpointauthorization/Translator.java @2b310c5, translateToRevokeRequest)`,
  cfnEndpointAccessRegistry:
    "the CloudFormation registry's AWS::Redshift::EndpointAccess schema, as stackql/stackql-registry-docs mirrors it (docs/aws-docs/providers/aws/redshift/endpoint_accesses/index.md @0386423, endpoint_access/index.md @7297e19): ec2:CreateVpcEndpoint among the create permissions, ec2:ModifyVpcEndpoint among the update ones",
  reference: (action: string) =>
    `service authorization reference: dependent action of ${action} (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)`,
  ec2TagOnCreate:
    "Amazon EC2 User Guide, Grant permission to tag resources during creation: TagSpecifications are authorized as ec2:CreateTags with ec2:CreateAction (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html)",
} as const;

/**
 * ``route53:VPCs`` as IAM compares it: `VPCId=<vpc-id>,VPCRegion=<region>`,
 * lower case. Route 53 Developer Guide, Normalizing the Route 53 condition key
 * values (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-conditions-route53.html).
 * A bare VPC id never matches.
 */
export const route53VpcValue = (vpcId: string, region: string): string => `VPCId=${vpcId.toLowerCase()},VPCRegion=${region.toLowerCase()}`;

/** Limits a statement whose resource is `*` to the stack's region. */
const inRegion = <T extends FloydStatement & { ifAwsRequestedRegion(v: string, op?: string): T }>(s: T, ctx: StackContext): T =>
  s.ifAwsRequestedRegion(ctx.region, "StringEquals");

const vpcArn = (ctx: StackContext) => `arn:${ctx.partition}:ec2:${ctx.region}:${ctx.accountId}:vpc/${ctx.vpcId ?? "*"}`;
/** `ec2:Vpc` when the stack's VPC is known; no condition otherwise. */
const inVpc = (s: Ec2, ctx: StackContext): Ec2 => (ctx.vpcId ? s.ifVpc(vpcArn(ctx), "ArnEquals") : s);

/** The Redshift service-linked role, as AWS names it. */
export const REDSHIFT_SERVICE_LINKED_ROLE = "aws-service-role/redshift.amazonaws.com/AWSServiceRoleForRedshift";

/**
 * `ec2:DescribeVpcs`, a dependent action that AWS checks behind another call.
 * No region condition: which region AWS evaluates for a check made through
 * Route 53's global endpoint, or by Redshift, is documented nowhere. It is a
 * List action with no resource type.
 */
const describeVpcsForDependentChecks = (reason: ActionReason): Grant => ({
  statement: new Ec2("DescribeVpcsForDependentChecks").allow().toDescribeVpcs(),
  why: { "ec2:DescribeVpcs": reason },
});

/**
 * What AWS checks on the caller behind CreateEndpointAccess and
 * ModifyEndpointAccess: ec2:CreateVpcEndpoint and ec2:ModifyVpcEndpoint (the
 * Redshift Management Guide's note, as reported, and the CloudFormation
 * registry schema), with the resource types the reference lists for
 * them, and the dependent actions the reference names for ec2:CreateVpcEndpoint.
 *
 * - CreateVpcEndpoint: the VPC, the subnet the endpoint may sit in, the
 *   security groups (their ids are not known when the policy is written) and
 *   the new VPC endpoint. The reference gives ec2:Vpc to none of this action's
 *   resource types, so none is used; the ARNs carry the scope.
 * - ModifyVpcEndpoint: the VPC endpoint, and its security groups in the VPC
 *   (ec2:Vpc is listed for security-group on this action).
 * - No ec2:DeleteVpcEndpoints: no document asks the caller for it on
 *   DeleteEndpointAccess. The guide's note (as reported) names create and
 *   modify. The AWS::Redshift::EndpointAccess delete permissions differ by
 *   copy, and none names it: the repository's older schema
 *   (endpoint-access/aws-redshift-endpointaccess.json @1580564) lists only
 *   redshift:DeleteEndpointAccess; the newer one
 *   (aws-redshift-endpointaccess/aws-redshift-endpointaccess.json @55b2520)
 *   adds ec2:DeleteClientVpnEndpoint and five ec2:Describe* actions; the
 *   registry copy (stackql mirror @0386423) lists ec2:DeleteVpcEndpoint and
 *   ec2:DescribeVpcEndpoint, which are no IAM actions (the reference has
 *   ec2:DeleteVpcEndpoints and ec2:DescribeVpcEndpoints). Redshift deletes the
 *   VPC endpoint as AWSServiceRoleForRedshift, whose policy holds
 *   ec2:DeleteVpcEndpoints.
 */
function vpcEndpointCallerChecks(ctx: StackContext): Grant[] {
  const ec2Arn = (type: string, id: string) => `arn:${ctx.partition}:ec2:${ctx.region}:${ctx.accountId}:${type}/${id}`;
  const subnets = ctx.endpointSubnetIds.length ? ctx.endpointSubnetIds : ["*"];
  const checkedBehind = (action: string, detail: string, notExercised?: string) =>
    byAws(["create"], `${action}, itself checked behind redshift:CreateEndpointAccess`, detail, SOURCES.reference(action), {
      notExercised,
      assumed: DEPENDENT_OF_CALLER_CHECK,
    });
  return [
    {
      statement: new Ec2("CreateRedshiftManagedVpcEndpoint")
        .allow()
        .toCreateVpcEndpoint()
        .on(ec2Arn("vpc", ctx.vpcId ?? "*"), ...subnets.map((id) => ec2Arn("subnet", id)), ec2Arn("security-group", "*"), ec2Arn("vpc-endpoint", "*")),
      why: {
        "ec2:CreateVpcEndpoint": byAws(
          ["create"],
          "redshift:CreateEndpointAccess",
          "creating a Redshift-managed VPC endpoint needs it in the caller's policy",
          `${SOURCES.redshiftGuideEndpoints}; ${SOURCES.cfnEndpointAccessRegistry}`,
          { assumed: VPC_ENDPOINT_CHECK },
        ),
      },
    },
    {
      statement: new Ec2("ModifyRedshiftManagedVpcEndpoint").allow().toModifyVpcEndpoint().onVpcEndpoint("*", ctx.accountId, ctx.region, ctx.partition),
      why: {
        "ec2:ModifyVpcEndpoint": byAws(
          ["update"],
          "redshift:ModifyEndpointAccess",
          "modifying a Redshift-managed VPC endpoint needs it in the caller's policy",
          `${SOURCES.redshiftGuideEndpoints}; ${SOURCES.cfnEndpointAccessRegistry}`,
          { notExercised: updateOnly("the endpoint's security groups"), assumed: VPC_ENDPOINT_CHECK },
        ),
      },
    },
    {
      statement: inVpc(
        new Ec2("ModifyRedshiftManagedVpcEndpointGroups").allow().toModifyVpcEndpoint().onSecurityGroup("*", ctx.accountId, ctx.region, ctx.partition),
        ctx,
      ),
      why: {
        "ec2:ModifyVpcEndpoint": byAws(
          ["update"],
          "redshift:ModifyEndpointAccess",
          "the endpoint's new security groups, in the consumer VPC",
          `${SOURCES.redshiftGuideEndpoints}; ${SOURCES.cfnEndpointAccessRegistry}`,
          { notExercised: updateOnly("the endpoint's security groups"), assumed: VPC_ENDPOINT_CHECK },
        ),
      },
    },
    {
      statement: new Ec2("TagRedshiftManagedVpcEndpointOnCreate")
        .allow()
        .toCreateTags()
        .onVpcEndpoint("*", ctx.accountId, ctx.region, ctx.partition)
        .ifCreateAction("CreateVpcEndpoint", "StringEquals"),
      why: {
        "ec2:CreateTags": checkedBehind(
          "ec2:CreateVpcEndpoint",
          "tags on the new VPC endpoint, only as part of creating it",
          notEvaluated("no document says whether Redshift tags the VPC endpoint it creates"),
        ),
      },
    },
    describeVpcsForDependentChecks(checkedBehind("ec2:CreateVpcEndpoint", "the endpoint's VPC")),
    {
      statement: (ctx.vpcId
        ? new Route53("AssociateEndpointZoneWithVpc")
            .allow()
            .toAssociateVPCWithHostedZone()
            .ifVPCs(route53VpcValue(ctx.vpcId, ctx.region), "ForAnyValue:StringEquals")
        : new Route53("AssociateEndpointZoneWithVpc").allow().toAssociateVPCWithHostedZone()
      ).onHostedzone("*", ctx.partition),
      why: {
        "route53:AssociateVPCWithHostedZone": checkedBehind(
          "ec2:CreateVpcEndpoint",
          "an interface endpoint's private DNS zone, associated with the consumer VPC only",
        ),
      },
    },
  ];
}

/** Deploy grants per Terraform type, as `resource.<type>` or `data.<type>`. */
export const GRANTS: Readonly<Record<string, GrantFactory>> = {
  "data.aws_redshift_cluster": (ctx): Grant[] => [
    {
      statement: new Redshift("ReadCluster")
        .allow()
        .toDescribeClusters()
        .toDescribeLoggingStatus()
        .onCluster(ctx.clusterIdentifier ?? "*", ctx.accountId, ctx.region, ctx.partition),
      why: {
        "redshift:DescribeClusters": provider(["read"], "data source read: DescribeClusters for the cluster identifier"),
        "redshift:DescribeLoggingStatus": provider(
          ["read"],
          "data source read: DescribeLoggingStatus after DescribeClusters; the read fails when it is denied",
        ),
      },
    },
  ],
  "resource.aws_redshift_endpoint_authorization": (ctx): Grant[] => [
    {
      // No resource type in the reference: these actions authorize on `*` only.
      statement: inRegion(
        new Redshift("ManageEndpointAuthorizations").allow().toAuthorizeEndpointAccess().toRevokeEndpointAccess().toDescribeEndpointAuthorization(),
        ctx,
      ),
      why: {
        "redshift:AuthorizeEndpointAccess": provider(["create", "update"], "create; update when vpc_ids gains VPCs"),
        "redshift:RevokeEndpointAccess": provider(["update", "delete"], "delete (force_delete as configured); update when vpc_ids loses VPCs"),
        "redshift:DescribeEndpointAuthorization": provider(
          ["read"],
          "read: DescribeEndpointAuthorization by account and cluster; npm run deploy and destroy read its EndpointCount before a revoke (lib/operations/revoke-guard.ts)",
        ),
      },
    },
    // A revoke with Force deletes the grantee's endpoints. AWS's own AWS::Redshift::EndpointAuthorization schema lists
    // redshift:DeleteEndpointAccess among its delete permissions, and its handler revokes with the template's Force.
    ...(ctx.forceDeleteAuthorizations
      ? [
          {
            // No resource type in the reference.
            statement: inRegion(new Redshift("ForcedRevokeDeletesEndpoints").allow().toDeleteEndpointAccess(), ctx),
            why: {
              "redshift:DeleteEndpointAccess": byAws(
                ["delete"],
                "redshift:RevokeEndpointAccess",
                "delete with force_delete: the revoke deletes the grantee's Redshift-managed VPC endpoints",
                SOURCES.cfnEndpointAuthorizationSchema,
                {
                  notExercised: notEvaluated("only the AWS::Redshift::EndpointAuthorization schema lists it, among its delete permissions"),
                  assumed: "whether AWS checks it on the caller of a forced revoke at all: no document says so",
                },
              ),
            },
          },
        ]
      : []),
  ],
  "resource.aws_security_group": (ctx): Grant[] => [
    {
      statement: new Ec2("CreateSecurityGroupInVpc")
        .allow()
        .toCreateSecurityGroup()
        .onVpc(ctx.vpcId ?? "*", ctx.accountId, ctx.region, ctx.partition)
        .onSecurityGroup("*", ctx.accountId, ctx.region, ctx.partition),
      why: { "ec2:CreateSecurityGroup": provider(["create"], "create: CreateSecurityGroup in vpc_id") },
    },
    {
      statement: new Ec2("TagSecurityGroupsOnCreate")
        .allow()
        .toCreateTags()
        .onSecurityGroup("*", ctx.accountId, ctx.region, ctx.partition)
        .ifCreateAction("CreateSecurityGroup", "StringEquals"),
      why: {
        "ec2:CreateTags": byAws(
          ["create"],
          "ec2:CreateSecurityGroup",
          "create: the provider's default tags go in CreateSecurityGroup's TagSpecifications",
          SOURCES.ec2TagOnCreate,
        ),
      },
    },
    {
      statement: inVpc(
        new Ec2("ManageSecurityGroupsInVpc")
          .allow()
          .toCreateTags()
          .toDeleteSecurityGroup()
          .toRevokeSecurityGroupEgress()
          .toRevokeSecurityGroupIngress()
          .onSecurityGroup("*", ctx.accountId, ctx.region, ctx.partition),
        ctx,
      ),
      why: {
        // Exercised by test/scenarios/drift.test.ts: a deploy puts back a tag value changed by hand.
        "ec2:CreateTags": provider(["update"], "update: tags_all changes"),
        "ec2:DeleteSecurityGroup": provider(["delete"], "delete"),
        "ec2:RevokeSecurityGroupEgress": provider(["create"], "create: revokes the default allow-all egress rule"),
        "ec2:RevokeSecurityGroupIngress": provider(["delete"], "delete: revoke_rules_on_delete = true revokes every rule first"),
      },
    },
    {
      // The reference lists no ec2:Vpc for DeleteTags on a security group (only tag keys), and a key missing from the
      // request makes a condition false: with ec2:Vpc, this grant could never allow a tag removal.
      statement: new Ec2("UntagSecurityGroups").allow().toDeleteTags().onSecurityGroup("*", ctx.accountId, ctx.region, ctx.partition),
      why: { "ec2:DeleteTags": provider(["update"], "update: tags_all changes", updateOnly("the default tags")) },
    },
    {
      statement: inRegion(new Ec2("ReadSecurityGroups").allow().toDescribeSecurityGroups().toDescribeNetworkInterfaces(), ctx),
      why: {
        "ec2:DescribeSecurityGroups": provider(["create", "read", "delete"], "read; waiters after create and delete; revoke_rules_on_delete reads the rules"),
        "ec2:DescribeNetworkInterfaces": provider(["delete"], "delete: looks for lingering network interfaces in the group"),
      },
    },
  ],
  "resource.aws_vpc_security_group_ingress_rule": (ctx): Grant[] => [
    {
      statement: inVpc(
        new Ec2("ManageIngressRulesInVpc")
          .allow()
          .toAuthorizeSecurityGroupIngress()
          .toModifySecurityGroupRules()
          .toRevokeSecurityGroupIngress()
          .onSecurityGroup("*", ctx.accountId, ctx.region, ctx.partition),
        ctx,
      ),
      why: {
        "ec2:AuthorizeSecurityGroupIngress": provider(["create"], "create: AuthorizeSecurityGroupIngress on the group"),
        // Exercised by test/scenarios/drift.test.ts: a deploy puts back a rule's CIDR changed by hand.
        "ec2:ModifySecurityGroupRules": provider(["update"], "update: ModifySecurityGroupRules (description, ports, CIDR)"),
        "ec2:RevokeSecurityGroupIngress": provider(["delete"], "delete: RevokeSecurityGroupIngress by rule id"),
      },
    },
    {
      // The rule itself is a second resource of these actions, with no ec2:Vpc key. RevokeSecurityGroupIngress is
      // not here: the reference lists only security-group for it, so AWS checks no rule ARN on that call.
      statement: new Ec2("ManageIngressRuleObjects")
        .allow()
        .toAuthorizeSecurityGroupIngress()
        .toCreateTags()
        .toDeleteTags()
        .toModifySecurityGroupRules()
        .onSecurityGroupRule("*", ctx.accountId, ctx.region, ctx.partition),
      why: {
        "ec2:AuthorizeSecurityGroupIngress": provider(["create"], "create: the new rule, tagged through TagSpecifications"),
        "ec2:CreateTags": provider(["create", "update"], "create: default tags in TagSpecifications (tag-on-create); update: tags_all changes"),
        "ec2:DeleteTags": provider(["update"], "update: tags_all changes", updateOnly("the default tags")),
        "ec2:ModifySecurityGroupRules": provider(["update"], "update: the security-group-rule resource is required by ModifySecurityGroupRules"),
      },
    },
    {
      statement: inRegion(new Ec2("ReadIngressRules").allow().toDescribeSecurityGroupRules(), ctx),
      why: { "ec2:DescribeSecurityGroupRules": provider(["read"], "read: DescribeSecurityGroupRules by rule id") },
    },
  ],
  "resource.aws_redshift_subnet_group": (ctx): Grant[] => [
    {
      statement: new Redshift("ManageSubnetGroup")
        .allow()
        .toCreateClusterSubnetGroup()
        .toCreateTags()
        .toDeleteClusterSubnetGroup()
        .toDeleteTags()
        .toModifyClusterSubnetGroup()
        .onSubnetgroup(ctx.subnetGroupName ?? "*", ctx.accountId, ctx.region, ctx.partition)
        // The AZ runbook's deploy replaces the group under a standby subnet's name, with this same policy.
        .on(...ctx.standbySubnetGroupNames.map((n) => `arn:${ctx.partition}:redshift:${ctx.region}:${ctx.accountId}:subnetgroup:${n}`)),
      why: {
        "redshift:CreateClusterSubnetGroup": provider(["create"], "create"),
        "redshift:CreateTags": provider(
          ["create", "update"],
          "create: default tags; update: tags_all changes",
          "the group's tags go in CreateClusterSubnetGroup's Tags (tag-on-create, not modelled yet); CreateTags itself only when tags change, which no scenario does",
        ),
        "redshift:DeleteClusterSubnetGroup": provider(["delete"], "delete"),
        "redshift:DeleteTags": provider(["update"], "update: tags_all changes", updateOnly("the default tags")),
        "redshift:ModifyClusterSubnetGroup": provider(
          ["update"],
          "update: subnet_ids or description changes",
          updateOnly("the group in place (the AZ runbook changes its name, which replaces it)"),
        ),
      },
    },
    {
      statement: inRegion(new Redshift("ReadSubnetGroups").allow().toDescribeClusterSubnetGroups(), ctx),
      why: { "redshift:DescribeClusterSubnetGroups": provider(["read"], "read, tags included") },
    },
  ],
  "resource.aws_redshift_endpoint_access": (ctx): Grant[] => [
    {
      // No resource type in the reference.
      statement: inRegion(
        new Redshift("ManageRedshiftManagedEndpoints")
          .allow()
          .toCreateEndpointAccess()
          .toDeleteEndpointAccess()
          .toDescribeEndpointAccess()
          .toModifyEndpointAccess(),
        ctx,
      ),
      why: {
        "redshift:CreateEndpointAccess": provider(["create"], "create"),
        "redshift:DeleteEndpointAccess": provider(["delete"], "delete"),
        "redshift:DescribeEndpointAccess": provider(
          ["create", "read", "update", "delete"],
          "read; waits for active after create and update, for gone after delete; npm run deploy reads it before applying (lib/operations/taint-guard.ts, revoke-guard.ts)",
        ),
        "redshift:ModifyEndpointAccess": provider(["update"], "update: vpc_security_group_ids changes", updateOnly("the endpoint's security groups")),
      },
    },
    {
      statement: new Iam("CreateRedshiftServiceLinkedRole")
        .allow()
        .toCreateServiceLinkedRole()
        .onRole(REDSHIFT_SERVICE_LINKED_ROLE, ctx.accountId, ctx.partition)
        .ifAWSServiceName("redshift.amazonaws.com", "StringEquals"),
      why: {
        "iam:CreateServiceLinkedRole": byAws(
          ["create"],
          "redshift:CreateEndpointAccess",
          "an account's first Redshift-managed VPC endpoint creates AWSServiceRoleForRedshift, as the caller",
          SOURCES.redshiftGuideServiceLinkedRole,
        ),
      },
    },
    ...vpcEndpointCallerChecks(ctx),
    {
      statement: inRegion(
        new Ec2("ValidateEndpointNetwork").allow().toDescribeAddresses().toDescribeInternetGateways().toDescribeSecurityGroups().toDescribeSubnets(),
        ctx,
      ),
      why: Object.fromEntries(
        ["ec2:DescribeAddresses", "ec2:DescribeInternetGateways", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets"].map((a) => [
          a,
          byAws(
            ["create", "update", "delete"],
            "redshift:CreateEndpointAccess, ModifyEndpointAccess, DeleteEndpointAccess",
            a === "ec2:DescribeSecurityGroups" || a === "ec2:DescribeSubnets"
              ? "Redshift checks the subnet group's subnet and the security groups as the caller; also a dependent action of ec2:CreateVpcEndpoint"
              : "Redshift checks the subnet group's network as the caller",
            a === "ec2:DescribeSecurityGroups" || a === "ec2:DescribeSubnets"
              ? `${SOURCES.cfnEndpointAccessSchema}; ${SOURCES.reference("ec2:CreateVpcEndpoint")}`
              : SOURCES.cfnEndpointAccessSchema,
            a === "ec2:DescribeSecurityGroups" || a === "ec2:DescribeSubnets"
              ? { assumed: `${SCHEMA_ONLY_CHECK}; as a dependent action of ec2:CreateVpcEndpoint, ${DEPENDENT_OF_CALLER_CHECK}` }
              : { notExercised: notEvaluated(CFN_ONLY), assumed: SCHEMA_ONLY_CHECK },
          ),
        ]),
      ),
    },
    {
      statement: new Ec2("ValidateEndpointVpc")
        .allow()
        .toDescribeVpcAttribute()
        .onVpc(ctx.vpcId ?? "*", ctx.accountId, ctx.region, ctx.partition),
      why: {
        "ec2:DescribeVpcAttribute": byAws(
          ["create", "update", "delete"],
          "redshift:CreateEndpointAccess, ModifyEndpointAccess, DeleteEndpointAccess",
          "Redshift checks the VPC's DNS attributes as the caller",
          SOURCES.cfnEndpointAccessSchema,
          { notExercised: notEvaluated(CFN_ONLY), assumed: SCHEMA_ONLY_CHECK },
        ),
      },
    },
  ],
  "data.aws_subnet": (ctx): Grant[] => [
    {
      statement: inRegion(new Ec2("ReadSubnets").allow().toDescribeSubnets(), ctx),
      why: { "ec2:DescribeSubnets": provider(["read"], "data source read: DescribeSubnets by id (active and standby subnets)") },
    },
  ],
  "resource.aws_route53_zone": (ctx): Grant[] => {
    const hostedZones = (s: Route53) => s.onHostedzone("*", ctx.partition);
    const ourVpc = (s: Route53) => (ctx.vpcId ? s.ifVPCs(route53VpcValue(ctx.vpcId, ctx.region), "ForAnyValue:StringEquals") : s);
    return [
      {
        // No resource type: limited to a private zone in the stack's VPC.
        statement: ourVpc(new Route53("CreatePrivateHostedZoneInVpc").allow().toCreateHostedZone()),
        why: { "route53:CreateHostedZone": provider(["create"], "create: a private zone with the stack's VPC") },
      },
      {
        statement: ourVpc(hostedZones(new Route53("AssociateZoneWithVpc").allow().toAssociateVPCWithHostedZone().toDisassociateVPCFromHostedZone())),
        why: {
          "route53:AssociateVPCWithHostedZone": provider(["update"], "update: a changed vpc block associates the new VPC first", updateOnly("the zone's VPC")),
          "route53:DisassociateVPCFromHostedZone": provider(["update"], "update: then disassociates the old one", updateOnly("the zone's VPC")),
        },
      },
      describeVpcsForDependentChecks(
        byAws(
          ["create", "update"],
          "route53:CreateHostedZone, AssociateVPCWithHostedZone, DisassociateVPCFromHostedZone",
          "Route 53 checks the VPC as the caller",
          SOURCES.reference("route53:CreateHostedZone, route53:AssociateVPCWithHostedZone and route53:DisassociateVPCFromHostedZone"),
        ),
      ),
      {
        statement: hostedZones(
          new Route53("ManagePrivateHostedZones")
            .allow()
            .toChangeTagsForResource()
            .toDeleteHostedZone()
            .toGetHostedZone()
            .toListResourceRecordSets()
            .toListTagsForResource()
            .toUpdateHostedZoneComment(),
        ),
        why: {
          "route53:ChangeTagsForResource": provider(["create", "update"], "create: default tags; update: tags_all changes"),
          "route53:DeleteHostedZone": provider(["delete"], "delete (force_destroy is off)"),
          "route53:GetHostedZone": provider(["read"], "read"),
          "route53:ListResourceRecordSets": provider(["read"], "read: a private zone's name servers come from its NS record"),
          "route53:ListTagsForResource": provider(["read"], "read: tags"),
          "route53:UpdateHostedZoneComment": provider(["update"], "update: comment changes", updateOnly("the zone's comment")),
        },
      },
      {
        statement: new Route53("ReadZoneChanges").allow().toGetChange().onChange("*", ctx.partition),
        why: { "route53:GetChange": provider(["create", "update"], "waits for INSYNC after create and VPC association changes") },
      },
    ];
  },
  "resource.aws_route53_record": (ctx): Grant[] => {
    const zones = (s: Route53) =>
      ctx.hostedZoneIds.length ? ctx.hostedZoneIds.reduce((t, z) => t.onHostedzone(z, ctx.partition), s) : s.onHostedzone("*", ctx.partition);
    let change = zones(new Route53("ChangeEndpointRecord").allow().toChangeResourceRecordSets());
    // Only the stack's own record names and types may change, when they are literals. A name in an existing zone
    // is matched as `<label>.*` (see recordName in stackContext), which needs StringLike.
    if (ctx.recordNames.length)
      change = change.ifChangeResourceRecordSetsNormalizedRecordNames(
        [...ctx.recordNames],
        ctx.recordNames.some((n) => n.includes("*")) ? "ForAllValues:StringLike" : "ForAllValues:StringEquals",
      );
    if (ctx.recordTypes.length) change = change.ifChangeResourceRecordSetsRecordTypes([...ctx.recordTypes], "ForAllValues:StringEquals");
    return [
      {
        statement: change,
        why: { "route53:ChangeResourceRecordSets": provider(["create", "update", "delete"], "create, update, delete: one change batch each") },
      },
      {
        statement: zones(new Route53("ReadEndpointRecordZone").allow().toGetHostedZone().toListResourceRecordSets()),
        why: {
          "route53:GetHostedZone": provider(["create", "read"], "the zone's name, to build the record's FQDN"),
          "route53:ListResourceRecordSets": provider(["read"], "read: finds the record by name and type"),
        },
      },
      {
        statement: new Route53("ReadRecordChanges").allow().toGetChange().onChange("*", ctx.partition),
        why: { "route53:GetChange": provider(["create", "update", "delete"], "waits for INSYNC after each change") },
      },
    ];
  },
};

/**
 * Types that need no permission: Terraform's own, or read through the state
 * backend's credentials rather than the deploy role's.
 */
export const FREE_TYPES: ReadonlyMap<string, string> = new Map([
  ["data.terraform_remote_state", "reads the producer's state through the backend's credentials, not the AWS provider's"],
]);

/**
 * Calls any identity may make whatever its policy says, so neither policy
 * grants them. The provider calls sts:GetCallerIdentity when it configures
 * (allowed_account_ids), and `npm run verify` calls it first.
 */
export const UNGATED_ACTIONS: ReadonlyMap<string, string> = new Map([
  ["sts:GetCallerIdentity", "no permission is required; an explicit deny does not stop it"],
]);

/**
 * What `npm run verify` calls (lib/operations/verify.ts), per account role. Read-only;
 * sts:GetCallerIdentity is in UNGATED_ACTIONS.
 */
export const VERIFY_GRANTS: Readonly<Record<"producer" | "consumer", GrantFactory>> = {
  producer: (ctx): Grant[] => [
    {
      statement: inRegion(new Redshift("VerifyEndpointAuthorizations").allow().toDescribeEndpointAuthorization(), ctx),
      why: { "redshift:DescribeEndpointAuthorization": provider(["read"], "verify: checkAuthorization, one call per grantee account") },
    },
  ],
  consumer: (ctx): Grant[] => [
    {
      statement: inRegion(new Redshift("VerifyRedshiftManagedEndpoint").allow().toDescribeEndpointAccess(), ctx),
      why: { "redshift:DescribeEndpointAccess": provider(["read"], "verify: describeEndpoint, by name, owner and cluster") },
    },
    {
      statement: inRegion(new Ec2("VerifySubnet").allow().toDescribeSubnets(), ctx),
      why: { "ec2:DescribeSubnets": provider(["read"], "verify: describeSubnet, the configured subnet's AZ") },
    },
  ],
};

/**
 * What `npm run drift` calls itself through the AWS SDK (lib/operations/drift.ts),
 * besides the provider's reads, per account role: what Terraform cannot see
 * because the state does not hold it. Read-only; the drift document
 * (lib/iam/policies.ts, explainDrift) is the provider's read grants plus these.
 */
export const DRIFT_GRANTS: Readonly<Record<"producer" | "consumer", GrantFactory>> = {
  producer: (ctx): Grant[] => [
    {
      statement: inRegion(new Redshift("DriftEndpointAuthorizations").allow().toDescribeEndpointAuthorization(), ctx),
      why: { "redshift:DescribeEndpointAuthorization": provider(["read"], "drift: the cluster's grants to accounts the config does not name") },
    },
  ],
  consumer: (ctx): Grant[] => [
    {
      statement: inRegion(new Ec2("DriftIngressRules").allow().toDescribeSecurityGroupRules(), ctx),
      why: { "ec2:DescribeSecurityGroupRules": provider(["read"], "drift: the stack's security group's ingress rules that no rule in state holds") },
    },
    {
      statement: inRegion(new Redshift("DriftRedshiftManagedEndpoints").allow().toDescribeEndpointAccess(), ctx),
      why: { "redshift:DescribeEndpointAccess": provider(["read"], "drift: the account's endpoints to the cluster that no consumer state holds") },
    },
  ],
};
