# Guardrail: a non-RA3 cluster fails the plan with this message.
# scripts/ci/test-terraform.sh requires this file to fail, with every
# expect-error text in its diagnostics.
#
# expect-error: Cluster lake-dev is node type dc2.large, but cluster relocation and Redshift-managed VPC endpoints need an RA3 node type

mock_provider "aws" {
  alias = "producer"
}

run "non_ra3_node_type" {
  command = plan

  override_data {
    target = data.aws_redshift_cluster.cluster
    values = {
      availability_zone_relocation_enabled = true
      node_type                            = "dc2.large"
      port                                 = 5439
    }
  }
}
