# Real-engine tier (scripts/ci/test-terraform.sh): the module's plan-time
# precondition, on the fixture stack of fixtures/unknown-subnets.ts, whose
# subnet list is a variable and so only known at plan.
#
# expect-plan one_subnet: aws_redshift_endpoint_access=1 aws_redshift_subnet_group=1

mock_provider "aws" {
  alias = "team"
}

run "one_subnet" {
  command = plan

  variables {
    subnet_ids = ["subnet-0123456789abcdef0"]
  }

  assert {
    condition     = aws_redshift_subnet_group.lake_subnet-group_0E1F3E4A.subnet_ids == toset(["subnet-0123456789abcdef0"])
    error_message = "The subnet group must hold the one subnet given."
  }
}

# tofu's own check; expect-error-two-subnets.tftest.hcl checks the message.
run "fails_two_subnets" {
  command = plan

  variables {
    subnet_ids = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  }

  expect_failures = [aws_redshift_subnet_group.lake_subnet-group_0E1F3E4A]
}
