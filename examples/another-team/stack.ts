/**
 * Another team's own stack: one Redshift-managed VPC endpoint in the team's
 * VPC, reaching a cluster that the data platform shares from its account.
 *
 * Nothing here comes from the data platform's repository or config file:
 * the module takes plain props, and the team brings its own aliased AWS
 * provider (pinned to its account) and its own security group.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { type App, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { RedshiftManagedEndpoint } from "redshift-managed-endpoints";

export interface AnalyticsEndpointStackProps {
  /** Region of the team's VPC, the same as the cluster's. */
  readonly region: string;
  /** The team's account; the provider refuses credentials of any other. */
  readonly accountId: string;
  /**
   * Role the provider assumes in the team's account.
   * @default the ambient credentials
   */
  readonly roleArn?: string;
  /** The shared cluster. The data platform must have authorized this account and VPC on it. */
  readonly clusterIdentifier: string;
  /** Account that owns the cluster. */
  readonly clusterAccountId: string;
  /** The cluster's port; the only port the security group opens. */
  readonly clusterPort: number;
  /** The team's VPC. */
  readonly vpcId: string;
  /** The one subnet (and so the one AZ) of the endpoint's network interface. */
  readonly subnetId: string;
  /** Client CIDRs allowed to connect. */
  readonly clientCidrs: readonly string[];
  /** Name of the endpoint, unique in the team's account and region. */
  readonly endpointName: string;
}

export class AnalyticsEndpointStack extends TerraformStack {
  /** The team's AWS provider; every resource of the stack uses it. */
  public readonly provider: AwsProvider;
  /** The security group admitting the client CIDRs on the cluster port. */
  public readonly securityGroup: SecurityGroup;
  /** The endpoint. */
  public readonly endpoint: RedshiftManagedEndpoint;

  constructor(scope: Construct, id: string, props: AnalyticsEndpointStackProps) {
    super(scope, id);
    this.provider = new AwsProvider(this, "aws", {
      alias: "team",
      region: props.region,
      allowedAccountIds: [props.accountId],
      assumeRole: props.roleArn === undefined ? undefined : [{ roleArn: props.roleArn }],
    });

    this.securityGroup = new SecurityGroup(this, "redshift-clients", {
      provider: this.provider,
      name: `${props.endpointName}-clients`,
      description: `Clients of Redshift endpoint ${props.endpointName}`,
      vpcId: props.vpcId,
    });
    props.clientCidrs.forEach((cidr, i) => {
      new VpcSecurityGroupIngressRule(this, `redshift-clients-ingress-${i}`, {
        provider: this.provider,
        securityGroupId: this.securityGroup.id,
        description: `Redshift clients in ${cidr}`,
        ipProtocol: "tcp",
        fromPort: props.clusterPort,
        toPort: props.clusterPort,
        cidrIpv4: cidr,
      });
    });

    this.endpoint = new RedshiftManagedEndpoint(this, "analytics", {
      provider: this.provider,
      clusterIdentifier: props.clusterIdentifier,
      resourceOwner: props.clusterAccountId,
      endpointName: props.endpointName,
      subnetIds: [props.subnetId],
      securityGroupIds: [this.securityGroup.id],
    });

    new TerraformOutput(this, "endpoint_address", { value: this.endpoint.endpointAddress, description: "DNS address to connect to" });
    new TerraformOutput(this, "endpoint_port", { value: this.endpoint.endpointPort, description: "Port to connect to" });
  }
}

/** This example's settings: replace them with your own account, VPC and the cluster you were authorized on. */
export const EXAMPLE_PROPS: AnalyticsEndpointStackProps = {
  region: "ap-northeast-1",
  accountId: "777777777777",
  clusterIdentifier: "lake-prod",
  clusterAccountId: "555555555555",
  clusterPort: 5439,
  vpcId: "vpc-0123456789abcdef0",
  subnetId: "subnet-0123456789abcdef0",
  clientCidrs: ["10.70.0.0/16"],
  endpointName: "team-x-lake",
};

/** Adds the example's one stack to `app`. */
export function buildApp(app: App, props: AnalyticsEndpointStackProps = EXAMPLE_PROPS): AnalyticsEndpointStack {
  return new AnalyticsEndpointStack(app, "team-x-analytics", props);
}
