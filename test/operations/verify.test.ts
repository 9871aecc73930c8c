/**
 * `npm run verify`: the post-deploy health check (lib/operations/verify.ts, scripts/verify.ts).
 *
 * No emulator offers these APIs: neither LocalStack nor moto implements the
 * Redshift-managed VPC endpoint calls (DescribeEndpointAccess,
 * DescribeEndpointAuthorization), so every AWS call here is answered by
 * aws-sdk-client-mock. Clients are built with static fake credentials and
 * their `send` is mocked, so no request leaves the process. The only network
 * use is `--connect`, and only against 127.0.0.1: a listening local server
 * for "reachable", a just-closed port for "unreachable".
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeEndpointAccessCommand,
  DescribeEndpointAuthorizationCommand,
  type EndpointAccess,
  type EndpointAuthorization,
  EndpointNotFoundFault,
  RedshiftClient,
} from "@aws-sdk/client-redshift";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { type ClientFactory, type StackTarget, awsClientFactory } from "../../lib/aws/clients";
import { UsageError } from "../../lib/cli/command";
import { selectEnvironment } from "../../lib/cli/environment";
import { type EnvironmentConfig, parseConfig } from "../../lib/config";
import { type CheckResult, type VerifyOptions, type VerifyReport, exitCodeFor, formatJson, formatTable, verifyEnvironment } from "../../lib/operations/verify";
import { STACK_TRACE, tempDir, validConfig } from "../helpers";

// The SDK warns once per process that it will need node >= 22 in 2027; not this suite's concern.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const ROOT = path.join(__dirname, "..", "..");
const PRODUCER = "111111111111";
const CONSUMER = "222222222222";
const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNET = "subnet-0a1b2c3d4e5f60718";
const AZ = "ap-northeast-1a";
const ADDRESS = "lake-dev-bi-endpoint-abc123.111111111111.ap-northeast-1.redshift.amazonaws.com";

const sts = mockClient(STSClient);
const redshift = mockClient(RedshiftClient);
const ec2 = mockClient(EC2Client);

/** The stack each client instance was built for, so one class-level STS mock can answer per stack. */
const targetOf = new WeakMap<object, StackTarget>();
let targets: StackTarget[] = [];

/** Builds real clients with fake static credentials; their `send` is mocked above. */
const fakeClients: ClientFactory = (target) => {
  targets.push(target);
  const config = { region: target.region, credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } };
  const clients = { sts: new STSClient(config), redshift: new RedshiftClient(config), ec2: new EC2Client(config) };
  targetOf.set(clients.sts, target);
  return clients;
};

/** The smallest valid environment: producer 111111111111, consumer "bi" in 222222222222. */
function devEnv(edit: (raw: any) => void = () => undefined): EnvironmentConfig {
  const raw = validConfig();
  edit(raw.environments.dev);
  return parseConfig(raw).environments.dev;
}

function authorization(overrides: Partial<EndpointAuthorization> = {}): EndpointAuthorization {
  return {
    Grantor: PRODUCER,
    Grantee: CONSUMER,
    ClusterIdentifier: "lake-dev",
    Status: "Authorized",
    AllowedAllVPCs: false,
    AllowedVPCs: [VPC],
    EndpointCount: 1,
    ...overrides,
  };
}

function endpoint(overrides: Partial<EndpointAccess> = {}): EndpointAccess {
  return {
    ClusterIdentifier: "lake-dev",
    ResourceOwner: PRODUCER,
    EndpointName: "lake-dev-bi",
    EndpointStatus: "active",
    Address: ADDRESS,
    Port: 5439,
    VpcEndpoint: {
      VpcEndpointId: "vpce-0123456789abcdef0",
      VpcId: VPC,
      NetworkInterfaces: [{ NetworkInterfaceId: "eni-0123456789abcdef0", SubnetId: SUBNET, PrivateIpAddress: "10.20.1.25", AvailabilityZone: AZ }],
    },
    ...overrides,
  };
}

/** Every stack's credentials are for its own account, and everything is deployed as configured. */
function healthyAws(accounts: Readonly<Record<string, string>> = {}): void {
  sts.on(GetCallerIdentityCommand).callsFake(async (_input, getClient) => {
    const target = targetOf.get(getClient());
    const account = accounts[target?.stack ?? ""] ?? target?.accountId;
    return { Account: account, Arn: `arn:aws:sts::${account}:assumed-role/deploy/redshift-endpoints-verify`, UserId: "AROATEST:verify" };
  });
  redshift.on(DescribeEndpointAuthorizationCommand).resolves({ EndpointAuthorizationList: [authorization()] });
  redshift.on(DescribeEndpointAccessCommand).resolves({ EndpointAccessList: [endpoint()] });
  ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: SUBNET, AvailabilityZone: AZ, VpcId: VPC }] });
}

function verify(options: Partial<VerifyOptions> = {}): Promise<VerifyReport> {
  return verifyEnvironment({ environment: "dev", config: devEnv(), clients: fakeClients, ...options });
}

function row(report: VerifyReport, stack: string, check: CheckResult["check"], subject?: string): CheckResult {
  const found = report.checks.find((c) => c.stack === stack && c.check === check && (subject === undefined || c.subject === subject));
  if (found === undefined) throw new Error(`no ${check} row for ${stack}; rows: ${JSON.stringify(report.checks, null, 2)}`);
  return found;
}

/** Only the rows that are not OK, as `stack check status`. */
function problems(report: VerifyReport): string[] {
  return report.checks.filter((c) => c.status !== "OK").map((c) => `${c.stack} ${c.check} ${c.status}`);
}

/** A server listening on 127.0.0.1, and its port. */
async function loopbackServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A port on 127.0.0.1 that nothing listens on: bound, then released. */
async function closedLoopbackPort(): Promise<number> {
  const server = await loopbackServer();
  await server.close();
  return server.port;
}

/** An environment whose endpoint answers on 127.0.0.1:`port`, and that expects that port. */
function loopbackEnv(port: number): EnvironmentConfig {
  const env = devEnv();
  redshift.on(DescribeEndpointAccessCommand).resolves({ EndpointAccessList: [endpoint({ Address: "127.0.0.1", Port: port })] });
  return { ...env, producer: { ...env.producer, port } };
}

beforeEach(() => {
  sts.reset();
  redshift.reset();
  ec2.reset();
  targets = [];
});

afterAll(() => {
  sts.restore();
  redshift.restore();
  ec2.restore();
});

describe("verify: healthy", () => {
  test("a deployed environment is healthy: every check OK, exit 0", async () => {
    healthyAws();
    const report = await verify();
    expect(problems(report)).toEqual([]);
    expect(report.healthy).toBe(true);
    expect(exitCodeFor(report)).toBe(0);
    expect(report.checks.map((c) => `${c.stack} ${c.check}${c.subject ? ` ${c.subject}` : ""}`)).toEqual([
      "dev-producer identity",
      `dev-producer authorization ${CONSUMER}`,
      "dev-consumer-bi identity",
      "dev-consumer-bi endpoint lake-dev-bi",
      "dev-consumer-bi subnet",
      "dev-consumer-bi az",
    ]);
    expect(row(report, "dev-producer", "authorization").detail).toBe(`Authorized for ${VPC}`);
    expect(row(report, "dev-consumer-bi", "endpoint").detail).toBe(`active at ${ADDRESS}:5439 (10.20.1.25)`);
    expect(row(report, "dev-consumer-bi", "az").detail).toBe(`${AZ}, the AZ of ${SUBNET}`);
  });

  test("assumes each stack's roleArn in the environment's region", async () => {
    healthyAws();
    await verify();
    expect(targets).toEqual([
      { stack: "dev-producer", role: "producer", accountId: PRODUCER, roleArn: `arn:aws:iam::${PRODUCER}:role/deploy`, region: "ap-northeast-1" },
      { stack: "dev-consumer-bi", role: "consumer", accountId: CONSUMER, roleArn: `arn:aws:iam::${CONSUMER}:role/deploy`, region: "ap-northeast-1" },
    ]);
  });

  test("the default factory builds every client in the environment's region", async () => {
    const clients = awsClientFactory({ roleSessionName: "test" })({
      stack: "dev-producer",
      role: "producer",
      accountId: PRODUCER,
      roleArn: `arn:aws:iam::${PRODUCER}:role/deploy`,
      region: "eu-west-1",
    });
    try {
      expect(await Promise.all([clients.sts.config.region(), clients.redshift.config.region(), clients.ec2.config.region()])).toEqual([
        "eu-west-1",
        "eu-west-1",
        "eu-west-1",
      ]);
    } finally {
      for (const c of [clients.sts, clients.redshift, clients.ec2]) c.destroy();
    }
  });

  test("asks AWS with the producer's cluster and account and the consumer's subnet", async () => {
    healthyAws();
    await verify();
    expect(redshift.commandCalls(DescribeEndpointAuthorizationCommand).map((c) => c.args[0].input)).toEqual([
      { ClusterIdentifier: "lake-dev", Account: CONSUMER, Grantee: false },
    ]);
    expect(redshift.commandCalls(DescribeEndpointAccessCommand).map((c) => c.args[0].input)).toEqual([
      { EndpointName: "lake-dev-bi", ResourceOwner: PRODUCER, ClusterIdentifier: "lake-dev" },
    ]);
    expect(ec2.commandCalls(DescribeSubnetsCommand).map((c) => c.args[0].input)).toEqual([{ SubnetIds: [SUBNET] }]);
  });

  test("expects one authorization per grantee account with all its VPCs, and none for a same-account consumer", async () => {
    healthyAws();
    const env = devEnv((dev) => {
      const bi = dev.consumers[0];
      dev.consumers.push(
        { ...bi, name: "ml", vpcId: "vpc-1b2c3d4e5f6071829", subnetIds: ["subnet-1b2c3d4e5f6071829"], endpointName: "lake-dev-ml" },
        { ...bi, name: "ops", accountId: PRODUCER, roleArn: undefined, vpcId: "vpc-2c3d4e5f607182930", endpointName: "lake-dev-ops" },
      );
    });
    redshift.on(DescribeEndpointAuthorizationCommand).resolves({ EndpointAuthorizationList: [authorization({ AllowedVPCs: ["vpc-1b2c3d4e5f6071829", VPC] })] });
    const report = await verify({ config: env });
    expect(report.checks.filter((c) => c.check === "authorization").map((c) => [c.subject, c.status])).toEqual([[CONSUMER, "OK"]]);
    expect(redshift.commandCalls(DescribeEndpointAuthorizationCommand)).toHaveLength(1);
    expect(targets.find((t) => t.stack === "dev-consumer-ops")?.roleArn).toBeUndefined();
  });

  test("the status check is case-insensitive", async () => {
    healthyAws();
    redshift.on(DescribeEndpointAccessCommand).resolves({ EndpointAccessList: [endpoint({ EndpointStatus: "Active" })] });
    redshift.on(DescribeEndpointAuthorizationCommand).resolves({ EndpointAuthorizationList: [authorization({ Status: "authorized" as "Authorized" })] });
    expect(problems(await verify())).toEqual([]);
  });

  test("runs independent checks concurrently, never more than the bound at once", async () => {
    healthyAws();
    let inFlight = 0;
    let most = 0;
    redshift.on(DescribeEndpointAccessCommand).callsFake(async (input: { EndpointName: string }) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
      return { EndpointAccessList: [endpoint({ EndpointName: input.EndpointName })] };
    });
    const others = { c1: "333333333333", c2: "444444444444", c3: "555555555555" };
    const vpcOf: Record<string, string> = { [CONSUMER]: VPC, "333333333333": "vpc-00000001", "444444444444": "vpc-00000002", "555555555555": "vpc-00000003" };
    redshift.on(DescribeEndpointAuthorizationCommand).callsFake(async (input: { Account: string }) => ({
      EndpointAuthorizationList: [authorization({ Grantee: input.Account, AllowedVPCs: [vpcOf[input.Account]] })],
    }));
    const env = devEnv((dev) => {
      const bi = dev.consumers[0];
      for (const [name, accountId] of Object.entries(others)) {
        dev.consumers.push({ ...bi, name, accountId, roleArn: undefined, vpcId: vpcOf[accountId], endpointName: `lake-dev-${name}` });
      }
    });
    const report = await verify({ config: env, concurrency: 2 });
    expect(problems(report)).toEqual([]);
    expect(most).toBe(2);
  });
});

describe("verify: unhealthy", () => {
  test.each(["creating", "modifying"])("reports a %s endpoint as PENDING: wait and re-run, exit 1", async (status) => {
    healthyAws();
    redshift
      .on(DescribeEndpointAccessCommand)
      .resolves({ EndpointAccessList: [endpoint({ EndpointStatus: status, Address: undefined, VpcEndpoint: undefined })] });
    const report = await verify({ connect: true, probe: () => Promise.reject(new Error("must not connect")) });
    expect(problems(report)).toEqual([
      "dev-consumer-bi endpoint PENDING",
      "dev-consumer-bi subnet SKIPPED",
      "dev-consumer-bi az SKIPPED",
      "dev-consumer-bi connect SKIPPED",
    ]);
    expect(row(report, "dev-consumer-bi", "endpoint").detail).toBe(
      `status ${status}: AWS is still working on it; wait a few minutes and re-run npm run verify -- dev`,
    );
    expect(row(report, "dev-consumer-bi", "subnet").detail).toBe(`no network interface yet (endpoint is ${status})`);
    expect(exitCodeFor(report)).toBe(1);
    expect(formatTable(report)).toContain(
      "dev: UNHEALTHY (3 OK, 1 PENDING, 3 SKIPPED); endpoints still being created or modified: wait a few minutes and re-run npm run verify -- dev",
    );
  });

  test.each([
    ["an empty list", () => redshift.on(DescribeEndpointAccessCommand).resolves({ EndpointAccessList: [] })],
    [
      "EndpointNotFoundFault",
      () => redshift.on(DescribeEndpointAccessCommand).rejects(new EndpointNotFoundFault({ message: "Endpoint lake-dev-bi not found.", $metadata: {} })),
    ],
  ])("reports a missing endpoint (%s) as MISSING, exit 1", async (_how, arrange) => {
    healthyAws();
    arrange();
    const report = await verify();
    expect(problems(report)).toEqual(["dev-consumer-bi endpoint MISSING", "dev-consumer-bi subnet SKIPPED", "dev-consumer-bi az SKIPPED"]);
    expect(row(report, "dev-consumer-bi", "endpoint").detail).toBe(
      `no endpoint lake-dev-bi in account ${CONSUMER} for cluster lake-dev (owner ${PRODUCER}); deploy dev-consumer-bi`,
    );
    expect(row(report, "dev-consumer-bi", "az").detail).toBe(`skipped: no endpoint to inspect; ${SUBNET} is in ${AZ}`);
    expect(report.healthy).toBe(false);
  });

  test("reports a missing authorization as MISSING, exit 1", async () => {
    healthyAws();
    redshift.on(DescribeEndpointAuthorizationCommand).resolves({ EndpointAuthorizationList: [] });
    const report = await verify();
    expect(problems(report)).toEqual(["dev-producer authorization MISSING"]);
    expect(row(report, "dev-producer", "authorization").detail).toBe(`no authorization for account ${CONSUMER} on cluster lake-dev; deploy dev-producer`);
    expect(exitCodeFor(report)).toBe(1);
  });

  test.each([
    ["a missing VPC", { AllowedVPCs: [] }, `missing VPC ${VPC}; expected Authorized for ${VPC}; deploy dev-producer to converge`],
    [
      "an extra VPC",
      { AllowedVPCs: [VPC, "vpc-0fffffffffffffff0"] },
      `unexpected VPC vpc-0fffffffffffffff0 (not in the config); expected Authorized for ${VPC}; deploy dev-producer to converge`,
    ],
    [
      "all VPCs allowed",
      { AllowedAllVPCs: true, AllowedVPCs: [] },
      `allows all VPCs, expected only the configured ones; missing VPC ${VPC}; expected Authorized for ${VPC}; deploy dev-producer to converge`,
    ],
    [
      "a revoking authorization",
      { Status: "Revoking" as const },
      `status is Revoking, expected Authorized; expected Authorized for ${VPC}; deploy dev-producer to converge`,
    ],
  ])("fails on an unauthorized VPC list: %s", async (_case, overrides, message) => {
    healthyAws();
    redshift.on(DescribeEndpointAuthorizationCommand).resolves({ EndpointAuthorizationList: [authorization(overrides)] });
    const report = await verify();
    expect(problems(report)).toEqual(["dev-producer authorization FAIL"]);
    expect(row(report, "dev-producer", "authorization").detail).toBe(message);
  });

  test("fails on a wrong subnet, naming the config path", async () => {
    healthyAws();
    const eni = { SubnetId: "subnet-0ffffffffffffffff", AvailabilityZone: "ap-northeast-1c", PrivateIpAddress: "10.20.9.9" };
    redshift.on(DescribeEndpointAccessCommand).resolves({ EndpointAccessList: [endpoint({ VpcEndpoint: { VpcId: VPC, NetworkInterfaces: [eni] } })] });
    const report = await verify();
    expect(problems(report)).toEqual(["dev-consumer-bi subnet FAIL", "dev-consumer-bi az FAIL"]);
    expect(row(report, "dev-consumer-bi", "subnet").detail).toBe(
      `the endpoint's network interface is in subnet-0ffffffffffffffff, expected ${SUBNET} (environments.dev.consumers[0].subnetIds[0])`,
    );
    expect(row(report, "dev-consumer-bi", "az").detail).toBe(`the endpoint is in ap-northeast-1c, but ${SUBNET} is in ${AZ}`);
  });

  test("fails when the configured subnet does not exist", async () => {
    healthyAws();
    ec2
      .on(DescribeSubnetsCommand)
      .rejects(Object.assign(new Error("The subnet ID 'subnet-0a1b2c3d4e5f60718' does not exist"), { name: "InvalidSubnetID.NotFound" }));
    const report = await verify();
    expect(problems(report)).toEqual(["dev-consumer-bi az FAIL"]);
    expect(row(report, "dev-consumer-bi", "az").detail).toBe(`configured subnet ${SUBNET} not found in this account and region`);
  });

  test("fails on an endpoint that is not on the cluster's port", async () => {
    healthyAws();
    redshift.on(DescribeEndpointAccessCommand).resolves({ EndpointAccessList: [endpoint({ Port: 5440 })] });
    const report = await verify();
    expect(row(report, "dev-consumer-bi", "endpoint")).toMatchObject({
      status: "FAIL",
      detail: `active at ${ADDRESS}:5440 (10.20.1.25), but expected port 5439 (environments.dev.producer.port)`,
    });
  });

  test("fails on a deleting endpoint", async () => {
    healthyAws();
    redshift.on(DescribeEndpointAccessCommand).resolves({ EndpointAccessList: [endpoint({ EndpointStatus: "deleting" })] });
    const report = await verify();
    expect(row(report, "dev-consumer-bi", "endpoint")).toMatchObject({ status: "FAIL", detail: "status deleting, expected active" });
  });

  test("fails on wrong-account credentials and skips what depends on them", async () => {
    healthyAws({ "dev-producer": "999999999999" });
    const report = await verify();
    expect(problems(report)).toEqual(["dev-producer identity FAIL", "dev-producer authorization SKIPPED"]);
    expect(row(report, "dev-producer", "identity").detail).toBe(
      `wrong account: role arn:aws:iam::${PRODUCER}:role/deploy gave account 999999999999 ` +
        `(arn:aws:sts::999999999999:assumed-role/deploy/redshift-endpoints-verify), expected ${PRODUCER} (environments.dev.producer.accountId); ` +
        "check environments.dev.producer.roleArn",
    );
    expect(row(report, "dev-producer", "authorization").detail).toBe("skipped: no credentials for the producer account (see identity)");
    expect(redshift.commandCalls(DescribeEndpointAuthorizationCommand)).toHaveLength(0);
    expect(exitCodeFor(report)).toBe(1);
  });

  test("fails readably when credentials cannot be obtained", async () => {
    healthyAws();
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }));
    const report = await verify();
    expect(row(report, "dev-consumer-bi", "identity").detail).toBe(
      `cannot get credentials from role arn:aws:iam::${CONSUMER}:role/deploy: CredentialsProviderError: Could not load credentials from any providers; ` +
        "configure AWS credentials here (AWS_PROFILE, environment variables, SSO) that may assume it",
    );
    expect(problems(report)).toEqual([
      "dev-producer identity FAIL",
      "dev-producer authorization SKIPPED",
      "dev-consumer-bi identity FAIL",
      "dev-consumer-bi endpoint SKIPPED",
      "dev-consumer-bi subnet SKIPPED",
      "dev-consumer-bi az SKIPPED",
    ]);
    expect(formatTable(report)).not.toMatch(STACK_TRACE);
  });

  test("fails readably when an AWS call is denied", async () => {
    healthyAws();
    redshift
      .on(DescribeEndpointAuthorizationCommand)
      .rejects(Object.assign(new Error("User is not authorized to perform: redshift:DescribeEndpointAuthorization"), { name: "AccessDenied" }));
    const report = await verify();
    expect(row(report, "dev-producer", "authorization")).toMatchObject({
      status: "FAIL",
      detail: "DescribeEndpointAuthorization failed: AccessDenied: User is not authorized to perform: redshift:DescribeEndpointAuthorization",
    });
  });
});

describe("verify --connect (127.0.0.1 only)", () => {
  test("a listening port is reachable", async () => {
    healthyAws();
    const server = await loopbackServer();
    try {
      const report = await verify({ config: loopbackEnv(server.port), connect: true, connectTimeoutMs: 2000 });
      expect(problems(report)).toEqual([]);
      expect(row(report, "dev-consumer-bi", "connect").detail).toMatch(new RegExp(`^reachable: connected to 127\\.0\\.0\\.1:${server.port} in \\d+ ms$`));
    } finally {
      await server.close();
    }
  });

  test("reports a closed port as UNREACHABLE, exit 1", async () => {
    healthyAws();
    const port = await closedLoopbackPort();
    const report = await verify({ config: loopbackEnv(port), connect: true, connectTimeoutMs: 2000 });
    expect(problems(report)).toEqual(["dev-consumer-bi connect UNREACHABLE"]);
    expect(row(report, "dev-consumer-bi", "connect").detail).toBe(
      `unreachable: no TCP connection to 127.0.0.1:${port}: connection refused (ECONNREFUSED); ` +
        `this host must be inside ${VPC} (or routed to it) and within allowedCidrs 10.20.0.0/16`,
    );
    expect(exitCodeFor(report)).toBe(1);
  });

  test("reports a timeout as UNREACHABLE, passing --timeout-ms to the probe", async () => {
    healthyAws();
    const calls: [string, number, number][] = [];
    const report = await verify({
      connect: true,
      connectTimeoutMs: 50,
      probe: async (host, port, timeoutMs) => {
        calls.push([host, port, timeoutMs]);
        return { reachable: false, elapsedMs: timeoutMs, reason: `no answer within ${timeoutMs} ms` };
      },
    });
    expect(calls).toEqual([[ADDRESS, 5439, 50]]);
    expect(row(report, "dev-consumer-bi", "connect")).toMatchObject({ status: "UNREACHABLE" });
    expect(row(report, "dev-consumer-bi", "connect").detail).toContain(`no TCP connection to ${ADDRESS}:5439: no answer within 50 ms`);
  });

  test("without --connect nothing connects", async () => {
    healthyAws();
    const report = await verify({ probe: () => Promise.reject(new Error("must not connect")) });
    expect(report.checks.some((c) => c.check === "connect")).toBe(false);
  });
});

describe("verify output", () => {
  test("the table has fixed-width columns and a summary line", async () => {
    healthyAws();
    const table = formatTable(await verify());
    const lines = table.split("\n");
    expect(lines[0]).toBe("Environment dev (ap-northeast-1)");
    expect(lines[2]).toMatch(/^STACK +CHECK +STATUS +DETAIL$/);
    const statusColumn = lines[2].indexOf("STATUS");
    for (const line of lines.slice(4, 10)) expect(line.slice(statusColumn, statusColumn + 3)).toBe("OK ");
    expect(lines).toContain(`dev-consumer-bi  endpoint lake-dev-bi        OK      active at ${ADDRESS}:5439 (10.20.1.25)`);
    expect(table.trimEnd().split("\n").pop()).toBe("dev: HEALTHY (6 OK)");
  });

  test("--json prints the report: environment, health, checks, endpoint facts, counts", async () => {
    healthyAws();
    redshift.on(DescribeEndpointAccessCommand).resolves({ EndpointAccessList: [endpoint({ EndpointStatus: "creating" })] });
    const json = JSON.parse(formatJson(await verify()));
    expect(Object.keys(json)).toEqual(["environment", "region", "healthy", "checks", "endpoints", "counts"]);
    expect(json).toMatchObject({ environment: "dev", region: "ap-northeast-1", healthy: false });
    expect(json.checks[3]).toEqual({
      stack: "dev-consumer-bi",
      check: "endpoint",
      subject: "lake-dev-bi",
      status: "PENDING",
      detail: "status creating: AWS is still working on it; wait a few minutes and re-run npm run verify -- dev",
    });
    expect(json.endpoints).toEqual([
      {
        stack: "dev-consumer-bi",
        endpointName: "lake-dev-bi",
        status: "creating",
        address: ADDRESS,
        port: 5439,
        privateIpAddress: "10.20.1.25",
        vpcEndpointId: "vpce-0123456789abcdef0",
        subnetId: SUBNET,
        availabilityZone: AZ,
        expectedSubnetId: SUBNET,
        expectedAvailabilityZone: AZ,
      },
    ]);
    expect(json.counts).toEqual({ OK: 5, PENDING: 1, MISSING: 0, FAIL: 0, UNREACHABLE: 0, SKIPPED: 0 });
  });

  test("fails on an unknown environment with a usage error, naming the known ones", () => {
    expect(() => selectEnvironment(parseConfig(validConfig()), "qa", "config/environments.json")).toThrow(
      new UsageError('unknown environment "qa": config/environments.json defines "dev"'),
    );
  });
});

describe("npm run verify (the script, in its own process, no AWS calls)", () => {
  function run(args: string[], env: Record<string, string> = {}) {
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "run-ts.js"), path.join(ROOT, "scripts", "verify.ts"), ...args], {
      cwd: ROOT,
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true", ...env },
      encoding: "utf8",
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  test("--help prints usage and exits 0", () => {
    const r = run(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run verify -- <environment> \[options\]/);
    for (const option of ["--connect", "--timeout-ms MS", "--json", "-h, --help", "REDSHIFT_ENDPOINTS_CONFIG"]) expect(r.stdout).toContain(option);
    expect(r.stdout).toContain("Exit codes:\n  0  healthy\n  1  something is unhealthy, or the check could not run\n  2  bad usage\n");
  });

  test.each([
    ["an unknown environment", ["qa"], 'verify: unknown environment "qa": config/environments.json defines "dev", "stg", "prod"\n'],
    [
      "an unknown flag",
      ["dev", "--bogus"],
      "verify: Unknown option '--bogus'\nUsage: npm run verify -- <environment> [options]\nRun npm run verify -- --help for the options.\n",
    ],
    ["no environment", [], "verify: missing <environment>\n"],
    ["two environments", ["dev", "stg"], 'verify: unexpected argument "stg"\n'],
    ["a bad timeout", ["dev", "--connect", "--timeout-ms", "0"], 'verify: --timeout-ms must be a positive whole number of milliseconds; got "0"\n'],
  ])("fails on %s with exit 2 and no stack trace", (_case, args, message) => {
    const r = run(args);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.stdout).toBe("");
    expect(r.status).toBe(2);
  });

  test("fails on an invalid config file with exit 1 and the JSON path", () => {
    const dir = tempDir();
    const config = validConfig();
    config.environments.dev.consumers[0].subnetIds = [];
    fs.writeFileSync(path.join(dir, "c.json"), JSON.stringify(config));
    const r = run(["dev"], { REDSHIFT_ENDPOINTS_CONFIG: path.join(dir, "c.json") });
    expect(r.stderr).toContain("environments.dev.consumers[0].subnetIds: must hold exactly 1 subnet");
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.status).toBe(1);
  });
});
