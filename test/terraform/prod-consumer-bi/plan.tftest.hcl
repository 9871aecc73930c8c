# Real-engine tier (scripts/ci/test-terraform.sh): the prod-consumer-bi stack
# (standby subnet checks and a private DNS name) planned by OpenTofu against
# the real hashicorp/aws schema, with the provider mocked. See
# ../dev-consumer-bi/plan.tftest.hcl for why the remote state and the endpoint
# are overridden.
#
# expect-plan plan: aws_redshift_endpoint_access=1 aws_redshift_subnet_group=1 aws_security_group=1 aws_vpc_security_group_ingress_rule=1 aws_route53_zone=1 aws_route53_record=1

mock_provider "aws" {
  alias = "consumer"
}

override_data {
  target = data.terraform_remote_state.cross-stack-reference-input-prod-producer
  values = {
    outputs = {
      "cross-stack-output-aws_redshift_endpoint_authorizationauthorization-666666666666cluster_identifier" = "lake-prod"
      "cross-stack-output-aws_redshift_endpoint_authorizationauthorization-666666666666grantor"            = "555555555555"
    }
  }
}

override_resource {
  target = aws_redshift_endpoint_access.endpoint_F9556B44
  values = {
    address = "lake-prod-bi-endpoint.example.ap-northeast-1.redshift.amazonaws.com"
    port    = 5439
    vpc_endpoint = [{
      vpc_endpoint_id = "vpce-2c3d4e5f607182930"
      vpc_id          = "vpc-2c3d4e5f607182930"
      network_interface = [{
        network_interface_id = "eni-2c3d4e5f607182930"
        subnet_id            = "subnet-2c3d4e5f607182930"
        private_ip_address   = "10.60.1.10"
        availability_zone    = "ap-northeast-1a"
      }]
    }]
  }
}

override_data {
  target = data.aws_subnet.active-subnet
  values = {
    vpc_id            = "vpc-2c3d4e5f607182930"
    availability_zone = "ap-northeast-1a"
  }
}

run "plan" {
  command = plan

  override_data {
    target = data.aws_subnet.standby-subnet-subnet-3d4e5f60718293a4b
    values = {
      vpc_id            = "vpc-2c3d4e5f607182930"
      availability_zone = "ap-northeast-1c"
    }
  }

  assert {
    condition     = aws_redshift_subnet_group.endpoint_subnet-group_117523AA.subnet_ids == toset(["subnet-2c3d4e5f607182930"])
    error_message = "The subnet group must hold only the active subnet, never the standby."
  }
  assert {
    condition     = aws_redshift_endpoint_access.endpoint_F9556B44.cluster_identifier == "lake-prod" && aws_redshift_endpoint_access.endpoint_F9556B44.resource_owner == "555555555555"
    error_message = "The endpoint must take cluster and owner from the producer's authorization."
  }
  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.ingress-10-60-0-0-16.from_port == 5439 &&
      aws_vpc_security_group_ingress_rule.ingress-10-60-0-0-16.to_port == 5439 &&
      aws_vpc_security_group_ingress_rule.ingress-10-60-0-0-16.cidr_ipv4 == "10.60.0.0/16"
    )
    error_message = "The ingress rule must open 5439 only, to 10.60.0.0/16 only."
  }
  assert {
    condition     = aws_route53_zone.private-zone.name == "lake-prod.internal" && [for v in aws_route53_zone.private-zone.vpc : v.vpc_id] == ["vpc-2c3d4e5f607182930"]
    error_message = "The private zone must be lake-prod.internal, associated with the consumer VPC only."
  }
  assert {
    condition = (
      aws_route53_record.stable-name.name == "bi.lake-prod.internal" &&
      aws_route53_record.stable-name.type == "CNAME" &&
      aws_route53_record.stable-name.ttl == 30 &&
      aws_route53_record.stable-name.records == toset(["lake-prod-bi-endpoint.example.ap-northeast-1.redshift.amazonaws.com"])
    )
    error_message = "The stable name must be a 30 s CNAME bi.lake-prod.internal to the endpoint address."
  }
}

# tofu's own check; expect-error-standby-same-az.tftest.hcl checks the message.
run "fails_standby_in_same_az" {
  command = plan

  override_data {
    target = data.aws_subnet.standby-subnet-subnet-3d4e5f60718293a4b
    values = {
      vpc_id            = "vpc-2c3d4e5f607182930"
      availability_zone = "ap-northeast-1a"
    }
  }

  expect_failures = [data.aws_subnet.standby-subnet-subnet-3d4e5f60718293a4b]
}
