/**
 * The pure parts of rehearsing under the generated policies
 * (lib/rehearsal/iam-enforcement.ts): which role holds which document, the
 * verify config, the state role's policy, the call log. The enforcement
 * itself runs in the deploy scenarios.
 */
import { loadConfig } from "../../lib/config";
import {
  CONSOLE_ROLE_NAME,
  INSPECTOR_ROLE_NAME,
  deniedCalls,
  parseCallLog,
  roleManifest,
  statePolicy,
  verifyConfig,
  verifyRoleArn,
} from "../../lib/rehearsal/iam-enforcement";

const S3_FIXTURE = "test/scenarios/fixtures/s3.json";
const CONSUMERS_FIXTURE = "test/scenarios/fixtures/consumers.json";

describe("the roles the emulator seeds", () => {
  test("each stack's role holds exactly its deploy document, its verify role the verify document, the state role the state policy; each account has an inspector and a console", () => {
    expect(roleManifest(loadConfig(S3_FIXTURE), "s3")).toEqual([
      { roleArn: "arn:aws:iam::111111111111:role/redshift-endpoints-deploy", inlinePolicies: { "s3-producer": "s3-producer.json" } },
      { roleArn: "arn:aws:iam::111111111111:role/redshift-endpoints-deploy-verify", inlinePolicies: { "s3-producer.verify": "s3-producer.verify.json" } },
      { roleArn: "arn:aws:iam::222222222222:role/redshift-endpoints-deploy", inlinePolicies: { "s3-consumer-bi": "s3-consumer-bi.json" } },
      {
        roleArn: "arn:aws:iam::222222222222:role/redshift-endpoints-deploy-verify",
        inlinePolicies: { "s3-consumer-bi.verify": "s3-consumer-bi.verify.json" },
      },
      { roleArn: "arn:aws:iam::444444444444:role/redshift-endpoints-state", inlinePolicies: { "terraform-state": "terraform-state.json" } },
      { roleArn: `arn:aws:iam::111111111111:role/${INSPECTOR_ROLE_NAME}`, inlinePolicies: { inspect: "inspector.json" } },
      { roleArn: `arn:aws:iam::111111111111:role/${CONSOLE_ROLE_NAME}`, inlinePolicies: { console: "console.json" } },
      { roleArn: `arn:aws:iam::222222222222:role/${INSPECTOR_ROLE_NAME}`, inlinePolicies: { inspect: "inspector.json" } },
      { roleArn: `arn:aws:iam::222222222222:role/${CONSOLE_ROLE_NAME}`, inlinePolicies: { console: "console.json" } },
    ]);
  });

  test("a stack's readOnlyRoleArn holds its drift document, and only that", () => {
    const config = loadConfig(S3_FIXTURE);
    const env = config.environments.s3;
    const withReadOnly = {
      ...config,
      environments: { s3: { ...env, consumers: env.consumers.map((c) => ({ ...c, readOnlyRoleArn: "arn:aws:iam::222222222222:role/read" })) } },
    };
    expect(roleManifest(withReadOnly, "s3").find((r) => r.roleArn === "arn:aws:iam::222222222222:role/read")?.inlinePolicies).toEqual({
      "s3-consumer-bi.drift": "s3-consumer-bi.drift.json",
    });
  });

  test("stacks that assume the same role put each of their documents on it, as separate inline policies", () => {
    const shared = roleManifest(loadConfig(CONSUMERS_FIXTURE), "trio").find((r) => r.roleArn === "arn:aws:iam::111111111111:role/redshift-endpoints-deploy");
    expect(shared?.inlinePolicies).toEqual({ "trio-producer": "trio-producer.json", "trio-consumer-own": "trio-consumer-own.json" });
  });

  test("fails when a stack has no roleArn, naming the config path", () => {
    const config = loadConfig(S3_FIXTURE);
    const { roleArn: _, ...producer } = config.environments.s3.producer;
    const bare = { ...config, environments: { s3: { ...config.environments.s3, producer } } };
    expect(() => roleManifest(bare, "s3")).toThrow("environments.s3.producer.roleArn is not set");
  });

  test("verify runs with every roleArn swapped for its verify role, and nothing else changed", () => {
    const config = loadConfig(S3_FIXTURE);
    const swapped = verifyConfig(config, "s3").environments.s3;
    expect(swapped.producer.roleArn).toBe("arn:aws:iam::111111111111:role/redshift-endpoints-deploy-verify");
    expect(swapped.consumers[0].roleArn).toBe("arn:aws:iam::222222222222:role/redshift-endpoints-deploy-verify");
    expect(swapped.backend).toEqual(config.environments.s3.backend);
    expect({ ...swapped.producer, roleArn: undefined }).toEqual({ ...config.environments.s3.producer, roleArn: undefined });
  });

  test("fails on a role name too long for -verify", () => {
    expect(() => verifyRoleArn(`arn:aws:iam::111111111111:role/${"r".repeat(60)}`)).toThrow("is too long to add -verify");
  });
});

test("the state role may list the bucket, read and write state under the prefix, and delete only lock files", () => {
  expect(statePolicy("bucket", "prefix/env")).toEqual({
    Version: "2012-10-17",
    Statement: [
      { Sid: "ListStateBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::bucket" },
      { Sid: "ReadWriteStateAndLock", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::bucket/prefix/env/*" },
      { Sid: "DeleteLockFile", Effect: "Allow", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::bucket/prefix/env/*.tflock" },
    ],
  });
});

test("fails on a call log line that is not JSON, naming the line", () => {
  expect(() => parseCallLog('{"action":"a"}\nnot json\n', "calls.jsonl")).toThrow("calls.jsonl line 2 is not JSON: not json");
});

test("a denied call names the action, what AWS checked it behind and whether it is a dependent action", () => {
  const role = "arn:aws:iam::222222222222:role/redshift-endpoints-deploy";
  const call = { account: "222222222222", role, session: "s", unenforced: [] };
  expect(
    deniedCalls([
      { ...call, action: "redshift:CreateEndpointAccess", allowed: true, resources: ["*"] },
      { ...call, action: "ec2:DescribeVpcs", allowed: false, resources: ["*"], via: "redshift:CreateEndpointAccess", dependent: true },
      { ...call, action: "ec2:CreateVpcEndpoint", allowed: false, resources: null, via: "redshift:CreateEndpointAccess", dependent: false },
      { ...call, action: "redshift:DescribeLoggingStatus", allowed: false, resources: ["arn:c"], via: null },
    ]),
  ).toEqual([
    `ec2:CreateVpcEndpoint (checked behind redshift:CreateEndpointAccess) by ${role} (session s) on ?`,
    `ec2:DescribeVpcs (checked behind redshift:CreateEndpointAccess, a dependent action) by ${role} (session s) on *`,
    `redshift:DescribeLoggingStatus by ${role} (session s) on arn:c`,
  ]);
});
