/**
 * Granted vs called, over every enforced rehearsal the deploy tier just ran
 * (`npm run test:deploy` runs this file after the scenarios; each left its
 * documents, stacks and call log in test/deploy/.calls/). For every stack:
 * - every action its sessions called is granted by its document (0 denials);
 * - every granted action is called in some scenario by a session under the
 *   same kind of document (deploy or verify) with the action granted for the
 *   same resource type (`unexplainedGrants`), or AWS checks it during another
 *   call (`caller: "aws"` in lib/operations/iam-policies.ts), or it is in
 *   NOT_EXERCISED (lib/operations/iam-enforcement.ts) with its reason; and no
 *   NOT_EXERCISED entry is ever called.
 * Deleting any one action from a generated document therefore either makes an
 * enforced rehearsal fail (the action is called, and the emulator refuses
 * it: test/deploy/iam-enforcement.test.ts shows the failure) or makes the unit
 * tests fail (they pin every document whole: test/iam-policies.test.ts).
 *
 * Writes the README's table to test/deploy/.calls/grant-table.md.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  type CallRecord,
  type ManifestRole,
  NOT_EXERCISED,
  ROLE_MANIFEST_FILE,
  type StackGrants,
  compareGrantsWithCalls,
  formatGrantTable,
  mergeComparisons,
  parseCallLog,
  unexplainedGrants,
} from "../../lib/rehearsal/iam-enforcement";
import { explainStack, explainVerify } from "../../lib/iam/policies";
import { CALLS_DIR } from "./harness";

/** The scenarios whose logs must be there: the shipped dev, three consumers, the S3 backend, the AZ runbook, a record in an existing zone. */
const REQUIRED_STACKS = ["dev-producer", "dev-consumer-bi", "trio-consumer-dns", "s3-consumer-bi", "runbook-consumer-bi", "zoneid-consumer-fin"];

interface Scenario {
  readonly name: string;
  readonly grants: StackGrants[];
  readonly calls: CallRecord[];
}

function loadScenarios(): Scenario[] {
  if (!fs.existsSync(CALLS_DIR)) return [];
  return fs
    .readdirSync(CALLS_DIR)
    .filter((d) => fs.existsSync(path.join(CALLS_DIR, d, ROLE_MANIFEST_FILE)))
    .sort()
    .map((name) => {
      const dir = path.join(CALLS_DIR, name);
      const roles = (JSON.parse(fs.readFileSync(path.join(dir, ROLE_MANIFEST_FILE), "utf8")) as { roles: ManifestRole[] }).roles;
      const grants: StackGrants[] = [];
      for (const role of roles)
        for (const policy of Object.keys(role.inlinePolicies)) {
          const [stackId, verify] = policy.split(".");
          const stackFile = path.join(dir, `${stackId}.tf.json`);
          if (!fs.existsSync(stackFile)) continue; // the state and inspector roles
          const stack = JSON.parse(fs.readFileSync(stackFile, "utf8"));
          const explained = verify === "verify" ? explainVerify(stackId, stack) : explainStack(stackId, stack);
          grants.push({ stackId, kind: verify === "verify" ? "verify" : "deploy", roleArn: role.roleArn, statements: explained.statements });
        }
      return { name, grants, calls: parseCallLog(fs.readFileSync(path.join(dir, "calls.jsonl"), "utf8"), path.join(dir, "calls.jsonl")) };
    });
}

const scenarios = loadScenarios();
const rows = scenarios.flatMap((s) => compareGrantsWithCalls(s.grants, s.calls));

test("the scenarios' call logs are there (npm run test:deploy runs them first)", () => {
  const stacks = new Set(rows.map((r) => r.stackId));
  expect(REQUIRED_STACKS.filter((s) => !stacks.has(s))).toEqual([]);
});

test("every call of every stack's session was granted: 0 denials", () => {
  const denied = scenarios.flatMap((s) => s.calls.filter((c) => !c.allowed).map((c) => `${s.name}: ${c.action} by ${c.role} (${c.session})`));
  expect(denied).toEqual([]);
  expect(rows.filter((r) => r.calledNotGranted.length > 0).map((r) => `${r.stackId} ${r.kind}: ${r.calledNotGranted.join(", ")}`)).toEqual([]);
});

test("every granted action is called in some scenario or has its reason in code, and no NOT_EXERCISED entry is called", () => {
  expect(unexplainedGrants(rows)).toEqual([]);
  const calledAnywhere = new Set(rows.flatMap((r) => r.called));
  expect([...NOT_EXERCISED.keys()].filter((a) => calledAnywhere.has(a))).toEqual([]);
  const table = formatGrantTable(mergeComparisons(rows));
  fs.writeFileSync(path.join(CALLS_DIR, "grant-table.md"), table);
  process.stdout.write(`granted vs called:\n${table}`);
});
