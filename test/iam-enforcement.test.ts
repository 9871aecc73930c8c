/**
 * The pure parts of rehearsing under the generated policies
 * (lib/operations/iam-enforcement.ts): which role holds which document, the
 * verify config, the state role's policy, and the granted-vs-called
 * comparison. The enforcement itself runs in the deploy tier.
 */
import { loadConfig } from "../lib/config";
import {
  type CallRecord,
  INSPECTOR_ROLE_NAME,
  compareGrantsWithCalls,
  deploySessionName,
  formatGrantTable,
  parseCallLog,
  roleManifest,
  statePolicy,
  unexplainedGrants,
  verifyConfig,
  verifyRoleArn,
} from "../lib/rehearsal/iam-enforcement";
import type { ExplainedStatement } from "../lib/iam/policies";
import { VERIFY_SESSION_NAME } from "../lib/operations/verify";

const S3_FIXTURE = "test/deploy/fixtures/s3.json";
const CONSUMERS_FIXTURE = "test/deploy/fixtures/consumers.json";

describe("the roles the emulator seeds", () => {
  test("each stack's role holds exactly its deploy document, its verify role the verify document, the state role the state policy", () => {
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
      { roleArn: `arn:aws:iam::222222222222:role/${INSPECTOR_ROLE_NAME}`, inlinePolicies: { inspect: "inspector.json" } },
    ]);
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

describe("granted vs called", () => {
  const role = "arn:aws:iam::111111111111:role/deploy";
  const statements: ExplainedStatement[] = [
    {
      Sid: "S",
      actions: [
        { action: "redshift:DescribeClusters", type: "data.aws_redshift_cluster", operations: ["read"], caller: "provider", detail: "read" },
        { action: "redshift:ModifyEndpointAccess", type: "resource.x", operations: ["update"], caller: "provider", detail: "update" },
        {
          action: "iam:CreateServiceLinkedRole",
          type: "resource.x",
          operations: ["create"],
          caller: "aws",
          via: "redshift:CreateEndpointAccess",
          detail: "slr",
        },
      ],
    },
  ];
  const call = (action: string, session: string, allowed = true): CallRecord => ({
    account: "1",
    role,
    session,
    action,
    allowed,
    resources: null,
    unenforced: [],
  });

  test("counts only the stack's own session, and gives each uncalled action its reason or none", () => {
    const calls = [
      call("redshift:DescribeClusters", "redshift-endpoints-dev-producer"),
      call("redshift:ModifyEndpointAccess", "redshift-endpoints-world"),
      call("redshift:DescribeLoggingStatus", "redshift-endpoints-dev-producer", false),
    ];
    const [row] = compareGrantsWithCalls([{ stackId: "dev-producer", kind: "deploy", roleArn: role, statements }], calls, new Map());
    expect(row.called).toEqual(["redshift:DescribeClusters", "redshift:DescribeLoggingStatus"]);
    expect(row.calledNotGranted).toEqual(["redshift:DescribeLoggingStatus"]);
    expect(row.notCalled).toEqual([
      { action: "iam:CreateServiceLinkedRole", reason: "AWS checks it during redshift:CreateEndpointAccess: slr" },
      { action: "redshift:ModifyEndpointAccess", reason: "" },
    ]);
    expect(formatGrantTable([row])).toContain("| dev-producer | deploy | 3 | 2 | `iam:CreateServiceLinkedRole`, `redshift:ModifyEndpointAccess` |");
  });

  test("a NOT_EXERCISED entry gives an update-only action its reason", () => {
    const [row] = compareGrantsWithCalls(
      [{ stackId: "dev-producer", kind: "deploy", roleArn: role, statements }],
      [],
      new Map([["redshift:ModifyEndpointAccess", "update only"]]),
    );
    expect(row.notCalled.find((n) => n.action === "redshift:ModifyEndpointAccess")?.reason).toBe("update only");
  });

  test("an action granted for the stack's own calls has no reason, even when another statement grants it for AWS's check", () => {
    const ownToo: ExplainedStatement = {
      Sid: "Own",
      actions: [{ action: "iam:CreateServiceLinkedRole", type: "resource.y", operations: ["create"], caller: "provider", detail: "own call" }],
    };
    for (const order of [
      [statements[0], ownToo],
      [ownToo, statements[0]],
    ]) {
      const [row] = compareGrantsWithCalls([{ stackId: "dev-producer", kind: "deploy", roleArn: role, statements: order }], [], new Map());
      expect(row.notCalled.find((n) => n.action === "iam:CreateServiceLinkedRole")?.reason).toBe("");
      expect(row.grantedFor["iam:CreateServiceLinkedRole"]).toEqual(["resource.x", "resource.y"]);
    }
  });

  describe("unexplained grants across scenarios", () => {
    const other = "arn:aws:iam::222222222222:role/deploy";
    const describe = (type: string): ExplainedStatement => ({
      Sid: "D",
      actions: [{ action: "redshift:DescribeEndpointAccess", type, operations: ["read"], caller: "provider", detail: "read" }],
    });
    const rowsFor = (calledBy: { stackId: string; kind: "deploy" | "verify"; type: string }) =>
      compareGrantsWithCalls(
        [
          { stackId: "dev-consumer-bi", kind: "deploy", roleArn: role, statements: [describe("resource.aws_redshift_endpoint_access")] },
          { stackId: calledBy.stackId, kind: calledBy.kind, roleArn: other, statements: [describe(calledBy.type)] },
        ],
        [{ ...call("redshift:DescribeEndpointAccess", calledBy.kind === "deploy" ? deploySessionName(calledBy.stackId) : VERIFY_SESSION_NAME), role: other }],
        new Map(),
      );

    test("a call by another stack's deploy session, for the same resource type, explains the grant", () => {
      expect(unexplainedGrants(rowsFor({ stackId: "qa-consumer-bi", kind: "deploy", type: "resource.aws_redshift_endpoint_access" }))).toEqual([]);
    });

    test("a verify call never explains a deploy grant", () => {
      const rows = rowsFor({ stackId: "qa-consumer-bi", kind: "verify", type: "resource.aws_redshift_endpoint_access" });
      expect(rows.find((r) => r.kind === "verify")?.called).toEqual(["redshift:DescribeEndpointAccess"]);
      expect(unexplainedGrants(rows)).toEqual(["dev-consumer-bi deploy: redshift:DescribeEndpointAccess"]);
    });

    test("a call granted for another resource type never explains the grant", () => {
      const rows = rowsFor({ stackId: "qa-producer", kind: "deploy", type: "data.aws_redshift_cluster" });
      expect(rows.find((r) => r.stackId === "qa-producer")?.called).toEqual(["redshift:DescribeEndpointAccess"]);
      expect(unexplainedGrants(rows)).toEqual(["dev-consumer-bi deploy: redshift:DescribeEndpointAccess"]);
    });
  });

  test("fails on a call log line that is not JSON, naming the line", () => {
    expect(() => parseCallLog('{"action":"a"}\nnot json\n', "calls.jsonl")).toThrow("calls.jsonl line 2 is not JSON: not json");
  });
});
