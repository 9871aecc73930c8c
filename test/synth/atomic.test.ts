/**
 * A failed synth leaves cdktf.out exactly as it was. The failure used here is
 * one only the module's validation hook can see: a stack built outside the
 * config, whose endpoint has two subnets, sorted after valid stacks.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack } from "cdktf";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildStacks } from "../../lib/app";
import { parseConfig } from "../../lib/config";
import { synthesizeAtomically } from "../../lib/synth/atomic";
import { RedshiftManagedEndpoint } from "../../modules/redshift-endpoint";
import { listFiles, runSynth, tempDir, validConfig } from "../helpers";

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
}

function buildWithBadLateStack(app: App, dir: string, outdir: string) {
  const config = validConfig();
  config.environments.dev.consumers[0].allowedCidrs = ["10.99.0.0/16"]; // differs from the first synth
  buildStacks(app, parseConfig(config), { stateDir: dir, outdir });
  const late = new TerraformStack(app, "zz-late");
  const provider = new AwsProvider(late, "aws", { alias: "late", region: "eu-west-1", allowedAccountIds: ["999999999999"] });
  new RedshiftManagedEndpoint(late, "endpoint", {
    provider,
    clusterIdentifier: "lake",
    endpointName: "late",
    subnetIds: ["subnet-0123abcd", "subnet-4567abcd"],
    securityGroupIds: ["sg-0123abcd"],
  });
}

describe("all-or-nothing synth", () => {
  test("plain cdktf synth would leave new files for earlier stacks beside old ones (the problem)", () => {
    const first = runSynth(validConfig());
    const before = snapshot(first.outdir);
    const app = new App({ outdir: first.outdir });
    buildWithBadLateStack(app, first.dir, first.outdir);
    expect(() => app.synth()).toThrow(/subnetIds must hold exactly one subnet/);
    expect(snapshot(first.outdir)).not.toEqual(before);
  });

  test("fails on the module's hook and leaves cdktf.out byte for byte as it was, state untouched", () => {
    const first = runSynth(validConfig());
    const state = path.join(first.dir, "terraform.dev-producer.tfstate");
    fs.writeFileSync(state, '{"version":4}');
    const before = snapshot(first.outdir);
    expect(Object.keys(before).length).toBeGreaterThan(2);

    expect(() => synthesizeAtomically(first.outdir, (app) => buildWithBadLateStack(app, first.dir, first.outdir))).toThrow(
      /Synth refused; nothing was written \(1 problem\):\n {2}- \[zz-late\/endpoint\] subnetIds must hold exactly one subnet, got 2/,
    );
    expect(snapshot(first.outdir)).toEqual(before);
    expect(fs.readFileSync(state, "utf8")).toBe('{"version":4}');
    expect(fs.readdirSync(first.dir).filter((f) => f.includes("staging"))).toEqual([]);
  });

  test("fails on the module's hook without creating cdktf.out when there was none", () => {
    const dir = tempDir();
    const outdir = path.join(dir, "cdktf.out");
    expect(() => synthesizeAtomically(outdir, (app) => buildWithBadLateStack(app, dir, outdir))).toThrow(/exactly one subnet/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
