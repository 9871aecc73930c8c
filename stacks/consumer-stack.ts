/**
 * Account B, a consuming VPC: a security group that opens only the cluster
 * port to the configured CIDRs, and the single-subnet endpoint.
 */
import type { DataAwsRedshiftCluster } from "@cdktf/provider-aws/lib/data-aws-redshift-cluster";
import { DataAwsSubnet } from "@cdktf/provider-aws/lib/data-aws-subnet";
import type { RedshiftEndpointAuthorization } from "@cdktf/provider-aws/lib/redshift-endpoint-authorization";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Fn, Op, TerraformOutput, TerraformSelf, TerraformStack, Token } from "cdktf";
import type { Construct } from "constructs";
import { suppressCheckov } from "../modules/checkov";
import { RedshiftManagedEndpoint } from "../modules/redshift-endpoint";
import { AccountStack, type AccountStackProps } from "./account-stack";

/** An ingress rule built by hand, imported as the rule for its CIDR. */
export interface AdoptedIngressRule {
  /** The client CIDR the rule admits; one of `allowedCidrs`. */
  readonly cidr: string;
  /** The rule's id, `sgr-…`. */
  readonly ruleId: string;
  /**
   * The rule's description, kept as found.
   * @default none
   */
  readonly description?: string;
}

/**
 * Resources built by hand that the stack imports (Terraform `import` blocks)
 * instead of creating, each kept exactly as found where a change would
 * replace it. The endpoint, named `endpointName`, is imported with its subnet group.
 */
export interface ConsumerAdoption {
  /**
   * The endpoint's subnet group. `managed: true`: it holds exactly the one subnet of
   * `subnetIds` and is imported with its name and description. `managed: false`: it holds
   * several subnets and is only referenced by name (the module's `existingSubnetGroupName`).
   * @default none: the endpoint is not adopted; the stack creates it on a single-subnet group
   */
  readonly subnetGroup?: { readonly name: string; readonly description: string; readonly managed: boolean };
  /**
   * The endpoint's security group, imported as the stack's own with its name and description.
   * @default none: the stack creates its security group and adds it to the endpoint in place
   */
  readonly securityGroup?: { readonly id: string; readonly name: string; readonly description: string };
  /**
   * Existing ingress rules on the cluster port, imported as the rules for their CIDRs.
   * @default none: the stack creates a rule for every CIDR
   */
  readonly ingressRules?: readonly AdoptedIngressRule[];
}

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
  /**
   * Subnets in other AZs of the same VPC, ready to be promoted into `subnetIds`
   * after an AZ failure. Checked at plan: same VPC, different AZ from the active subnet.
   * @default none
   */
  readonly standbySubnetIds?: readonly string[];
  /**
   * A stable private DNS name for the endpoint: a CNAME `<dnsRecordName>.<zone>`.
   * Give `dnsZoneName` to create a private hosted zone associated with the VPC,
   * or `dnsZoneId` to use an existing one.
   * @default no DNS record
   */
  readonly dnsRecordName?: string;
  /** Name of a private hosted zone to create. @default none */
  readonly dnsZoneName?: string;
  /** Id of an existing private hosted zone. @default none */
  readonly dnsZoneId?: string;
  /**
   * Import the endpoint and what it stands on, built by hand, instead of creating them.
   * @default none: every resource is created
   */
  readonly adoption?: ConsumerAdoption;
}

/** TTL of the endpoint's CNAME: short, so clients follow a moved endpoint quickly. */
export const DNS_TTL_SECONDS = 30;

export class ConsumerStack extends AccountStack {
  /** The security group that admits the client CIDRs on the cluster port. */
  public readonly securityGroup: SecurityGroup;
  /** The endpoint. */
  public readonly endpoint: RedshiftManagedEndpoint;
  /** The stable DNS name's record, when `dnsRecordName` is set. */
  public readonly dnsRecord?: Route53Record;

  constructor(scope: Construct, id: string, props: ConsumerStackProps) {
    super(scope, id, "consumer", props);

    const adoption = props.adoption;
    const adoptedGroup = adoption?.securityGroup;
    const adoptedSubnets = adoption?.subnetGroup;
    this.securityGroup = new SecurityGroup(this, "security-group", {
      provider: this.provider,
      name: adoptedGroup?.name ?? `redshift-endpoint-${props.endpointName}`,
      description: adoptedGroup?.description ?? `Clients of Redshift-managed VPC endpoint ${props.endpointName}, port ${props.port} only`,
      vpcId: props.vpcId,
      revokeRulesOnDelete: true,
    });
    if (adoptedGroup) this.securityGroup.importFrom(adoptedGroup.id, this.provider);
    suppressCheckov(this.securityGroup, {
      id: "CKV2_AWS_5",
      comment:
        "Attached to the Redshift-managed VPC endpoint (aws_redshift_endpoint_access.vpc_security_group_ids), which checkov does not count as an attachment",
    });
    for (const cidr of props.allowedCidrs) {
      const v6 = cidr.includes(":");
      const adoptedRule = adoption?.ingressRules?.find((r) => r.cidr === cidr);
      const rule = new VpcSecurityGroupIngressRule(this, `ingress-${cidr.replace(/[^0-9a-fA-F]+/g, "-")}`, {
        provider: this.provider,
        securityGroupId: this.securityGroup.id,
        description: adoptedRule ? adoptedRule.description : `Redshift clients in ${cidr}`,
        ipProtocol: "tcp",
        fromPort: props.port,
        toPort: props.port,
        cidrIpv4: v6 ? undefined : cidr,
        cidrIpv6: v6 ? cidr : undefined,
      });
      if (adoptedRule) rule.importFrom(adoptedRule.ruleId, this.provider);
    }

    this.endpoint = new RedshiftManagedEndpoint(this, "endpoint", {
      provider: this.provider,
      clusterIdentifier: props.authorization?.clusterIdentifier ?? props.cluster.clusterIdentifier,
      resourceOwner: props.authorization?.grantor ?? props.accountId,
      endpointName: props.endpointName,
      subnetIds: props.subnetIds,
      securityGroupIds: [this.securityGroup.id, ...(props.securityGroupIds ?? [])],
      existingSubnetGroupName: adoptedSubnets && !adoptedSubnets.managed ? adoptedSubnets.name : undefined,
      subnetGroupName: adoptedSubnets?.managed ? adoptedSubnets.name : undefined,
      subnetGroupDescription: adoptedSubnets?.managed ? adoptedSubnets.description : undefined,
    });
    if (adoptedSubnets) {
      // Import ids: the endpoint's and the subnet group's are their names (provider docs for
      // aws_redshift_endpoint_access and aws_redshift_subnet_group).
      this.endpoint.endpoint.importFrom(props.endpointName, this.provider);
      if (adoptedSubnets.managed) this.endpoint.subnetGroup?.importFrom(adoptedSubnets.name, this.provider);
    }

    this.requireProducerState(props);
    this.checkSubnets(props);
    this.dnsRecord = this.stableName(props);
    const host = this.dnsRecord?.fqdn ?? this.endpoint.endpointAddress;

    const out = (name: string, value: string | number, description: string) => new TerraformOutput(this, name, { value, description });
    out("endpoint_address", this.endpoint.endpointAddress, "DNS address of the Redshift-managed VPC endpoint");
    out("endpoint_port", this.endpoint.endpointPort, "Port of the endpoint");
    out("endpoint_private_ip", this.endpoint.endpointPrivateIpAddress, "Private IP of the endpoint's network interface");
    out("endpoint_availability_zone", this.endpoint.endpointAvailabilityZone, "The one AZ the endpoint lives in (no failover)");
    out("endpoint_subnet_id", this.endpoint.endpointSubnetId, "Subnet of the endpoint's network interface");
    out("vpc_endpoint_id", this.endpoint.vpcEndpointId, "Id of the VPC endpoint Redshift manages for this endpoint");
    out("security_group_id", this.securityGroup.id, "Security group admitting the client CIDRs");
    if (this.dnsRecord) out("stable_dns_name", this.dnsRecord.fqdn, "Stable private DNS name (CNAME to the endpoint); survives endpoint replacement");
    out(
      "psql_command",
      `psql -h ${host} -p ${Token.asString(this.endpoint.endpointPort)} -U <user> -d <database>`,
      "Ready-to-paste psql command; replace <user> and <database>",
    );
  }

  /**
   * A plan-time check that the producer's state, read through remote state,
   * holds what the endpoint needs. When that state has no outputs (the
   * producer destroyed, or a state emptied by hand) the plan fails here,
   * before any change, naming the producer stack, instead of with Terraform's
   * "Unsupported attribute". (A state that is missing or unreadable fails
   * earlier, in the remote-state data source named after the producer stack.)
   */
  private requireProducerState(props: ConsumerStackProps): void {
    const fromProducer = props.authorization?.clusterIdentifier ?? props.cluster.clusterIdentifier;
    const producerStack = TerraformStack.of(props.authorization ?? props.cluster);
    if (producerStack === TerraformStack.of(this)) return;
    const producer = producerStack.node.id;
    this.endpoint.endpoint.addOverride("lifecycle.precondition", [
      {
        condition: Fn.can(fromProducer),
        error_message: `The state of stack ${producer} holds no outputs for this consumer: it was never deployed, or its state was lost. Deploy ${producer} first (npm run deploy -- <environment> deploys it before its consumers), or restore its state (local: terraform.${producer}.tfstate in the project folder; s3: the object <keyPrefix>/${producer}.tfstate from the bucket's versions), then deploy again.`,
      },
    ]);
  }

  /**
   * Plan-time checks of the subnets: the active one is in the VPC, and each
   * standby is in the VPC and in another AZ, so that promoting it really moves
   * the endpoint away from a failed AZ.
   */
  private checkSubnets(props: ConsumerStackProps): void {
    const active = props.subnetIds[0];
    if (!props.standbySubnetIds?.length || Token.isUnresolved(active)) return;
    const activeSubnet = new DataAwsSubnet(this, "active-subnet", {
      provider: this.provider,
      id: active,
      lifecycle: {
        postcondition: [
          {
            condition: Op.eq(TerraformSelf.getString("vpc_id"), props.vpcId),
            errorMessage: `Subnet ${active} (subnetIds[0]) is in VPC ${TerraformSelf.getString("vpc_id")}, not in the consumer VPC ${props.vpcId}.`,
          },
        ],
      },
    });
    for (const standby of props.standbySubnetIds) {
      new DataAwsSubnet(this, `standby-subnet-${standby}`, {
        provider: this.provider,
        id: standby,
        lifecycle: {
          postcondition: [
            {
              condition: Op.eq(TerraformSelf.getString("vpc_id"), props.vpcId),
              errorMessage: `Standby subnet ${standby} is in VPC ${TerraformSelf.getString("vpc_id")}, not in the consumer VPC ${props.vpcId}; a standby must be in the same VPC.`,
            },
            {
              condition: Op.neq(TerraformSelf.getString("availability_zone"), activeSubnet.availabilityZone),
              errorMessage: `Standby subnet ${standby} is in ${TerraformSelf.getString("availability_zone")}, the same AZ as the active subnet ${active}; a standby must be in another AZ to survive that AZ's failure.`,
            },
          ],
        },
      });
    }
  }

  /** A CNAME with a short TTL pointing at the endpoint's address, in a new or an existing private zone. */
  private stableName(props: ConsumerStackProps): Route53Record | undefined {
    if (props.dnsRecordName === undefined) return undefined;
    if ((props.dnsZoneName === undefined) === (props.dnsZoneId === undefined)) {
      throw new Error(`${this.node.path}: dnsRecordName needs exactly one of dnsZoneName (create a zone) or dnsZoneId (use a zone)`);
    }
    let zoneId = props.dnsZoneId;
    let name = props.dnsRecordName;
    if (props.dnsZoneName !== undefined) {
      const zone = new Route53Zone(this, "private-zone", {
        provider: this.provider,
        name: props.dnsZoneName,
        comment: `Stable names of Redshift-managed VPC endpoints in ${props.vpcId}`,
        vpc: [{ vpcId: props.vpcId }],
      });
      zoneId = zone.zoneId;
      name = `${props.dnsRecordName}.${props.dnsZoneName}`;
    }
    return new Route53Record(this, "stable-name", {
      provider: this.provider,
      zoneId: zoneId ?? "",
      name,
      type: "CNAME",
      ttl: DNS_TTL_SECONDS,
      records: [this.endpoint.endpointAddress],
    });
  }
}
