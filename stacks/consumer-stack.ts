/**
 * Account B, a consuming VPC: a security group that opens only the cluster
 * port to the configured CIDRs, and the single-subnet endpoint.
 */
import { DataAwsRedshiftCluster } from "@cdktf/provider-aws/lib/data-aws-redshift-cluster";
import { RedshiftEndpointAuthorization } from "@cdktf/provider-aws/lib/redshift-endpoint-authorization";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { TerraformOutput, Token } from "cdktf";
import { Construct } from "constructs";
import { RedshiftManagedEndpoint } from "../modules/redshift-endpoint";
import { AccountStack, AccountStackProps } from "./account-stack";

export interface ConsumerStackProps extends AccountStackProps {
  /**
   * The producer's authorization for this account. The endpoint reads its
   * cluster identifier and grantor from it, which orders producer before consumer.
   * @default none: the cluster is in this stack's own account and needs no authorization
   */
  readonly authorization?: RedshiftEndpointAuthorization;
  /** The producer's cluster; used for the identifier when there is no authorization. */
  readonly cluster: DataAwsRedshiftCluster;
  /** The cluster's port; the only port the security group opens. */
  readonly port: number;
  /** The consumer VPC. */
  readonly vpcId: string;
  /** Exactly one subnet of that VPC. */
  readonly subnetIds: string[];
  /** Name of the endpoint. */
  readonly endpointName: string;
  /** Client CIDRs (IPv4 or IPv6) allowed to reach the endpoint. */
  readonly allowedCidrs: readonly string[];
  /**
   * Existing security groups to attach as well.
   * @default none
   */
  readonly securityGroupIds?: readonly string[];
}

export class ConsumerStack extends AccountStack {
  /** The security group that admits the client CIDRs on the cluster port. */
  public readonly securityGroup: SecurityGroup;
  /** The endpoint. */
  public readonly endpoint: RedshiftManagedEndpoint;

  constructor(scope: Construct, id: string, props: ConsumerStackProps) {
    super(scope, id, "consumer", props);

    this.securityGroup = new SecurityGroup(this, "security-group", {
      provider: this.provider,
      name: `redshift-endpoint-${props.endpointName}`,
      description: `Clients of Redshift-managed VPC endpoint ${props.endpointName}, port ${props.port} only`,
      vpcId: props.vpcId,
      revokeRulesOnDelete: true,
    });
    for (const cidr of props.allowedCidrs) {
      const v6 = cidr.includes(":");
      new VpcSecurityGroupIngressRule(this, `ingress-${cidr.replace(/[^0-9a-fA-F]+/g, "-")}`, {
        provider: this.provider,
        securityGroupId: this.securityGroup.id,
        description: `Redshift clients in ${cidr}`,
        ipProtocol: "tcp",
        fromPort: props.port,
        toPort: props.port,
        cidrIpv4: v6 ? undefined : cidr,
        cidrIpv6: v6 ? cidr : undefined,
      });
    }

    this.endpoint = new RedshiftManagedEndpoint(this, "endpoint", {
      provider: this.provider,
      clusterIdentifier: props.authorization?.clusterIdentifier ?? props.cluster.clusterIdentifier,
      resourceOwner: props.authorization?.grantor ?? props.accountId,
      endpointName: props.endpointName,
      subnetIds: props.subnetIds,
      securityGroupIds: [this.securityGroup.id, ...(props.securityGroupIds ?? [])],
    });

    const out = (name: string, value: string | number, description: string) =>
      new TerraformOutput(this, name, { value, description });
    out("endpoint_address", this.endpoint.endpointAddress, "DNS address of the Redshift-managed VPC endpoint");
    out("endpoint_port", this.endpoint.endpointPort, "Port of the endpoint");
    out("endpoint_private_ip", this.endpoint.endpointPrivateIpAddress, "Private IP of the endpoint's single network interface");
    out("endpoint_availability_zone", this.endpoint.endpointAvailabilityZone, "The one AZ the endpoint lives in (no failover)");
    out("endpoint_subnet_id", this.endpoint.endpointSubnetId, "Subnet of the endpoint's network interface");
    out("vpc_endpoint_id", this.endpoint.vpcEndpointId, "Id of the VPC endpoint Redshift manages for this endpoint");
    out("security_group_id", this.securityGroup.id, "Security group admitting the client CIDRs");
    out(
      "psql_command",
      `psql -h ${this.endpoint.endpointAddress} -p ${Token.asString(this.endpoint.endpointPort)} -U <user> -d <database>`,
      "Ready-to-paste psql command; replace <user> and <database>",
    );
  }
}
