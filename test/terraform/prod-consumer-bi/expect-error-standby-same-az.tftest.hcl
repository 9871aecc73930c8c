# Guardrail: a standby subnet in the active subnet's AZ fails the plan with this
# message. scripts/ci/test-terraform.sh requires this file to fail, with every
# expect-error text in its diagnostics.
#
# expect-error: Standby subnet subnet-3d4e5f60718293a4b is in ap-northeast-1a, the same AZ as the active subnet subnet-2c3d4e5f607182930

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

# As in plan.tftest.hcl, so that only the guardrail can fail this plan.
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

override_data {
  target = data.aws_subnet.standby-subnet-subnet-3d4e5f60718293a4b
  values = {
    vpc_id            = "vpc-2c3d4e5f607182930"
    availability_zone = "ap-northeast-1a"
  }
}

run "standby_in_same_az" {
  command = plan
}
