/**
 * A consumer with `dns.zoneId`: its CNAME goes into a private zone that exists
 * already (the emulator seeds it, as someone created it by hand). Rehearsed
 * under exactly its generated policies. A change request names the record by
 * its label plus the zone's name, which the stack does not hold, and the
 * policy must allow exactly that record (`recordName` in
 * lib/iam/grants.ts). Before that fix, the generated policy named
 * the bare label and this deploy was refused (found by rehearsing a config no
 * one here wrote).
 */
import * as path from "node:path";
import { formatSteps } from "../../lib/rehearsal/rehearse";
import { FIXTURES, newRehearsal } from "./harness";

test("a CNAME in an existing zone (dns.zoneId) is created, verified, converges and is destroyed, under exactly the generated policies", async () => {
  const rehearsal = newRehearsal(path.join(FIXTURES, "consumers.json"), "zoneid");
  const rows: { step: string; seconds: number; result: "ok" }[] = [];
  const step = async (name: string, run: () => Promise<unknown>) => {
    const started = Date.now();
    await run();
    rows.push({ step: name, seconds: (Date.now() - started) / 1000, result: "ok" });
  };
  try {
    await rehearsal.start();
    const seeded = await rehearsal.snapshot();
    const zone = seeded.find((l) => / route53 zone /.test(l));
    expect(zone).toMatch(/^222222222222 route53 zone \S+ z0123456789abcdefghij\.seeded\.internal\.?$/);
    await step("deploy", () => rehearsal.deploy());
    const records = (await rehearsal.snapshot()).filter((l) => / route53 record /.test(l));
    expect(records).toEqual([
      expect.stringMatching(/^222222222222 route53 record \S+ fin\.z0123456789abcdefghij\.seeded\.internal\.? CNAME lake-zoneid-fin\.\S+$/),
    ]);
    await step("verify", () => rehearsal.verify());
    await step("plan: no changes", () => rehearsal.planNoChanges());
    await step("destroy", () => rehearsal.destroy());
    await step("nothing left", () => rehearsal.expectWorld("nothing left", seeded));
    rehearsal.expectNoDenials();
    process.stdout.write(`zoneid rehearsal:\n${formatSteps(rows)}`);
  } finally {
    await rehearsal.stop();
  }
});
