/**
 * A Redshift-managed VPC endpoint placed in exactly one subnet.
 *
 * AWS places the endpoint's network interface in a subnet it chooses from
 * the subnet group (Amazon Redshift Management Guide: "Amazon Redshift chooses
 * a subnet that has IP addresses available for the network interface
 * associated with the endpoint"), and the subnet cannot be changed later. Giving the subnet
 * group exactly one subnet is the only way to decide where the endpoint
 * lives, so this construct refuses any other count: at synth with a
 * validation when the list is known, and at plan with a precondition when it
 * is only known then.
 *
 * One exception, for adopting an endpoint that was built by hand:
 * `existingSubnetGroupName` places the endpoint on an existing subnet group
 * that the construct does not create or manage, whatever its subnet count
 * (see that prop). Every group the construct creates holds exactly one subnet.
 *
 * The construct knows nothing of this repository's config file: another
 * team can use it from its own cdktf app with nothing but props.
 */
import { RedshiftEndpointAccess } from "@cdktf/provider-aws/lib/redshift-endpoint-access";
import { RedshiftSubnetGroup } from "@cdktf/provider-aws/lib/redshift-subnet-group";
import { Fn, Op, type TerraformProvider, Token } from "cdktf";
import { Construct, type IValidation } from "constructs";
import { ENDPOINT_NAME_RULE, endpointNameProblems } from "./endpoint-name";

export { ENDPOINT_NAME_RULE, endpointNameProblems } from "./endpoint-name";

export interface RedshiftManagedEndpointProps {
  /**
   * The AWS provider of the account that owns the consumer VPC.
   * Every resource of the construct is bound to it.
   */
  readonly provider: TerraformProvider;
  /** Identifier of the cluster the endpoint connects to. */
  readonly clusterIdentifier: string;
  /**
   * Account id of the cluster owner.
   * @default the endpoint's own account (a cluster in the same account needs no authorization)
   */
  readonly resourceOwner?: string;
  /**
   * Name of the endpoint: 1-30 characters, starting with a lowercase letter, only lowercase
   * letters, digits and hyphens, no two consecutive hyphens, not ending with a hyphen.
   */
  readonly endpointName: string;
  /**
   * The subnet of the endpoint's network interface. Exactly one: it fixes the AZ.
   * May be a token (for example from a data source); then the count is checked at plan.
   * With `existingSubnetGroupName` it names the subnet the interface already sits in,
   * and no group is made of it.
   */
  readonly subnetIds: string[];
  /** VPC security groups of the endpoint. At least one, or AWS attaches the VPC's default group. */
  readonly securityGroupIds: string[];
  /**
   * Name of the cluster subnet group.
   * @default `<endpointName>-<subnetId>` when the subnet is known at synth, so that moving the
   * endpoint to another subnet replaces the group and the endpoint; `<endpointName>` otherwise
   */
  readonly subnetGroupName?: string;
  /**
   * Description of the cluster subnet group (an adopted group keeps the one it has).
   * @default `Single subnet of Redshift-managed VPC endpoint <endpointName>`
   */
  readonly subnetGroupDescription?: string;
  /**
   * Name of an existing cluster subnet group to place the endpoint on, instead of
   * creating a single-subnet group. The construct then creates no subnet group and
   * manages none: the group is only referenced by name, and the endpoint has no
   * `replace_triggered_by` on it.
   *
   * This is the one exception to the single-subnet rule, and it exists only to adopt
   * an endpoint that was built by hand on a group of two or more subnets: such a group
   * cannot be narrowed to one subnet without replacing the endpoint (a new network
   * interface and address). The endpoint stays in the AZ AWS picked when it was
   * created. To move it to a group this construct manages, drop this prop in a planned
   * window: the endpoint is replaced once, into `subnetIds`.
   * @default none: the construct creates a group holding exactly `subnetIds`
   */
  readonly existingSubnetGroupName?: string;
  /**
   * Tags for the subnet group (the endpoint itself takes no tags).
   * @default no tags beyond the provider's default tags
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Why one subnet; shared by the synth-time validation and the plan-time precondition. */
export const SINGLE_SUBNET_RULE =
  "AWS places a Redshift-managed VPC endpoint's network interface in a subnet it picks from the subnet group, and it can never move, so the subnet group must hold exactly one subnet";

export class RedshiftManagedEndpoint extends Construct {
  /** The cluster subnet group, holding the single subnet; undefined with `existingSubnetGroupName`. */
  public readonly subnetGroup?: RedshiftSubnetGroup;
  /** The endpoint itself. */
  public readonly endpoint: RedshiftEndpointAccess;
  /** DNS address of the endpoint. */
  public readonly endpointAddress: string;
  /** Port of the endpoint (the cluster's port). */
  public readonly endpointPort: number;
  /** Private IPv4 address of the endpoint's network interface. */
  public readonly endpointPrivateIpAddress: string;
  /** Availability zone of the endpoint's network interface. */
  public readonly endpointAvailabilityZone: string;
  /** Subnet of the endpoint's network interface. */
  public readonly endpointSubnetId: string;
  /** Id of the network interface. */
  public readonly endpointNetworkInterfaceId: string;
  /** Id of the VPC endpoint that Redshift manages for this endpoint. */
  public readonly vpcEndpointId: string;

  constructor(scope: Construct, id: string, props: RedshiftManagedEndpointProps) {
    super(scope, id);
    const subnetsKnown = !Token.isUnresolved(props.subnetIds) && props.subnetIds.every((s) => !Token.isUnresolved(s));
    this.node.addValidation(new SingleSubnetValidation(props.subnetIds));
    this.node.addValidation(new EndpointPropsValidation(props));

    const derivedName =
      subnetsKnown && props.subnetIds.length === 1 && !Token.isUnresolved(props.endpointName)
        ? `${props.endpointName}-${props.subnetIds[0]}`
        : props.endpointName;

    if (props.existingSubnetGroupName !== undefined) {
      this.endpoint = new RedshiftEndpointAccess(this, "endpoint", {
        provider: props.provider,
        endpointName: props.endpointName,
        clusterIdentifier: props.clusterIdentifier,
        resourceOwner: props.resourceOwner,
        subnetGroupName: props.existingSubnetGroupName,
        vpcSecurityGroupIds: props.securityGroupIds,
      });
    } else {
      const subnetGroup = this.createSubnetGroup(props, subnetsKnown, derivedName);
      this.subnetGroup = subnetGroup;
      this.endpoint = new RedshiftEndpointAccess(this, "endpoint", {
        provider: props.provider,
        endpointName: props.endpointName,
        clusterIdentifier: props.clusterIdentifier,
        resourceOwner: props.resourceOwner,
        subnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: props.securityGroupIds,
        lifecycle: {
          // A subnet group's subnet_ids can change in place, which would leave the
          // endpoint's network interface where it was. Replace the endpoint instead.
          replaceTriggeredBy: [`${subnetGroup.terraformResourceType}.${subnetGroup.friendlyUniqueId}.subnet_ids`],
        },
      });
    }

    const eni = this.endpoint.vpcEndpoint.get(0).networkInterface.get(0);
    this.endpointAddress = this.endpoint.address;
    this.endpointPort = this.endpoint.port;
    this.endpointPrivateIpAddress = eni.privateIpAddress;
    this.endpointAvailabilityZone = eni.availabilityZone;
    this.endpointSubnetId = eni.subnetId;
    this.endpointNetworkInterfaceId = eni.networkInterfaceId;
    this.vpcEndpointId = this.endpoint.vpcEndpoint.get(0).vpcEndpointId;
  }

  /** The single-subnet group, refused at plan when its subnets are only known then and are not one. */
  private createSubnetGroup(props: RedshiftManagedEndpointProps, subnetsKnown: boolean, derivedName: string): RedshiftSubnetGroup {
    return new RedshiftSubnetGroup(this, "subnet-group", {
      provider: props.provider,
      name: props.subnetGroupName ?? derivedName,
      description: props.subnetGroupDescription ?? `Single subnet of Redshift-managed VPC endpoint ${props.endpointName}`,
      subnetIds: props.subnetIds,
      tags: props.tags ? { ...props.tags } : undefined,
      lifecycle: subnetsKnown
        ? undefined
        : {
            precondition: [
              {
                condition: Op.eq(Fn.lengthOf(props.subnetIds), 1),
                errorMessage: `subnetIds of endpoint ${props.endpointName} must hold exactly one subnet: ${SINGLE_SUBNET_RULE}.`,
              },
            ],
          },
    });
  }
}

/** Rejects any subnet count other than one, once the tree is complete. */
class SingleSubnetValidation implements IValidation {
  constructor(private readonly subnetIds: string[]) {}

  validate(): string[] {
    if (Token.isUnresolved(this.subnetIds)) return []; // checked at plan by the precondition
    if (this.subnetIds.length === 1) return [];
    return [
      `subnetIds must hold exactly one subnet, got ${this.subnetIds.length} (${JSON.stringify(this.subnetIds)}): ${SINGLE_SUBNET_RULE}. Pick the subnet whose AZ should host the endpoint.`,
    ];
  }
}

/** Rejects values AWS would refuse halfway through an apply. */
class EndpointPropsValidation implements IValidation {
  constructor(private readonly props: RedshiftManagedEndpointProps) {}

  validate(): string[] {
    const errors: string[] = [];
    const { endpointName, securityGroupIds } = this.props;
    const nameProblems = Token.isUnresolved(endpointName) ? [] : endpointNameProblems(endpointName);
    if (nameProblems.length) {
      errors.push(`endpointName ${JSON.stringify(endpointName)} breaks the CreateEndpointAccess rule (${ENDPOINT_NAME_RULE}): ${nameProblems.join("; ")}.`);
    }
    if (!Token.isUnresolved(securityGroupIds) && securityGroupIds.length === 0) {
      errors.push("securityGroupIds must hold at least one security group; without one AWS attaches the VPC's default security group.");
    }
    return errors;
  }
}
