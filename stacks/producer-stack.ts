/**
 * Account A, the cluster owner: checks the cluster at plan and authorizes
 * each consumer account for exactly its own VPCs.
 */
import { DataAwsRedshiftCluster } from "@cdktf/provider-aws/lib/data-aws-redshift-cluster";
import { RedshiftEndpointAuthorization } from "@cdktf/provider-aws/lib/redshift-endpoint-authorization";
import { Fn, Op, TerraformOutput, TerraformSelf } from "cdktf";
import type { Construct } from "constructs";
import { AccountStack, type AccountStackProps } from "./account-stack";

export interface EndpointGrant {
  /** The consumer (grantee) account. */
  readonly accountId: string;
  /** Exactly the VPCs of that account that may create endpoints. Never empty: empty means all VPCs. */
  readonly vpcIds: readonly string[];
  /**
   * The authorization exists already (built by hand): import it, as `<accountId>:<cluster>`, instead of creating it.
   * @default false
   */
  readonly importExisting?: boolean;
}

export interface ProducerStackProps extends AccountStackProps {
  /** The provisioned RA3 cluster to share. */
  readonly clusterIdentifier: string;
  /** The port the cluster must listen on; checked at plan. */
  readonly port: number;
  /** One authorization per consumer account other than this one. */
  readonly grants: readonly EndpointGrant[];
  /**
   * Revoke authorizations even while endpoints use them, which deletes those endpoints.
   * @default false
   */
  readonly forceDeleteAuthorizations?: boolean;
}

export class ProducerStack extends AccountStack {
  /** The cluster, read with plan-time checks on relocation, node type and port. */
  public readonly cluster: DataAwsRedshiftCluster;
  private readonly authorizations = new Map<string, RedshiftEndpointAuthorization>();

  constructor(scope: Construct, id: string, props: ProducerStackProps) {
    super(scope, id, "producer", props);
    const cid = props.clusterIdentifier;

    this.cluster = new DataAwsRedshiftCluster(this, "cluster", {
      provider: this.provider,
      clusterIdentifier: cid,
      lifecycle: {
        postcondition: [
          {
            condition: Op.eq(TerraformSelf.getAny("availability_zone_relocation_enabled"), true),
            errorMessage: `Cluster ${cid} has cluster relocation turned off, and Redshift-managed VPC endpoints need it. Enable it in account ${props.accountId} with: aws redshift modify-cluster --region ${props.region} --cluster-identifier ${cid} --availability-zone-relocation ; then plan again.`,
          },
          {
            condition: Fn.startswith(TerraformSelf.getString("node_type"), "ra3."),
            errorMessage: `Cluster ${cid} is node type ${TerraformSelf.getString("node_type")}, but cluster relocation and Redshift-managed VPC endpoints need an RA3 node type. Resize it to RA3 (aws redshift resize-cluster --cluster-identifier ${cid} --node-type ra3.xlplus ...) or point the config at an RA3 cluster.`,
          },
          {
            condition: Op.eq(TerraformSelf.getNumber("port"), props.port),
            errorMessage: `Cluster ${cid} listens on port ${TerraformSelf.getNumber("port")}, but the config says ${props.port}. Set producer.port to the cluster's port, or change the cluster's port (aws redshift modify-cluster --cluster-identifier ${cid} --port ${props.port}); the consumer security groups open only the configured port.`,
          },
        ],
      },
    });

    for (const grant of props.grants) {
      const authorization = new RedshiftEndpointAuthorization(this, `authorization-${grant.accountId}`, {
        provider: this.provider,
        account: grant.accountId,
        clusterIdentifier: this.cluster.clusterIdentifier,
        vpcIds: [...grant.vpcIds],
        forceDelete: props.forceDeleteAuthorizations ?? false,
      });
      if (grant.importExisting === true) authorization.importFrom(`${grant.accountId}:${cid}`, this.provider);
      this.authorizations.set(grant.accountId, authorization);
      new TerraformOutput(this, `authorization-${grant.accountId}-status`, {
        description: `Endpoint authorization of account ${grant.accountId} on cluster ${cid}`,
        value: {
          grantor: authorization.grantor,
          grantee: authorization.grantee,
          cluster_identifier: authorization.clusterIdentifier,
          allowed_all_vpcs: authorization.allowedAllVpcs,
          allowed_vpc_ids: authorization.vpcIds,
          // No endpoint_count: it changes whenever a consumer creates or deletes an endpoint, so
          // the producer would never plan clean again (found by the first real apply, npm run rehearse).
        },
      });
    }
  }

  /** The authorization granted to `accountId`, if any: none exists for this stack's own account. */
  public authorizationFor(accountId: string): RedshiftEndpointAuthorization | undefined {
    return this.authorizations.get(accountId);
  }
}
