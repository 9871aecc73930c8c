# Guardrail: a cluster with relocation off fails the plan with this message.
# scripts/ci/test-terraform.sh requires this file to fail, with every
# expect-error text in its diagnostics.
#
# expect-error: Cluster lake-dev has cluster relocation turned off

mock_provider "aws" {
  alias = "producer"
}

run "relocation_off" {
  command = plan

  override_data {
    target = data.aws_redshift_cluster.cluster
    values = {
      availability_zone_relocation_enabled = false
      node_type                            = "ra3.xlplus"
      port                                 = 5439
    }
  }
}
