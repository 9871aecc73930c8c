# Real-engine tier (scripts/ci/test-terraform.sh): the dev-consumer-bi stack planned
# by OpenTofu against the real hashicorp/aws schema, with the provider mocked.
#
# The producer's state is replaced by override_data; the output names are the
# ones cdktf gives cross-stack references (stable: they derive from the
# authorization's construct id, which is a public contract).
#
# The endpoint is overridden because the mock provider plans its computed
# vpc_endpoint list as empty, where a real plan has it unknown; the stack's
# outputs index vpc_endpoint[0] and would fail on the mock alone.
#
# expect-plan plan: aws_redshift_endpoint_access=1 aws_redshift_subnet_group=1 aws_security_group=1 aws_vpc_security_group_ingress_rule=1

mock_provider "aws" {
  alias = "consumer"
}

override_data {
  target = data.terraform_remote_state.cross-stack-reference-input-dev-producer
  values = {
    outputs = {
      "cross-stack-output-aws_redshift_endpoint_authorizationauthorization-222222222222cluster_identifier" = "lake-dev"
      "cross-stack-output-aws_redshift_endpoint_authorizationauthorization-222222222222grantor"            = "111111111111"
    }
  }
}

override_resource {
  target = aws_redshift_endpoint_access.endpoint_F9556B44
  values = {
    address = "lake-dev-bi-endpoint.example.ap-northeast-1.redshift.amazonaws.com"
    port    = 5439
    vpc_endpoint = [{
      vpc_endpoint_id = "vpce-0a1b2c3d4e5f60718"
      vpc_id          = "vpc-0a1b2c3d4e5f60718"
      network_interface = [{
        network_interface_id = "eni-0a1b2c3d4e5f60718"
        subnet_id            = "subnet-0a1b2c3d4e5f60718"
        private_ip_address   = "10.20.1.10"
        availability_zone    = "ap-northeast-1a"
      }]
    }]
  }
}

run "plan" {
  command = plan

  assert {
    condition     = aws_redshift_subnet_group.endpoint_subnet-group_117523AA.subnet_ids == toset(["subnet-0a1b2c3d4e5f60718"])
    error_message = "The subnet group must hold exactly the one configured subnet."
  }
  assert {
    condition     = aws_redshift_endpoint_access.endpoint_F9556B44.cluster_identifier == "lake-dev" && aws_redshift_endpoint_access.endpoint_F9556B44.resource_owner == "111111111111"
    error_message = "The endpoint must take cluster and owner from the producer's authorization."
  }
  assert {
    condition     = aws_redshift_endpoint_access.endpoint_F9556B44.subnet_group_name == aws_redshift_subnet_group.endpoint_subnet-group_117523AA.name
    error_message = "The endpoint must use the single-subnet group."
  }
  assert {
    condition     = aws_redshift_endpoint_access.endpoint_F9556B44.vpc_security_group_ids == toset([aws_security_group.security-group.id])
    error_message = "The endpoint must carry exactly the stack's security group."
  }
  assert {
    condition     = aws_security_group.security-group.vpc_id == "vpc-0a1b2c3d4e5f60718"
    error_message = "The security group must be in the consumer VPC."
  }
  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.ingress-10-20-0-0-16.ip_protocol == "tcp" &&
      aws_vpc_security_group_ingress_rule.ingress-10-20-0-0-16.from_port == 5439 &&
      aws_vpc_security_group_ingress_rule.ingress-10-20-0-0-16.to_port == 5439 &&
      aws_vpc_security_group_ingress_rule.ingress-10-20-0-0-16.cidr_ipv4 == "10.20.0.0/16"
    )
    error_message = "The ingress rule must open tcp 5439 only, to 10.20.0.0/16 only."
  }
  assert {
    condition     = output.psql_command == "psql -h lake-dev-bi-endpoint.example.ap-northeast-1.redshift.amazonaws.com -p 5439 -U <user> -d <database>"
    error_message = "psql_command is ${output.psql_command}."
  }
}
