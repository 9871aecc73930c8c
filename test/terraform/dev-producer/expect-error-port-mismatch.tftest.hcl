# Guardrail: a cluster on another port than the configured one fails the plan
# with this message. scripts/ci/test-terraform.sh requires this file to fail, with
# every expect-error text in its diagnostics.
#
# expect-error: Cluster lake-dev listens on port 5440, but the config says 5439

mock_provider "aws" {
  alias = "producer"
}

run "port_mismatch" {
  command = plan

  override_data {
    target = data.aws_redshift_cluster.cluster
    values = {
      availability_zone_relocation_enabled = true
      node_type                            = "ra3.xlplus"
      port                                 = 5440
    }
  }
}
