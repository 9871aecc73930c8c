/**
 * The emulator enforces the generated policies: with one action removed from
 * a stack's deploy document, a real deploy fails, and the failure names the
 * action. `redshift:DescribeLoggingStatus` is the action issue 16 found
 * missing from the producer's policy: the provider's aws_redshift_cluster
 * data source calls it on every read.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, newRehearsal, stepFailure } from "../scenarios/harness";

const REMOVED = "redshift:DescribeLoggingStatus";

/** Removes `action` from every statement of `file`, dropping a statement left with no action. */
function removeAction(file: string, action: string): void {
  const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { Statement: Array<{ Action: string[] }> };
  const before = JSON.stringify(doc);
  doc.Statement = doc.Statement.map((s) => ({ ...s, Action: s.Action.filter((a) => a !== action) })).filter((s) => s.Action.length > 0);
  if (JSON.stringify(doc) === before) throw new Error(`${file} does not grant ${action}`);
  fs.writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
}

test(`fails to deploy dev under a producer policy without ${REMOVED}, naming the action, and creates nothing`, async () => {
  const rehearsal = newRehearsal(
    path.join(REPO_ROOT, "config", "environments.json"),
    "dev",
    {},
    {
      editPolicies: (dir) => removeAction(path.join(dir, "dev-producer.json"), REMOVED),
    },
  );
  try {
    await rehearsal.start();
    const seeded = await rehearsal.snapshot();
    const failure = await stepFailure(() => rehearsal.deploy("deploy without DescribeLoggingStatus", [rehearsal.stacks.producer]));
    const message = failure.message.replace(/\s+/g, " ");
    expect(message).toContain(
      `assumed-role/redshift-endpoints-deploy/redshift-endpoints-dev-producer is not authorized to perform: ${REMOVED} on resource: arn:aws:redshift:ap-northeast-1:111111111111:cluster:lake-dev`,
    );
    expect(message).toContain(`IAM denied: ${REMOVED} by arn:aws:iam::111111111111:role/redshift-endpoints-deploy (session redshift-endpoints-dev-producer)`);
    expect([
      ...new Set(
        rehearsal
          .calls()
          .filter((c) => !c.allowed)
          .map((c) => c.action),
      ),
    ]).toEqual([REMOVED]);
    await rehearsal.expectWorld("nothing created", seeded);
  } finally {
    await rehearsal.stop();
  }
});
