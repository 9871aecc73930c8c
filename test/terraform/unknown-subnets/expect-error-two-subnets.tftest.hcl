# Guardrail: two subnets, known only at plan, fail the plan with this message.
# scripts/ci/test-terraform.sh requires this file to fail, with every
# expect-error text in its diagnostics.
#
# expect-error: subnetIds of endpoint team-x-lake must hold exactly one subnet

mock_provider "aws" {
  alias = "team"
}

run "two_subnets" {
  command = plan

  variables {
    subnet_ids = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  }
}
