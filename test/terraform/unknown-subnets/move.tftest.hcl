# Real-engine tier: moving the endpoint to another subnet (the AZ-failure
# runbook) replaces the endpoint, destroying the old one before creating the
# new one: it keeps the old one's name, taken until it is deleted. Here the subnet list is
# a variable, so the subnet group's name cannot be derived from its subnet and
# only the endpoint's replace_triggered_by on the group's subnet_ids can force
# the replacement; the group itself is updated in place.
#
# expect-actions move: aws_redshift_endpoint_access=delete,create aws_redshift_subnet_group=update

mock_provider "aws" {
  alias = "team"
}

run "create" {
  command = apply

  variables {
    subnet_ids = ["subnet-0123456789abcdef0"]
  }
}

run "move" {
  command = plan

  variables {
    subnet_ids = ["subnet-0fedcba9876543210"]
  }
}
