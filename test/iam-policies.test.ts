/** Least-privilege deploy policies, derived from the synthesized stacks. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { policyForStack } from "../lib/operations/iam-policies";
import { readStack, runSynth, tempDir, validConfig } from "./helpers";

const ROOT = path.join(__dirname, "..");

function generate(config: unknown) {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, "c.json"), JSON.stringify(config));
  const out = path.join(dir, "policies");
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, "scripts", "run-ts.js"), path.join(ROOT, "scripts", "iam-policies.ts"), "--out", out, "--config", path.join(dir, "c.json")],
    {
      cwd: dir,
      encoding: "utf8",
    },
  );
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const read = (id: string) => JSON.parse(fs.readFileSync(path.join(out, `${id}.json`), "utf8"));
  return { files: fs.readdirSync(out).sort(), read };
}

const actions = (doc: any): string[] => doc.Statement.flatMap((s: any) => s.Action);
const resourcesOf = (doc: any, action: string): string[] =>
  doc.Statement.filter((s: any) => s.Action.includes(action)).flatMap((s: any) => [s.Resource].flat());

describe("iam-policies", () => {
  const config = validConfig();
  Object.assign(config.environments.dev.consumers[0], {
    dns: { zoneName: "lake.internal", recordName: "bi" },
    standbySubnetIds: ["subnet-0a1b2c3d4e5f60799"],
  });
  const { files, read } = generate(config);

  test("writes one document per stack", () => {
    expect(files).toEqual(["dev-consumer-bi.json", "dev-producer.json"]);
  });

  test("no action is a wildcard", () => {
    for (const id of ["dev-producer", "dev-consumer-bi"]) {
      for (const action of actions(read(id))) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
    }
  });

  test("the producer may authorize endpoint access on its own cluster only, and describe clusters", () => {
    const doc = read("dev-producer");
    expect(actions(doc).sort()).toEqual([
      "redshift:AuthorizeEndpointAccess",
      "redshift:DescribeClusters",
      "redshift:DescribeEndpointAuthorization",
      "redshift:RevokeEndpointAccess",
    ]);
    expect(resourcesOf(doc, "redshift:AuthorizeEndpointAccess")).toEqual(["arn:aws:redshift:ap-northeast-1:111111111111:cluster:lake-dev"]);
  });

  test("the consumer may create the endpoint, its VPC endpoint in its own VPC, the subnet group and security group", () => {
    const doc = read("dev-consumer-bi");
    expect(actions(doc)).toEqual(
      expect.arrayContaining([
        "redshift:CreateEndpointAccess",
        "redshift:DeleteEndpointAccess",
        "redshift:CreateClusterSubnetGroup",
        "ec2:CreateVpcEndpoint",
        "ec2:ModifyVpcEndpoint",
        "ec2:DeleteVpcEndpoints",
        "ec2:DescribeVpcEndpoints",
        "ec2:CreateSecurityGroup",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:DescribeSubnets",
      ]),
    );
    expect(resourcesOf(doc, "ec2:CreateVpcEndpoint")).toContain("arn:aws:ec2:ap-northeast-1:222222222222:vpc/vpc-0a1b2c3d4e5f60718");
    const ingress = doc.Statement.find((s: any) => s.Action.includes("ec2:AuthorizeSecurityGroupIngress"));
    expect(ingress.Condition).toEqual({ StringEquals: { "ec2:Vpc": "arn:aws:ec2:ap-northeast-1:222222222222:vpc/vpc-0a1b2c3d4e5f60718" } });
    expect(actions(doc)).not.toContain("redshift:AuthorizeEndpointAccess");
  });

  test("Route 53 actions appear only when the consumer has a dns block", () => {
    expect(actions(read("dev-consumer-bi"))).toEqual(expect.arrayContaining(["route53:CreateHostedZone", "route53:ChangeResourceRecordSets"]));
    const plain = generate(validConfig());
    expect(actions(plain.read("dev-consumer-bi")).filter((a) => a.startsWith("route53:"))).toEqual([]);
  });

  test("fails on a resource type it has no mapping for, naming the stack and the type", () => {
    const run = runSynth(validConfig());
    const stack = readStack(run.outdir, "dev-consumer-bi");
    stack.resource.aws_instance = { stray: {} };
    expect(() => policyForStack("dev-consumer-bi", stack)).toThrow(
      "dev-consumer-bi: no IAM mapping for resource.aws_instance; add its deploy actions to GRANTS in lib/iam-policies.ts",
    );
  });

  test("fails without --out, with usage and exit 2", () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "run-ts.js"), path.join(ROOT, "scripts", "iam-policies.ts")], {
      cwd: tempDir(),
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^--out DIR is required\nUsage: npm run iam-policies -- --out DIR/);
  });
});
