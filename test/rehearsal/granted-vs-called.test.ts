/**
 * Granted vs called (lib/rehearsal/granted-vs-called.ts): each stack's
 * documents set against the calls its sessions made, on hand-made call logs,
 * and the report over recorded rehearsals (the folder layout the deploy
 * scenarios leave, built here).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { deploySessionName } from "../../stacks/account-stack";
import type { ExplainedStatement } from "../../lib/iam/policies";
import { VERIFY_SESSION_NAME } from "../../lib/operations/verify";
import {
  compareGrantsWithCalls,
  formatGrantTable,
  formatGrantsReport,
  grantsReport,
  loadRecordedScenarios,
  unexplainedGrants,
} from "../../lib/rehearsal/granted-vs-called";
import type { CallRecord } from "../../lib/rehearsal/iam-enforcement";
import { runSynth, tempDir, validConfig } from "../helpers";

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
          notExercised: "not modelled",
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
    const [row] = compareGrantsWithCalls([{ stackId: "dev-producer", kind: "deploy", roleArn: role, statements }], calls);
    expect(row.called).toEqual(["redshift:DescribeClusters", "redshift:DescribeLoggingStatus"]);
    expect(row.calledNotGranted).toEqual(["redshift:DescribeLoggingStatus"]);
    expect(row.notCalled).toEqual([
      { action: "iam:CreateServiceLinkedRole", reason: "not modelled" },
      { action: "redshift:ModifyEndpointAccess", reason: "" },
    ]);
    expect(formatGrantTable([row])).toContain("| dev-producer | deploy | 3 | 2 | `iam:CreateServiceLinkedRole`, `redshift:ModifyEndpointAccess` |");
  });

  test("a grant's notExercised gives an update-only action its reason, and a call of it makes the reason stale", () => {
    const updateOnly: ExplainedStatement = {
      Sid: "U",
      actions: [
        {
          action: "redshift:ModifyEndpointAccess",
          type: "resource.x",
          operations: ["update"],
          caller: "provider",
          detail: "update",
          notExercised: "update only",
        },
      ],
    };
    const grants = [{ stackId: "dev-consumer-bi", kind: "deploy" as const, roleArn: role, statements: [updateOnly] }];
    const [quiet] = compareGrantsWithCalls(grants, []);
    expect(quiet.notCalled).toEqual([{ action: "redshift:ModifyEndpointAccess", reason: "update only" }]);
    expect(quiet.calledDespiteReason).toEqual([]);
    const [called] = compareGrantsWithCalls(grants, [call("redshift:ModifyEndpointAccess", "redshift-endpoints-dev-consumer-bi")]);
    expect(called.calledDespiteReason).toEqual(["redshift:ModifyEndpointAccess"]);
  });

  test("an action granted once without a reason has none, even when another statement gives one", () => {
    const ownToo: ExplainedStatement = {
      Sid: "Own",
      actions: [{ action: "iam:CreateServiceLinkedRole", type: "resource.y", operations: ["create"], caller: "provider", detail: "own call" }],
    };
    for (const order of [
      [statements[0], ownToo],
      [ownToo, statements[0]],
    ]) {
      const [row] = compareGrantsWithCalls([{ stackId: "dev-producer", kind: "deploy", roleArn: role, statements: order }], []);
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
});

describe("the report over recorded rehearsals", () => {
  const producerRole = "arn:aws:iam::111111111111:role/redshift-endpoints-deploy";
  const session = deploySessionName("dev-producer");
  const producerCalls = [
    "redshift:DescribeClusters",
    "redshift:DescribeLoggingStatus",
    "redshift:AuthorizeEndpointAccess",
    "redshift:DescribeEndpointAuthorization",
    "redshift:RevokeEndpointAccess",
  ];

  /** A recorded rehearsal of dev's producer, as test/scenarios/harness.ts leaves it, with `calls` in its log. */
  function recorded(calls: ReadonlyArray<{ action: string; allowed?: boolean }>): string {
    const run = runSynth(validConfig());
    const dir = path.join(tempDir(), "calls");
    const scenario = path.join(dir, "rehearse-dev-x");
    fs.mkdirSync(scenario, { recursive: true });
    fs.copyFileSync(path.join(run.outdir, "stacks", "dev-producer", "cdk.tf.json"), path.join(scenario, "dev-producer.tf.json"));
    fs.writeFileSync(
      path.join(scenario, "role-policies.json"),
      JSON.stringify({ roles: [{ roleArn: producerRole, inlinePolicies: { "dev-producer": "dev-producer.json" } }] }),
    );
    const lines = calls.map((c) =>
      JSON.stringify({ account: "111111111111", role: producerRole, session, action: c.action, allowed: c.allowed ?? true, resources: null, unenforced: [] }),
    );
    fs.writeFileSync(path.join(scenario, "calls.jsonl"), `${lines.join("\n")}\n`);
    return dir;
  }

  test("passes when every grant is called and every call granted", () => {
    const { text, ok } = formatGrantsReport(grantsReport(loadRecordedScenarios(recorded(producerCalls.map((action) => ({ action })))), ["dev-producer"]));
    expect(ok).toBe(true);
    expect(text).toContain("| dev-producer | deploy | 5 | 5 | none |");
  });

  test("fails on a grant no rehearsal called and no reason explains, naming the stack and the action", () => {
    const calls = producerCalls.filter((a) => a !== "redshift:RevokeEndpointAccess").map((action) => ({ action }));
    const { text, ok } = formatGrantsReport(grantsReport(loadRecordedScenarios(recorded(calls))));
    expect(ok).toBe(false);
    expect(text).toContain(
      "FAILED: granted, never called, and no reason in lib/iam/grants.ts (notExercised):\n  dev-producer deploy: redshift:RevokeEndpointAccess",
    );
  });

  test("fails on a denied call and on a required stack with no record, naming them", () => {
    const calls = [...producerCalls.map((action) => ({ action })), { action: "redshift:DescribeClusterSubnetGroups", allowed: false }];
    const { text, ok } = formatGrantsReport(grantsReport(loadRecordedScenarios(recorded(calls)), ["dev-consumer-bi"]));
    expect(ok).toBe(false);
    expect(text).toContain(`FAILED: denied calls:\n  rehearse-dev-x: redshift:DescribeClusterSubnetGroups by ${producerRole} (${session})`);
    expect(text).toContain("FAILED: no recorded rehearsal of these stacks (run the deploy scenarios first):\n  dev-consumer-bi");
  });
});
