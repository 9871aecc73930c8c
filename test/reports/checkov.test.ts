/** In-code checkov suppressions: written on the resource, with a reason, applied to checkov's report. */
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import * as fs from "node:fs";
import * as path from "node:path";
import { applySuppressions, formatOutcome, parseCheckovJson } from "../../lib/reports/checkov";
import { suppressCheckov } from "../../modules/checkov";
import { tempDir } from "../helpers";

function stackWithGroup(suppress: boolean) {
  const stack = new TerraformStack(Testing.app(), "s");
  const provider = new AwsProvider(stack, "aws", { alias: "a", region: "eu-west-1" });
  const group = new SecurityGroup(stack, "sg", { provider, name: "x" });
  if (suppress) suppressCheckov(group, { id: "CKV2_AWS_5", comment: "attached to a Redshift-managed endpoint" });
  return { stack, group };
}

/** The stack as cdktf writes it (Testing.synth strips the `//` metadata). */
function written(suppress: boolean): string {
  const outdir = Testing.fullSynth(stackWithGroup(suppress).stack);
  return fs.readFileSync(path.join(outdir, "stacks", "s", "cdk.tf.json"), "utf8");
}

function scannedDir(suppress: boolean) {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, "s"));
  fs.writeFileSync(path.join(dir, "s", "cdk.tf.json"), written(suppress));
  return dir;
}

const report = (failedIds: string[]) =>
  JSON.stringify({
    check_type: "terraform_json",
    summary: { passed: 7, failed: failedIds.length },
    results: {
      failed_checks: failedIds.map((id) => ({ check_id: id, check_name: `name of ${id}`, resource: "aws_security_group.sg", file_path: "/s/cdk.tf.json" })),
    },
  });

describe("checkov suppressions", () => {
  test("writes the skip into the resource's // metadata, beside cdktf's own", () => {
    const json = JSON.parse(written(true));
    expect(json.resource.aws_security_group.sg["//"]).toEqual({
      checkov: { skip: [{ id: "CKV2_AWS_5", comment: "attached to a Redshift-managed endpoint" }] },
      metadata: { path: "s/sg", uniqueId: "sg" },
    });
  });

  test("fails without a written reason", () => {
    const { group } = stackWithGroup(false);
    expect(() => suppressCheckov(group, { id: "CKV2_AWS_5", comment: " " })).toThrow("s/sg: suppressing CKV2_AWS_5 needs a written reason");
  });

  test("fails on something that is not a check id", () => {
    const { group } = stackWithGroup(false);
    expect(() => suppressCheckov(group, { id: "all", comment: "because I said so" })).toThrow('s/sg: "all" is not a checkov check id');
  });

  test("counts a failure of a suppressed check as suppressed, with its reason", () => {
    const outcome = applySuppressions(scannedDir(true), parseCheckovJson(report(["CKV2_AWS_5"])), ["s/cdk.tf.json"]);
    expect(outcome.failed).toEqual([]);
    expect(outcome.stale).toEqual([]);
    expect(formatOutcome(outcome)).toMatch(
      /^checkov: 7 passed, 0 failed, 1 suppressed in code, 0 stale suppressions\n {2}suppressed CKV2_AWS_5 aws_security_group\.sg in \/s\/cdk\.tf\.json: attached to a Redshift-managed endpoint\n$/,
    );
  });

  test("fails on a check that is not suppressed on that resource", () => {
    const outcome = applySuppressions(scannedDir(true), parseCheckovJson(report(["CKV2_AWS_5", "CKV_AWS_23"])), ["s/cdk.tf.json"]);
    expect(formatOutcome(outcome)).toContain("  FAILED CKV_AWS_23 aws_security_group.sg in /s/cdk.tf.json: name of CKV_AWS_23");
    expect(outcome.failed).toHaveLength(1);
  });

  test("fails on a stale suppression whose check no longer fails", () => {
    const outcome = applySuppressions(scannedDir(true), parseCheckovJson(report([])), ["s/cdk.tf.json"]);
    expect(outcome.stale).toEqual(["s/cdk.tf.json aws_security_group.sg CKV2_AWS_5"]);
    expect(formatOutcome(outcome)).toContain("STALE suppression (the check passes; remove it): s/cdk.tf.json aws_security_group.sg CKV2_AWS_5");
  });
});
