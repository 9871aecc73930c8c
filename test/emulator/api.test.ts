/**
 * The AWS emulator through the SDK, as moto's own tests do: each operation
 * that emulator/redshift_endpoints/ adds, each documented error asserted by
 * the SDK's exception for the model's code, its HTTP status and (where the
 * text matters) its message; then the same codes through the AWS CLI.
 *
 * World: test/emulator/world.json. Account A (111111111111)
 * owns cluster `lake`; account B (222222222222) has VPCs `a1` and `b1`;
 * account C (333333333333) is never authorized; account 444444444444 owns
 * cluster `small` and 555555555555 consumes it, under lowered quotas
 * (3 grantees per cluster, 2 endpoints per authorization, 3 per cluster).
 *
 * Tests in a describe block run in order and build on each other, as a
 * person would at the console.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  AuthorizeEndpointAccessCommand,
  CreateClusterSubnetGroupCommand,
  CreateEndpointAccessCommand,
  DeleteEndpointAccessCommand,
  DescribeClustersCommand,
  DescribeEndpointAccessCommand,
  DescribeEndpointAuthorizationCommand,
  DescribeLoggingStatusCommand,
  type EndpointAccess,
  ModifyClusterCommand,
  ModifyEndpointAccessCommand,
  RedshiftClient,
  RevokeEndpointAccessCommand,
} from "@aws-sdk/client-redshift";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import {
  EMULATOR_ACCESS_KEY_ID,
  EMULATOR_BASE_ACCOUNT_ID,
  EMULATOR_SECRET_ACCESS_KEY,
  type RunningEmulator,
  emulatorVenvBin,
  startEmulator,
  withEmulatorEnv,
} from "../../lib/rehearsal/emulator";

const REGION = "ap-northeast-1";
const WORLD = "test/emulator/world.json";
const A = "111111111111";
const B = "222222222222";
const C = "333333333333";
const Q_OWNER = "444444444444";
const Q_USER = "555555555555";
const VPC_B1 = "vpc-0b0000000000000a1";
const VPC_B2 = "vpc-0b0000000000000b1";
const SUBNET_B1 = "subnet-0b0000000000000a1";
const STANDBY_B1 = "subnet-0b0000000000000a2";
const SG_B1 = "sg-0b0000000000000a1";
/** Endpoint state changes take this long in the emulator (AWS: minutes). */
const DELAY_S = 0.3;

let emulator: RunningEmulator;
const baseCredentials = { accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY };

beforeAll(async () => {
  emulator = await startEmulator({ seedConfigFile: WORLD, flags: { "endpoint-delay": DELAY_S } });
}, 300_000);

afterAll(async () => {
  await emulator?.stop();
});

const roleArn = (account: string) => `arn:aws:iam::${account}:role/redshift-endpoints-deploy`;

/** SDK client config acting as `account` through its seeded role, as a stack's provider does. */
function as(account?: string) {
  const credentials =
    account === undefined
      ? baseCredentials
      : fromTemporaryCredentials({
          params: { RoleArn: roleArn(account), RoleSessionName: "emulator-test" },
          masterCredentials: baseCredentials,
          clientConfig: { endpoint: emulator.url, region: REGION },
        });
  return { endpoint: emulator.url, region: REGION, credentials, maxAttempts: 1 };
}
const redshift = (account: string) => new RedshiftClient(as(account));
const ec2 = (account: string) => new EC2Client(as(account));

/** The SDK error of `promise`, which must fail. */
async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; message: string; $metadata: { httpStatusCode?: number } };
  }
  throw new Error("expected the call to fail, and it succeeded");
}

/** Asserts the SDK mapped the wire code to `exception` (so the code is the model's) and the model's HTTP status. */
async function expectFault(promise: Promise<unknown>, exception: string, status: number, message?: string | RegExp) {
  const error = await failure(promise);
  expect({ name: error.name, status: error.$metadata.httpStatusCode }).toEqual({ name: exception, status });
  if (message !== undefined) expect(error.message).toMatch(message);
  return error;
}

async function waitForStatus(account: string, endpointName: string, status: string | "gone"): Promise<EndpointAccess | undefined> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const out = await redshift(account).send(new DescribeEndpointAccessCommand({ EndpointName: endpointName }));
      const endpoint = out.EndpointAccessList?.[0];
      if (endpoint?.EndpointStatus === status) return endpoint;
    } catch (error) {
      if (status === "gone" && (error as Error).name === "EndpointNotFoundFault") return undefined;
      throw error;
    }
    if (Date.now() > deadline) throw new Error(`endpoint ${endpointName} did not become ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function subnetGroup(account: string, name: string, subnetIds: string[]) {
  await redshift(account).send(new CreateClusterSubnetGroupCommand({ ClusterSubnetGroupName: name, Description: name, SubnetIds: subnetIds }));
}

const createEndpoint = (account: string, EndpointName: string, SubnetGroupName: string, cluster = "lake", owner = A, VpcSecurityGroupIds?: string[]) =>
  redshift(account).send(
    new CreateEndpointAccessCommand({ EndpointName, SubnetGroupName, ClusterIdentifier: cluster, ResourceOwner: owner, VpcSecurityGroupIds }),
  );

describe("accounts from assumed-role credentials", () => {
  test("base credentials are moto's default account", async () => {
    const id = await new STSClient(as()).send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe(EMULATOR_BASE_ACCOUNT_ID);
  });

  test.each([A, B, C])("AssumeRole into account %s's seeded role acts as that account", async (account) => {
    const id = await new STSClient(as(account)).send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe(account);
    expect(id.Arn).toBe(`arn:aws:sts::${account}:assumed-role/redshift-endpoints-deploy/emulator-test`);
  });

  test("AssumeRole hands out credentials with a session token", async () => {
    const out = await new STSClient(as()).send(new AssumeRoleCommand({ RoleArn: roleArn(B), RoleSessionName: "direct" }));
    expect(out.Credentials?.SessionToken).toBeTruthy();
  });
});

describe("the seeded world", () => {
  test("the producer's cluster is RA3, relocation on, on the configured port, in its account only", async () => {
    const out = await redshift(A).send(new DescribeClustersCommand({ ClusterIdentifier: "lake" }));
    const cluster = out.Clusters?.[0];
    // MultiAZ as well: the aws_redshift_cluster data source (v5.100.0) fails unless it is Enabled or Disabled.
    expect(cluster).toMatchObject({ NodeType: "ra3.xlplus", AvailabilityZoneRelocationStatus: "enabled", MultiAZ: "Disabled", Endpoint: { Port: 5439 } });
    await expectFault(redshift(B).send(new DescribeClustersCommand({ ClusterIdentifier: "lake" })), "ClusterNotFoundFault", 404);
  });

  test("DescribeLoggingStatus answers for the cluster (the aws_redshift_cluster data source calls it)", async () => {
    const out = await redshift(A).send(new DescribeLoggingStatusCommand({ ClusterIdentifier: "lake" }));
    expect(out.LoggingEnabled).toBe(false);
  });

  test("consumer subnets have the config's ids, in the VPC, the standby in another AZ", async () => {
    const out = await ec2(B).send(new DescribeSubnetsCommand({ SubnetIds: [SUBNET_B1, STANDBY_B1] }));
    const byId = new Map(out.Subnets?.map((s) => [s.SubnetId, s]));
    expect(byId.get(SUBNET_B1)?.VpcId).toBe(VPC_B1);
    expect(byId.get(STANDBY_B1)?.VpcId).toBe(VPC_B1);
    expect(byId.get(SUBNET_B1)?.AvailabilityZone).not.toBe(byId.get(STANDBY_B1)?.AvailabilityZone);
    expect(byId.get(SUBNET_B1)?.CidrBlock).toMatch(/^10\.\d+\.\d+\.0\/24$/);
  });

  test("the extra security group exists in the consumer VPC", async () => {
    const out = await ec2(B).send(new DescribeSecurityGroupsCommand({ GroupIds: [SG_B1] }));
    expect(out.SecurityGroups?.[0]?.VpcId).toBe(VPC_B1);
  });
});

describe("cluster relocation status", () => {
  test("ModifyCluster AvailabilityZoneRelocation turns it off and on", async () => {
    const off = await redshift(A).send(new ModifyClusterCommand({ ClusterIdentifier: "lake", AvailabilityZoneRelocation: false }));
    expect(off.Cluster?.AvailabilityZoneRelocationStatus).toBe("disabled");
    const on = await redshift(A).send(new ModifyClusterCommand({ ClusterIdentifier: "lake", AvailabilityZoneRelocation: true }));
    expect(on.Cluster?.AvailabilityZoneRelocationStatus).toBe("enabled");
  });
});

describe("endpoint authorizations", () => {
  test("AuthorizeEndpointAccess grants account B one VPC", async () => {
    const out = await redshift(A).send(new AuthorizeEndpointAccessCommand({ ClusterIdentifier: "lake", Account: B, VpcIds: [VPC_B1] }));
    expect(out).toMatchObject({
      Grantor: A,
      Grantee: B,
      ClusterIdentifier: "lake",
      Status: "Authorized",
      AllowedAllVPCs: false,
      AllowedVPCs: [VPC_B1],
      EndpointCount: 0,
    });
  });

  test("fails to authorize the same account for the same VPCs again: EndpointAuthorizationAlreadyExists", async () => {
    await expectFault(
      redshift(A).send(new AuthorizeEndpointAccessCommand({ ClusterIdentifier: "lake", Account: B, VpcIds: [VPC_B1] })),
      "EndpointAuthorizationAlreadyExistsFault",
      400,
      `Account ${B} is already authorized to access cluster lake`,
    );
  });

  test("fails to authorize on a cluster the caller does not have: ClusterNotFound", async () => {
    await expectFault(redshift(A).send(new AuthorizeEndpointAccessCommand({ ClusterIdentifier: "nope", Account: B })), "ClusterNotFoundFault", 404);
  });

  test("fails to authorize the cluster owner's own account: UnsupportedOperation", async () => {
    await expectFault(redshift(A).send(new AuthorizeEndpointAccessCommand({ ClusterIdentifier: "lake", Account: A })), "UnsupportedOperationFault", 400);
  });

  test("DescribeEndpointAuthorization finds the grant from both sides", async () => {
    const grantor = await redshift(A).send(new DescribeEndpointAuthorizationCommand({ ClusterIdentifier: "lake", Account: B }));
    expect(grantor.EndpointAuthorizationList).toHaveLength(1);
    const grantee = await redshift(B).send(new DescribeEndpointAuthorizationCommand({ Grantee: true, Account: A }));
    expect(grantee.EndpointAuthorizationList?.map((a) => a.ClusterIdentifier)).toEqual(["lake"]);
    const none = await redshift(A).send(new DescribeEndpointAuthorizationCommand({ ClusterIdentifier: "lake", Account: C }));
    expect(none.EndpointAuthorizationList).toEqual([]);
  });

  test("fails to describe authorizations of a cluster the caller does not have: ClusterNotFound", async () => {
    await expectFault(redshift(B).send(new DescribeEndpointAuthorizationCommand({ ClusterIdentifier: "lake", Account: A })), "ClusterNotFoundFault", 404);
  });

  test("fails to revoke an authorization that does not exist: EndpointAuthorizationNotFound", async () => {
    await expectFault(redshift(A).send(new RevokeEndpointAccessCommand({ ClusterIdentifier: "lake", Account: C })), "EndpointAuthorizationNotFoundFault", 404);
  });
});

describe("endpoints", () => {
  beforeAll(async () => {
    await subnetGroup(B, "b1", [SUBNET_B1, STANDBY_B1]);
    await subnetGroup(B, "b2", ["subnet-0b0000000000000b1"]);
    await subnetGroup(C, "c1", ["subnet-0c0000000000000a1"]);
    await subnetGroup(A, "a1", ["subnet-0a0000000000000a1"]);
  });

  test("fails from an account without an authorization: AccessToClusterDenied", async () => {
    await expectFault(createEndpoint(C, "lake-other", "c1"), "AccessToClusterDeniedFault", 400, `Account ${C} is not authorized`);
  });

  test("fails from an authorized account in a VPC the authorization does not cover: AccessToClusterDenied", async () => {
    await expectFault(createEndpoint(B, "lake-ml", "b2"), "AccessToClusterDeniedFault", 400, VPC_B2);
  });

  test("fails with a subnet group the caller does not have: ClusterSubnetGroupNotFoundFault", async () => {
    await expectFault(createEndpoint(B, "lake-bi", "missing"), "ClusterSubnetGroupNotFoundFault", 400);
  });

  test("fails for a cluster the resource owner does not have: ClusterNotFound", async () => {
    await expectFault(createEndpoint(B, "lake-bi", "b1", "nope"), "ClusterNotFoundFault", 404);
  });

  test("fails with a name that breaks the naming rule: InvalidParameterValue", async () => {
    const error = await failure(createEndpoint(B, "Lake--BI-", "b1"));
    expect({ name: error.name, status: error.$metadata.httpStatusCode }).toEqual({ name: "InvalidParameterValue", status: 400 });
  });

  test("fails when cluster relocation is off: UnsupportedOperation", async () => {
    await redshift(A).send(new ModifyClusterCommand({ ClusterIdentifier: "lake", AvailabilityZoneRelocation: false }));
    try {
      await expectFault(createEndpoint(B, "lake-bi", "b1"), "UnsupportedOperationFault", 400, /relocation must be enabled/);
    } finally {
      await redshift(A).send(new ModifyClusterCommand({ ClusterIdentifier: "lake", AvailabilityZoneRelocation: true }));
    }
  });

  test("fails on a cluster that is not RA3: UnsupportedOperation", async () => {
    await redshift(A).send(new ModifyClusterCommand({ ClusterIdentifier: "lake", NodeType: "dc2.large" }));
    try {
      await expectFault(createEndpoint(B, "lake-bi", "b1"), "UnsupportedOperationFault", 400, /only supported on RA3/);
    } finally {
      await redshift(A).send(new ModifyClusterCommand({ ClusterIdentifier: "lake", NodeType: "ra3.xlplus" }));
    }
  });

  test("CreateEndpointAccess from account B: creating, then active, in the group's first subnet with a real ENI", async () => {
    const created = await createEndpoint(B, "lake-bi", "b1");
    expect(created).toMatchObject({ EndpointName: "lake-bi", EndpointStatus: "creating", ClusterIdentifier: "lake", ResourceOwner: A, Port: 5439 });
    expect(created.Address).toMatch(/^lake-bi\.[0-9a-f]+\.ap-northeast-1\.redshift\.amazonaws\.com$/);
    const active = await waitForStatus(B, "lake-bi", "active");
    const eni = active?.VpcEndpoint?.NetworkInterfaces?.[0];
    expect(active?.VpcEndpoint?.NetworkInterfaces).toHaveLength(1);
    expect(active?.VpcEndpoint?.VpcId).toBe(VPC_B1);
    expect(eni?.SubnetId).toBe(SUBNET_B1);

    const subnet = (await ec2(B).send(new DescribeSubnetsCommand({ SubnetIds: [SUBNET_B1] }))).Subnets?.[0];
    expect(eni?.AvailabilityZone).toBe(subnet?.AvailabilityZone);
    const prefix = subnet?.CidrBlock?.split(".").slice(0, 3).join(".");
    expect(eni?.PrivateIpAddress?.startsWith(`${prefix}.`)).toBe(true);

    const described = await ec2(B).send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni?.NetworkInterfaceId ?? ""] }));
    expect(described.NetworkInterfaces?.[0]).toMatchObject({ SubnetId: SUBNET_B1, PrivateIpAddress: eni?.PrivateIpAddress, VpcId: VPC_B1 });
    const vpce = await ec2(B).send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [active?.VpcEndpoint?.VpcEndpointId ?? ""] }));
    expect(vpce.VpcEndpoints?.[0]?.VpcId).toBe(VPC_B1);
  });

  test("without security groups, the endpoint gets the VPC's default group", async () => {
    const endpoint = await waitForStatus(B, "lake-bi", "active");
    const groups = await ec2(B).send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: "vpc-id", Values: [VPC_B1] },
          { Name: "group-name", Values: ["default"] },
        ],
      }),
    );
    expect(endpoint?.VpcSecurityGroups).toEqual([{ VpcSecurityGroupId: groups.SecurityGroups?.[0]?.GroupId, Status: "active" }]);
  });

  test("the grantor sees the endpoint count and the endpoint itself", async () => {
    const grant = await redshift(A).send(new DescribeEndpointAuthorizationCommand({ ClusterIdentifier: "lake", Account: B }));
    expect(grant.EndpointAuthorizationList?.[0]?.EndpointCount).toBe(1);
    const seen = await redshift(A).send(new DescribeEndpointAccessCommand({ ClusterIdentifier: "lake" }));
    expect(seen.EndpointAccessList?.map((e) => e.EndpointName)).toEqual(["lake-bi"]);
  });

  test("fails to create a second endpoint to the cluster from the same VPC: EndpointAlreadyExists", async () => {
    await expectFault(
      createEndpoint(B, "lake-bi-two", "b1"),
      "EndpointAlreadyExistsFault",
      400,
      `The Redshift-managed VPC endpoint for VPC ${VPC_B1} to access cluster already exists`,
    );
  });

  test("fails to reuse an endpoint name in the account: EndpointAlreadyExists", async () => {
    await expectFault(createEndpoint(B, "lake-bi", "b2"), "EndpointAlreadyExistsFault", 400, /lake-bi already exists/);
  });

  test("authorizing account B again with another VPC adds it, and an endpoint there works", async () => {
    const out = await redshift(A).send(new AuthorizeEndpointAccessCommand({ ClusterIdentifier: "lake", Account: B, VpcIds: [VPC_B2] }));
    expect(out.AllowedVPCs).toEqual([VPC_B1, VPC_B2]);
    await createEndpoint(B, "lake-ml", "b2");
    await waitForStatus(B, "lake-ml", "active");
  });

  test("the cluster owner's own account needs no authorization", async () => {
    await createEndpoint(A, "lake-ops", "a1");
    await waitForStatus(A, "lake-ops", "active");
  });

  test("fails to delete or modify an endpoint that is not active: InvalidEndpointState", async () => {
    await redshift(B).send(new ModifyEndpointAccessCommand({ EndpointName: "lake-bi", VpcSecurityGroupIds: [SG_B1] }));
    await expectFault(redshift(B).send(new DeleteEndpointAccessCommand({ EndpointName: "lake-bi" })), "InvalidEndpointStateFault", 400);
    await expectFault(
      redshift(B).send(new ModifyEndpointAccessCommand({ EndpointName: "lake-bi", VpcSecurityGroupIds: [SG_B1] })),
      "InvalidEndpointStateFault",
      400,
    );
    const active = await waitForStatus(B, "lake-bi", "active");
    expect(active?.VpcSecurityGroups).toEqual([{ VpcSecurityGroupId: SG_B1, Status: "active" }]);
  });

  test("fails to describe, modify or delete an endpoint that does not exist: EndpointNotFound", async () => {
    await expectFault(redshift(B).send(new DescribeEndpointAccessCommand({ EndpointName: "nope" })), "EndpointNotFoundFault", 404);
    await expectFault(redshift(B).send(new DeleteEndpointAccessCommand({ EndpointName: "nope" })), "EndpointNotFoundFault", 404);
    await expectFault(redshift(B).send(new ModifyEndpointAccessCommand({ EndpointName: "nope", VpcSecurityGroupIds: [SG_B1] })), "EndpointNotFoundFault", 404);
  });

  test("DeleteEndpointAccess: deleting, then gone with its ENI and VPC endpoint", async () => {
    const endpoint = await waitForStatus(A, "lake-ops", "active");
    const deleted = await redshift(A).send(new DeleteEndpointAccessCommand({ EndpointName: "lake-ops" }));
    expect(deleted.EndpointStatus).toBe("deleting");
    await waitForStatus(A, "lake-ops", "gone");
    const enis = await ec2(A).send(new DescribeNetworkInterfacesCommand({}));
    expect(enis.NetworkInterfaces?.map((n) => n.NetworkInterfaceId)).not.toContain(endpoint?.VpcEndpoint?.NetworkInterfaces?.[0]?.NetworkInterfaceId);
  });

  test("fails to revoke without Force while the grantee's endpoints exist: InvalidAuthorizationState", async () => {
    await expectFault(
      redshift(A).send(new RevokeEndpointAccessCommand({ ClusterIdentifier: "lake", Account: B })),
      "InvalidAuthorizationStateFault",
      400,
      /used by endpoints lake-bi, lake-ml/,
    );
  });

  test("RevokeEndpointAccess with Force deletes the grantee's endpoints and ENIs, then the authorization", async () => {
    const revoked = await redshift(A).send(new RevokeEndpointAccessCommand({ ClusterIdentifier: "lake", Account: B, Force: true }));
    expect(revoked.Status).toBe("Revoking");
    await expectFault(
      redshift(A).send(new AuthorizeEndpointAccessCommand({ ClusterIdentifier: "lake", Account: B, VpcIds: [VPC_B1] })),
      "InvalidAuthorizationStateFault",
      400,
    );
    await waitForStatus(B, "lake-bi", "gone");
    await waitForStatus(B, "lake-ml", "gone");
    await new Promise((r) => setTimeout(r, DELAY_S * 1000 + 200));
    const grants = await redshift(A).send(new DescribeEndpointAuthorizationCommand({ ClusterIdentifier: "lake" }));
    expect(grants.EndpointAuthorizationList).toEqual([]);
    const enis = await ec2(B).send(new DescribeNetworkInterfacesCommand({}));
    expect(enis.NetworkInterfaces).toEqual([]);
  });
});

describe("quotas (lowered in the fixture: 3 grantees, 2 endpoints per authorization, 3 per cluster)", () => {
  const vpcs = ["vpc-0e0000000000000a1", "vpc-0e0000000000000b1", "vpc-0e0000000000000c1"];

  beforeAll(async () => {
    await subnetGroup(Q_OWNER, "own", ["subnet-0d0000000000000a1"]);
    for (const [i, suffix] of ["a1", "b1", "c1"].entries()) await subnetGroup(Q_USER, `d${i + 1}`, [`subnet-0e0000000000000${suffix}`]);
  });

  test("fails to authorize a fourth account: EndpointAuthorizationsPerClusterLimitExceeded", async () => {
    await redshift(Q_OWNER).send(new AuthorizeEndpointAccessCommand({ ClusterIdentifier: "small", Account: Q_USER, VpcIds: vpcs }));
    await redshift(Q_OWNER).send(new AuthorizeEndpointAccessCommand({ ClusterIdentifier: "small", Account: "700000000001" }));
    await redshift(Q_OWNER).send(new AuthorizeEndpointAccessCommand({ ClusterIdentifier: "small", Account: "700000000002" }));
    await expectFault(
      redshift(Q_OWNER).send(new AuthorizeEndpointAccessCommand({ ClusterIdentifier: "small", Account: "700000000003" })),
      "EndpointAuthorizationsPerClusterLimitExceededFault",
      400,
    );
  });

  test("fails to create a fourth endpoint on the cluster: EndpointsPerClusterLimitExceeded", async () => {
    await createEndpoint(Q_USER, "small-d1", "d1", "small", Q_OWNER);
    await createEndpoint(Q_USER, "small-d2", "d2", "small", Q_OWNER);
    await createEndpoint(Q_OWNER, "small-own", "own", "small", Q_OWNER);
    await expectFault(createEndpoint(Q_USER, "small-d3", "d3", "small", Q_OWNER), "EndpointsPerClusterLimitExceededFault", 400);
  });

  test("fails to create a third endpoint under one authorization: EndpointsPerAuthorizationLimitExceeded", async () => {
    await waitForStatus(Q_OWNER, "small-own", "active");
    await redshift(Q_OWNER).send(new DeleteEndpointAccessCommand({ EndpointName: "small-own" }));
    await waitForStatus(Q_OWNER, "small-own", "gone");
    await expectFault(createEndpoint(Q_USER, "small-d3", "d3", "small", Q_OWNER), "EndpointsPerAuthorizationLimitExceededFault", 400);
  });
});

describe("the AWS CLI gets the same error codes", () => {
  const run = promisify(execFile);

  /** Runs `aws` from the emulator's venv as `account`, with the emulator's client environment. */
  async function aws(account: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const creds = await new STSClient(as()).send(new AssumeRoleCommand({ RoleArn: roleArn(account), RoleSessionName: "emulator-cli" }));
    const env = {
      ...withEmulatorEnv(process.env, emulator.url),
      AWS_ACCESS_KEY_ID: creds.Credentials?.AccessKeyId ?? "",
      AWS_SECRET_ACCESS_KEY: creds.Credentials?.SecretAccessKey ?? "",
      AWS_SESSION_TOKEN: creds.Credentials?.SessionToken ?? "",
      AWS_DEFAULT_REGION: REGION,
    };
    try {
      const { stdout, stderr } = await run(emulatorVenvBin("aws"), [...args, "--endpoint-url", emulator.url, "--output", "json"], { env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  beforeAll(async () => {
    await redshift(A).send(new AuthorizeEndpointAccessCommand({ ClusterIdentifier: "lake", Account: B, VpcIds: [VPC_B1] }));
    await createEndpoint(B, "lake-cli", "b1");
  });

  test("fails create-endpoint-access for a second endpoint in the VPC: EndpointAlreadyExists", async () => {
    const out = await aws(B, [
      "redshift",
      "create-endpoint-access",
      "--endpoint-name",
      "lake-cli-two",
      "--subnet-group-name",
      "b1",
      "--cluster-identifier",
      "lake",
      "--resource-owner",
      A,
    ]);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain(
      `(EndpointAlreadyExists) when calling the CreateEndpointAccess operation: The Redshift-managed VPC endpoint for VPC ${VPC_B1} to access cluster already exists`,
    );
  });

  test("fails create-endpoint-access from an unauthorized account: AccessToClusterDenied", async () => {
    const out = await aws(C, [
      "redshift",
      "create-endpoint-access",
      "--endpoint-name",
      "lake-other",
      "--subnet-group-name",
      "c1",
      "--cluster-identifier",
      "lake",
      "--resource-owner",
      A,
    ]);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain("(AccessToClusterDenied) when calling the CreateEndpointAccess operation");
  });

  test("fails authorize-endpoint-access repeating a grant: EndpointAuthorizationAlreadyExists", async () => {
    const out = await aws(A, ["redshift", "authorize-endpoint-access", "--cluster-identifier", "lake", "--account", B, "--vpc-ids", VPC_B1]);
    expect(out.stderr).toContain("(EndpointAuthorizationAlreadyExists) when calling the AuthorizeEndpointAccess operation");
  });

  test("describe-endpoint-access and describe-clusters read what the SDK reads", async () => {
    const endpoints = JSON.parse((await aws(B, ["redshift", "describe-endpoint-access", "--endpoint-name", "lake-cli"])).stdout);
    expect(endpoints.EndpointAccessList[0].EndpointName).toBe("lake-cli");
    const clusters = JSON.parse((await aws(A, ["redshift", "describe-clusters", "--cluster-identifier", "lake"])).stdout);
    expect(clusters.Clusters[0].AvailabilityZoneRelocationStatus).toBe("enabled");
  });

  test("the S3 state bucket exists, and a second conditional PutObject (If-None-Match: *) fails PreconditionFailed, as the lock file needs", async () => {
    const key = ["s3api", "put-object", "--bucket", "emulator-tf-state", "--key", "redshift-endpoints/alpha/x.tflock", "--if-none-match", "*"];
    expect((await aws(B, ["s3api", "head-bucket", "--bucket", "emulator-tf-state"])).code).toBe(0);
    expect((await aws(B, key)).code).toBe(0);
    const again = await aws(B, [...key, "--debug"]);
    expect(again.stderr).toContain("(PreconditionFailed) when calling the PutObject operation");
    expect(again.stderr).toMatch(/HTTP\/1\.1" 412 /);
  });

  test("create-hosted-zone with a VPC and no PrivateZone flag makes a private zone, as the AWS provider relies on", async () => {
    const created = await aws(B, [
      "route53",
      "create-hosted-zone",
      "--name",
      "cli.internal",
      "--caller-reference",
      "cli-1",
      "--vpc",
      `VPCRegion=${REGION},VPCId=${VPC_B1}`,
    ]);
    const id = JSON.parse(created.stdout).HostedZone.Id;
    const zone = JSON.parse((await aws(B, ["route53", "get-hosted-zone", "--id", id])).stdout);
    expect(zone).toMatchObject({ HostedZone: { Config: { PrivateZone: true } }, VPCs: [{ VPCId: VPC_B1, VPCRegion: REGION }] });
  });

  test("route53 has the existing private zone of dns.zoneId", async () => {
    const out = await aws(B, ["route53", "get-hosted-zone", "--id", "Z0EMULATORZONE0001"]);
    expect(JSON.parse(out.stdout).HostedZone).toMatchObject({ Id: "/hostedzone/Z0EMULATORZONE0001", Config: { PrivateZone: true } });
  });
});

describe("seed options break the world as people broke it by hand", () => {
  let broken: RunningEmulator;

  beforeAll(async () => {
    broken = await startEmulator({
      seedConfigFile: "config/environments.json",
      flags: { "relocation-off": true, "node-type": "dc2.large", "cluster-port": 5440 },
    });
  }, 120_000);

  afterAll(async () => {
    await broken?.stop();
  });

  test("the shipped config seeds, on another free port, with relocation off, dc2.large and port 5440", async () => {
    expect(broken.port).not.toBe(emulator.port);
    const client = new RedshiftClient({
      endpoint: broken.url,
      region: REGION,
      maxAttempts: 1,
      credentials: fromTemporaryCredentials({
        params: { RoleArn: "arn:aws:iam::555555555555:role/redshift-endpoints-deploy", RoleSessionName: "broken" },
        masterCredentials: baseCredentials,
        clientConfig: { endpoint: broken.url, region: REGION },
      }),
    });
    const cluster = (await client.send(new DescribeClustersCommand({ ClusterIdentifier: "lake-prod" }))).Clusters?.[0];
    expect(cluster).toMatchObject({ NodeType: "dc2.large", AvailabilityZoneRelocationStatus: "disabled", Endpoint: { Port: 5440 } });
  });
});
