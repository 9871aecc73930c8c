/**
 * The bad-input matrix: every rule, run through the real synth command.
 * Each case asserts that synth fails, that the message names the field's
 * JSON path and the rule, that there is no stack trace, and that no stack
 * file is written.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { STACK_TRACE, runSynth, runSynthFile, tempDir, validConfig } from "../helpers";

type Config = ReturnType<typeof validConfig>;
const C = "environments.dev.consumers[0]";
const P = "environments.dev.producer";

/** A second consumer in a new VPC of the same account. */
function addConsumer(c: Config, n: number, extra: Record<string, unknown> = {}) {
  const hex = n.toString(16).padStart(2, "0");
  c.environments.dev.consumers.push({
    ...c.environments.dev.consumers[0],
    name: `team${n}`,
    vpcId: `vpc-0a1b2c3d4e5f607${hex}`,
    endpointName: `lake-dev-team${n}`,
    ...extra,
  });
}

function accountOf(n: number) {
  return String(300000000000 + n);
}

function secondEnv(c: Config, consumer: Record<string, unknown> = {}) {
  c.environments.stg = structuredClone(c.environments.dev);
  Object.assign(c.environments.stg.consumers[0], consumer);
}

const set = (f: (c: Config) => void) => f;

const cases: Array<[string, string, (c: Config) => void, RegExp]> = [
  // Subnets, VPC and security-group ids
  [
    "two subnets",
    `${C}.subnetIds`,
    set((c) => c.environments.dev.consumers[0].subnetIds.push("subnet-0a1b2c3d")),
    /exactly 1 subnet: AWS places the endpoint's network interface in a subnet it picks from the subnet group/,
  ],
  ["no subnet", `${C}.subnetIds`, set((c) => (c.environments.dev.consumers[0].subnetIds = [])), /exactly 1 subnet/],
  [
    "short subnet id",
    `${C}.subnetIds[0]`,
    set((c) => (c.environments.dev.consumers[0].subnetIds = ["subnet-123"])),
    /`subnet-` followed by 8 or 17 lowercase hex/,
  ],
  ["uppercase subnet id", `${C}.subnetIds[0]`, set((c) => (c.environments.dev.consumers[0].subnetIds = ["subnet-0A1B2C3D"])), /8 or 17 lowercase hex/],
  ["subnet id of 12 hex", `${C}.subnetIds[0]`, set((c) => (c.environments.dev.consumers[0].subnetIds = ["subnet-0a1b2c3d4e5f"])), /8 or 17 lowercase hex/],
  ["malformed VPC id", `${C}.vpcId`, set((c) => (c.environments.dev.consumers[0].vpcId = "vpc-xyz")), /`vpc-` followed by 8 or 17 lowercase hex/],
  ["subnet id given as VPC id", `${C}.vpcId`, set((c) => (c.environments.dev.consumers[0].vpcId = "subnet-0a1b2c3d")), /`vpc-`/],
  [
    "malformed security group id",
    `${C}.securityGroupIds[0]`,
    set((c) => (c.environments.dev.consumers[0].securityGroupIds = ["sg-1"])),
    /`sg-` followed by 8 or 17/,
  ],
  [
    "standby subnet equal to the active one",
    `${C}.standbySubnetIds[0]`,
    set((c) => (c.environments.dev.consumers[0].standbySubnetIds = ["subnet-0a1b2c3d4e5f60718"])),
    /is the active subnet/,
  ],
  // Endpoint name
  [
    "endpoint name of 31 characters",
    `${C}.endpointName`,
    set((c) => (c.environments.dev.consumers[0].endpointName = "a".repeat(31))),
    /must be 1-30 characters \(has 31\)/,
  ],
  ["empty endpoint name", `${C}.endpointName`, set((c) => (c.environments.dev.consumers[0].endpointName = "")), /must be 1-30 characters \(has 0\)/],
  [
    "endpoint name starting with a digit",
    `${C}.endpointName`,
    set((c) => (c.environments.dev.consumers[0].endpointName = "1lake")),
    /must start with a lowercase letter/,
  ],
  [
    "endpoint name with uppercase",
    `${C}.endpointName`,
    set((c) => (c.environments.dev.consumers[0].endpointName = "lAke")),
    /only lowercase letters, digits and hyphens/,
  ],
  [
    "endpoint name with underscore",
    `${C}.endpointName`,
    set((c) => (c.environments.dev.consumers[0].endpointName = "lake_dev")),
    /only lowercase letters, digits and hyphens/,
  ],
  ["endpoint name with two hyphens", `${C}.endpointName`, set((c) => (c.environments.dev.consumers[0].endpointName = "lake--dev")), /two consecutive hyphens/],
  [
    "endpoint name ending with a hyphen",
    `${C}.endpointName`,
    set((c) => (c.environments.dev.consumers[0].endpointName = "lake-dev-")),
    /must not end with a hyphen/,
  ],
  [
    "endpoint name reused in the same account and region",
    "environments.stg.consumers[0].endpointName",
    set((c) => secondEnv(c, { vpcId: "vpc-0a1b2c3d4e5f607ff" })),
    /unique per consumer account and region; environments\.dev\.consumers\[0\]\.endpointName already uses "lake-dev-bi"/,
  ],
  // Port
  ["port below the ranges", `${P}.port`, set((c) => (c.environments.dev.producer.port = 5430)), /5431-5455 or 8191-8215/],
  ["port between the ranges", `${P}.port`, set((c) => (c.environments.dev.producer.port = 5456)), /5431-5455 or 8191-8215/],
  ["port above the ranges", `${P}.port`, set((c) => (c.environments.dev.producer.port = 8216)), /5431-5455 or 8191-8215/],
  ["fractional port", `${P}.port`, set((c) => (c.environments.dev.producer.port = 5439.5)), /whole number/],
  ["port as a string", `${P}.port`, set((c) => (c.environments.dev.producer.port = "5439")), /must be a number/],
  // Accounts, roles, regions
  ["11-digit account id", `${P}.accountId`, set((c) => (c.environments.dev.producer.accountId = "11111111111")), /12-digit AWS account id/],
  ["account id with letters", `${C}.accountId`, set((c) => (c.environments.dev.consumers[0].accountId = "22222222222x")), /12-digit AWS account id/],
  ["account id as a number", `${C}.accountId`, set((c) => (c.environments.dev.consumers[0].accountId = 222222222222)), /must be a string/],
  [
    "user ARN instead of a role",
    `${P}.roleArn`,
    set((c) => (c.environments.dev.producer.roleArn = "arn:aws:iam::111111111111:user/deploy")),
    /must be an IAM role ARN/,
  ],
  [
    "producer role in another account",
    `${P}.roleArn`,
    set((c) => (c.environments.dev.producer.roleArn = "arn:aws:iam::999999999999:role/deploy")),
    /own account 111111111111, but it is in account 999999999999/,
  ],
  [
    "consumer role in another account",
    `${C}.roleArn`,
    set((c) => (c.environments.dev.consumers[0].roleArn = "arn:aws:iam::111111111111:role/deploy")),
    /own account 222222222222, but it is in account 111111111111/,
  ],
  [
    "consumer read-only role in another account",
    `${C}.readOnlyRoleArn`,
    set((c) => (c.environments.dev.consumers[0].readOnlyRoleArn = "arn:aws:iam::111111111111:role/read")),
    /own account 222222222222, but it is in account 111111111111/,
  ],
  [
    "read-only role that is a user",
    `${P}.readOnlyRoleArn`,
    set((c) => (c.environments.dev.producer.readOnlyRoleArn = "arn:aws:iam::111111111111:user/read")),
    /must be an IAM role ARN/,
  ],
  ["unknown region", "environments.dev.region", set((c) => (c.environments.dev.region = "ap-northeast-9")), /AWS region code/],
  ["region given as a city", "environments.dev.region", set((c) => (c.environments.dev.region = "Tokyo")), /AWS region code/],
  // Network
  ["IPv4 prefix over 32", `${C}.allowedCidrs[0]`, set((c) => (c.environments.dev.consumers[0].allowedCidrs = ["10.20.0.0/33"])), /prefix length must be 1-32/],
  ["address without a prefix", `${C}.allowedCidrs[0]`, set((c) => (c.environments.dev.consumers[0].allowedCidrs = ["10.20.0.0"])), /IPv4 or IPv6 CIDR/],
  ["octet over 255", `${C}.allowedCidrs[0]`, set((c) => (c.environments.dev.consumers[0].allowedCidrs = ["10.256.0.0/16"])), /IPv4 or IPv6 CIDR/],
  ["IPv4 /0", `${C}.allowedCidrs[0]`, set((c) => (c.environments.dev.consumers[0].allowedCidrs = ["0.0.0.0/0"])), /must not be \/0/],
  ["IPv6 /0", `${C}.allowedCidrs[0]`, set((c) => (c.environments.dev.consumers[0].allowedCidrs = ["::/0"])), /must not be \/0/],
  [
    "host bits set",
    `${C}.allowedCidrs[0]`,
    set((c) => (c.environments.dev.consumers[0].allowedCidrs = ["10.20.1.0/16"])),
    /host bits must be zero \(did you mean 10\.20\.0\.0\/16\?\)/,
  ],
  ["broken IPv6", `${C}.allowedCidrs[0]`, set((c) => (c.environments.dev.consumers[0].allowedCidrs = ["2001:db8::zz/64"])), /IPv4 or IPv6 CIDR/],
  ["no CIDR", `${C}.allowedCidrs`, set((c) => (c.environments.dev.consumers[0].allowedCidrs = [])), /at least one client CIDR/],
  [
    "duplicate CIDR",
    `${C}.allowedCidrs[1]`,
    set((c) => (c.environments.dev.consumers[0].allowedCidrs = ["10.20.0.0/16", "10.20.0.0/16"])),
    /duplicates allowedCidrs\[0\]/,
  ],
  // EndpointAlreadyExists and authorizations
  [
    "two endpoints for one cluster in one VPC",
    "environments.dev.consumers[1].vpcId",
    set((c) => addConsumer(c, 2, { vpcId: "vpc-0a1b2c3d4e5f60718" })),
    /EndpointAlreadyExists: cluster lake-dev .* already gets an endpoint in vpc-0a1b2c3d4e5f60718 from environments\.dev\.consumers\[0\]/,
  ],
  [
    "the same cluster and VPC in two environments",
    "environments.stg.consumers[0].vpcId",
    set((c) => secondEnv(c, { endpointName: "lake-stg-bi" })),
    /EndpointAlreadyExists: .* from environments\.dev\.consumers\[0\]/,
  ],
  [
    "one account authorized by two environments",
    "environments.stg.consumers[0].accountId",
    set((c) => secondEnv(c, { endpointName: "lake-stg-bi", vpcId: "vpc-0a1b2c3d4e5f607ff" })),
    /AuthorizationAlreadyExists: environments\.dev\.producer already authorizes account 222222222222/,
  ],
  // Quotas
  [
    "six grantees on one cluster",
    "environments.dev.consumers[5].accountId",
    set((c) => {
      for (let n = 1; n <= 5; n++) addConsumer(c, n, { accountId: accountOf(n), roleArn: undefined });
    }),
    /quota "grantees per cluster".*6 accounts, limit 5/,
  ],
  [
    "six endpoints on one authorization",
    "environments.dev.consumers[5].accountId",
    set((c) => {
      for (let n = 1; n <= 5; n++) addConsumer(c, n);
    }),
    /quota "Redshift-managed VPC endpoints per authorization".*6 endpoints.*limit 5/,
  ],
  [
    "endpoints per cluster over a lowered quota",
    "environments.dev.consumers[1]",
    set((c) => {
      c.quotas = { endpointsPerCluster: 1 };
      addConsumer(c, 1);
    }),
    /quota "Redshift-managed VPC endpoints per cluster".*2 endpoints, limit 1/,
  ],
  ["a quota of zero", "quotas.granteesPerCluster", set((c) => (c.quotas = { granteesPerCluster: 0 })), /at least 1/],
  // Names and keys
  [
    "duplicate consumer name",
    "environments.dev.consumers[1].name",
    set((c) => addConsumer(c, 1, { name: "bi" })),
    /unique within an environment; environments\.dev\.consumers\[0\] is already named "bi"/,
  ],
  [
    "environment name with uppercase",
    "environments.Dev",
    set((c) => {
      c.environments.Dev = c.environments.dev;
      delete c.environments.dev;
    }),
    /safe as a stack id/,
  ],
  [
    "environment name with underscore",
    "environments.dev_1",
    set((c) => {
      c.environments.dev_1 = c.environments.dev;
      delete c.environments.dev;
    }),
    /safe as a stack id/,
  ],
  ["consumer name with a space", `${C}.name`, set((c) => (c.environments.dev.consumers[0].name = "bi team")), /safe as a stack id/],
  ["consumer name ending with a hyphen", `${C}.name`, set((c) => (c.environments.dev.consumers[0].name = "bi-")), /safe as a stack id/],
  [
    "stack id collision across environments",
    "environments.dev-consumer-x",
    set((c) => {
      c.environments["dev-consumer-x"] = structuredClone(c.environments.dev);
      c.environments["dev-consumer-x"].producer.clusterIdentifier = "other";
      c.environments["dev-consumer-x"].consumers[0].accountId = "777777777777";
      delete c.environments["dev-consumer-x"].consumers[0].roleArn;
      c.environments["dev-consumer-x"].consumers[0].endpointName = "x-ep";
      addConsumer(c, 9, { name: "x-producer" });
    }),
    /gives the stack id "dev-consumer-x-producer", which environments\.dev\.consumers\[1\]\.name already gives/,
  ],
  [
    "typo in a top-level key",
    "environment",
    set((c) => {
      c.environment = c.environments;
    }),
    /unknown key \(did you mean "environments"\?\)/,
  ],
  [
    "typo in a consumer key",
    `${C}.subnetId`,
    set((c) => (c.environments.dev.consumers[0].subnetId = "subnet-0a1b2c3d")),
    /unknown key \(did you mean "subnetIds"\?\)/,
  ],
  ["typo in a producer key", `${P}.prot`, set((c) => (c.environments.dev.producer.prot = 5439)), /unknown key \(did you mean "port"\?\)/],
  ["missing cluster identifier", `${P}.clusterIdentifier`, set((c) => delete c.environments.dev.producer.clusterIdentifier), /is required \(expected string\)/],
  [
    "malformed cluster identifier",
    `${P}.clusterIdentifier`,
    set((c) => (c.environments.dev.producer.clusterIdentifier = "Lake_Dev")),
    /Redshift cluster identifier/,
  ],
  ["consumers not a list", "environments.dev.consumers", set((c) => (c.environments.dev.consumers = { name: "bi" })), /must be an array/],
  ["no consumer", "environments.dev.consumers", set((c) => (c.environments.dev.consumers = [])), /at least one consumer/],
  ["environments as a list", "environments", set((c) => (c.environments = [])), /must be an object; got \[\]/],
  [
    "subnet ids as a string",
    `${C}.subnetIds`,
    set((c) => (c.environments.dev.consumers[0].subnetIds = "subnet-0a1b2c3d")),
    /must be an array; got "subnet-0a1b2c3d"/,
  ],
  ["no environment", "environments", set((c) => (c.environments = {})), /at least one environment/],
  [
    "reserved tag key",
    'environments.dev.tags["aws:team"]',
    set((c) => (c.environments.dev.tags = { "aws:team": "x" })),
    /tag keys must not start with the reserved prefix aws:/,
  ],
  [
    "unknown backend type",
    "environments.dev.backend.type",
    set((c) => (c.environments.dev.backend = { type: "gcs" })),
    /must be \{"type":"local"\}, \{"type":"s3"/,
  ],
  [
    "dns block with neither zone form",
    `${C}.dns`,
    set((c) => (c.environments.dev.consumers[0].dns = { recordName: "bi" })),
    /\{zoneName, recordName\}.*\{zoneId, recordName\}/,
  ],
];

describe("bad-input matrix", () => {
  test("covers at least 40 distinct inputs", () => {
    expect(new Set(cases.map(([name]) => name)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  test.each(cases)("fails on %s, naming %s", (_name, jsonPath, mutate, rule) => {
    const config = validConfig();
    mutate(config);
    const run = runSynth(config);
    expect(run.exitCode).toBe(1);
    const line = run.stderr.split("\n").find((l) => l.startsWith(`  - ${jsonPath}: `));
    expect(line).toBeDefined();
    expect(line).toMatch(rule);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.files).toEqual([]);
  });
});

describe("file-level failures", () => {
  test.each([
    [
      "a missing file",
      (dir: string) => path.join(dir, "nope.json"),
      /nope\.json \(1 problem\):\n {2}- \(file\): file not found; set REDSHIFT_ENDPOINTS_CONFIG/,
    ],
    [
      "an unreadable file (a directory)",
      (dir: string) => fs.mkdirSync(path.join(dir, "d.json")) ?? path.join(dir, "d.json"),
      /\(file\): is a directory, not a JSON file/,
    ],
    ["broken JSON", (dir: string) => write(dir, '{\n  "environments": {\n    "dev": { ,\n'), /\(file\): is not valid JSON: .* at line 3, column 14/],
    ["an empty file", (dir: string) => write(dir, ""), /\(file\): is not valid JSON/],
    ["JSON that is not an object", (dir: string) => write(dir, "[]"), /\(file\): must be an object; got \[\]/],
  ])("fails on %s, naming the file and the reason", (_name, make, rule) => {
    const dir = tempDir();
    const run = runSynthFile(make(dir), dir);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(rule);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.files).toEqual([]);
  });

  test("fails on a file without read permission, when not running as root", () => {
    const dir = tempDir();
    const file = write(dir, JSON.stringify(validConfig()));
    fs.chmodSync(file, 0o000);
    const isRoot = process.getuid?.() === 0;
    const run = runSynthFile(file, dir);
    // root reads any file, so there the same file must synthesize instead.
    expect(run.exitCode).toBe(isRoot ? 0 : 1);
    if (!isRoot) expect(run.stderr).toMatch(/\(file\): file is not readable \(permission denied\)/);
  });
});

describe("every problem at once", () => {
  test("fails with all problems of a file in one report", () => {
    const config = validConfig();
    config.environments.dev.region = "mars-1";
    config.environments.dev.producer.port = 1;
    config.environments.dev.consumers[0].subnetIds = [];
    config.environments.dev.consumers[0].colour = "blue";
    const run = runSynth(config);
    expect(run.stderr).toMatch(/\(4 problems\)/);
    for (const p of ["environments.dev.region", `${P}.port`, `${C}.subnetIds`, `${C}.colour`]) expect(run.stderr).toContain(`  - ${p}: `);
  });

  test("reports a value of the wrong type once, not once per rule", () => {
    const config = validConfig();
    config.environments.dev.consumers[0].subnetIds = "subnet-0a1b2c3d";
    expect(runSynth(config).stderr).toMatch(/\(1 problem\):\n {2}- environments\.dev\.consumers\[0\]\.subnetIds: must be an array; got "subnet-0a1b2c3d"\n$/);
  });

  test("accepts a file that starts with a byte-order mark", () => {
    const run = runSynth(`\uFEFF${JSON.stringify(validConfig())}`);
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
  });

  test("accepts a quota raised in the config", () => {
    const config = validConfig();
    config.quotas = { granteesPerCluster: 6 };
    for (let n = 1; n <= 5; n++) addConsumer(config, n, { accountId: accountOf(n), roleArn: undefined });
    const run = runSynth(config);
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
  });
});

function write(dir: string, text: string): string {
  const file = path.join(dir, "c.json");
  fs.writeFileSync(file, text);
  return file;
}
