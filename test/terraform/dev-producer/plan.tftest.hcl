# Real-engine tier (scripts/ci/test-terraform.sh): the dev-producer stack planned by
# OpenTofu against the real hashicorp/aws schema, with the provider mocked and
# the cluster data source overridden. Only computed attributes can be
# overridden: cluster_identifier comes from the config ("lake-dev").
#
# expect-plan plan: aws_redshift_endpoint_authorization=1

mock_provider "aws" {
  alias = "producer"
}

run "plan" {
  command = plan

  override_data {
    target = data.aws_redshift_cluster.cluster
    values = {
      availability_zone_relocation_enabled = true
      node_type                            = "ra3.xlplus"
      port                                 = 5439
    }
  }

  assert {
    condition     = data.aws_redshift_cluster.cluster.cluster_identifier == "lake-dev"
    error_message = "The cluster data source reads ${data.aws_redshift_cluster.cluster.cluster_identifier}, expected lake-dev."
  }
  assert {
    condition     = aws_redshift_endpoint_authorization.authorization-222222222222.account == "222222222222"
    error_message = "The authorization grants account ${aws_redshift_endpoint_authorization.authorization-222222222222.account}, expected the consumer account 222222222222."
  }
  assert {
    condition     = aws_redshift_endpoint_authorization.authorization-222222222222.cluster_identifier == "lake-dev"
    error_message = "The authorization is for cluster ${aws_redshift_endpoint_authorization.authorization-222222222222.cluster_identifier}, expected lake-dev."
  }
  assert {
    condition     = aws_redshift_endpoint_authorization.authorization-222222222222.vpc_ids == toset(["vpc-0a1b2c3d4e5f60718"])
    error_message = "The authorization must name exactly the consumer VPC (an empty list would allow all VPCs)."
  }
  assert {
    condition     = aws_redshift_endpoint_authorization.authorization-222222222222.force_delete == false
    error_message = "force_delete must default to false: revoking must not delete the consumer's endpoints."
  }
}

# tofu's own check that each guardrail fails the plan on the cluster data
# source. expect_failures passes on any failure of that object, so the
# expect-error-*.tftest.hcl files check each message too.

run "fails_relocation_off" {
  command = plan

  override_data {
    target = data.aws_redshift_cluster.cluster
    values = {
      availability_zone_relocation_enabled = false
      node_type                            = "ra3.xlplus"
      port                                 = 5439
    }
  }

  expect_failures = [data.aws_redshift_cluster.cluster]
}

run "fails_non_ra3_node_type" {
  command = plan

  override_data {
    target = data.aws_redshift_cluster.cluster
    values = {
      availability_zone_relocation_enabled = true
      node_type                            = "dc2.large"
      port                                 = 5439
    }
  }

  expect_failures = [data.aws_redshift_cluster.cluster]
}

run "fails_port_mismatch" {
  command = plan

  override_data {
    target = data.aws_redshift_cluster.cluster
    values = {
      availability_zone_relocation_enabled = true
      node_type                            = "ra3.xlplus"
      port                                 = 5440
    }
  }

  expect_failures = [data.aws_redshift_cluster.cluster]
}
