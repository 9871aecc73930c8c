/**
 * Least-privilege deploy and verify policies, derived from the synthesized stacks.
 *
 * The complete document of every shipped stack (config/environments.json) is
 * pinned against test/fixtures/iam/ with exact equality; regenerate those with
 * `npm run iam-policies -- --out test/fixtures/iam` and review the diff. A
 * mutation loop proves the pin catches the loss of any one action or
 * condition key.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Redshift } from "iam-floyd/lib/generated/policy-statements/redshift";
import { loadConfig } from "../../lib/config";
import { GRANTS, UNGATED_ACTIONS } from "../../lib/iam/grants";
import {
  type PolicyDocument,
  type PolicyStatement,
  driftPolicyFile,
  driftPolicyForStack,
  explainDrift,
  explainStack,
  explainVerify,
  policyForStack,
  verifyPolicyFile,
  verifyPolicyForStack,
} from "../../lib/iam/policies";
import type { ClientFactory, StackTarget } from "../../lib/aws/clients";
import { verifyEnvironment } from "../../lib/operations/verify";
import { readStack, runSynth, runSynthFile, tempDir, validConfig } from "../helpers";

const ROOT = path.join(__dirname, "..", "..");
const FIXTURES = path.join(__dirname, "..", "fixtures", "iam");
const SHIPPED_CONFIG = path.join(ROOT, "config", "environments.json");

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
  const read = (file: string) => JSON.parse(fs.readFileSync(path.join(out, file), "utf8"));
  return { files: fs.readdirSync(out).sort(), read };
}

const actions = (doc: PolicyDocument): string[] => doc.Statement.flatMap((s) => s.Action);

/**
 * Compares a generated document with its pinned expectation and throws,
 * naming what differs, when they are not equal. Used by the pin tests and by
 * the mutation loop, so the loop proves what the pin catches.
 */
function assertSamePolicy(actual: PolicyDocument, expected: PolicyDocument, name: string): void {
  const problems: string[] = [];
  const bySid = new Map(actual.Statement.map((s) => [s.Sid, s]));
  for (const want of expected.Statement) {
    const got = bySid.get(want.Sid);
    if (got === undefined) {
      problems.push(`missing statement ${want.Sid}`);
      continue;
    }
    for (const a of want.Action) if (!got.Action.includes(a)) problems.push(`missing action ${a} in ${want.Sid}`);
    for (const a of got.Action) if (!want.Action.includes(a)) problems.push(`extra action ${a} in ${want.Sid}`);
    for (const [op, keys] of Object.entries(want.Condition ?? {})) {
      for (const key of Object.keys(keys)) {
        if (JSON.stringify(got.Condition?.[op]?.[key]) !== JSON.stringify(keys[key])) problems.push(`lost condition ${op} ${key} in ${want.Sid}`);
      }
    }
  }
  if (problems.length === 0 && JSON.stringify(actual) !== JSON.stringify(expected)) problems.push("documents differ");
  if (problems.length) throw new Error(`${name}: ${problems.join("; ")}`);
}

/** Every (statement, action) and (statement, condition key) removal of a document, with the message the pin must give. */
function mutations(doc: PolicyDocument): Array<{ label: string; mutated: PolicyDocument; message: string }> {
  const out: Array<{ label: string; mutated: PolicyDocument; message: string }> = [];
  doc.Statement.forEach((s, i) => {
    const replace = (next: PolicyStatement | undefined): PolicyDocument => ({
      ...doc,
      Statement: doc.Statement.flatMap((t, j) => (j === i ? (next ? [next] : []) : [t])),
    });
    for (const action of s.Action) {
      const rest = s.Action.filter((a) => a !== action);
      out.push({
        label: `remove ${action} from ${s.Sid}`,
        mutated: replace(rest.length ? { ...s, Action: rest } : undefined),
        message: rest.length ? `missing action ${action} in ${s.Sid}` : `missing statement ${s.Sid}`,
      });
    }
    for (const [op, keys] of Object.entries(s.Condition ?? {})) {
      for (const key of Object.keys(keys)) {
        const { [key]: _removed, ...otherKeys } = keys;
        const { [op]: _op, ...otherOps } = s.Condition ?? {};
        const condition = Object.keys(otherKeys).length ? { ...otherOps, [op]: otherKeys } : otherOps;
        const { Condition: _c, ...bare } = s;
        out.push({
          label: `remove ${op} ${key} from ${s.Sid}`,
          mutated: replace(Object.keys(condition).length ? { ...bare, Condition: condition } : bare),
          message: `lost condition ${op} ${key} in ${s.Sid}`,
        });
      }
    }
  });
  return out;
}

describe("iam-policies", () => {
  const config = validConfig();
  Object.assign(config.environments.dev.consumers[0], {
    dns: { zoneName: "lake.internal", recordName: "bi" },
    standbySubnetIds: ["subnet-0a1b2c3d4e5f60799"],
  });
  const { files, read } = generate(config);

  test("writes a deploy, a verify and a drift document per stack", () => {
    expect(files).toEqual([
      "dev-consumer-bi.drift.json",
      "dev-consumer-bi.json",
      "dev-consumer-bi.verify.json",
      "dev-producer.drift.json",
      "dev-producer.json",
      "dev-producer.verify.json",
    ]);
  });

  test("a drift document allows only what the provider reads, within the deploy document's scopes, and what drift reads itself", () => {
    const drift = read("dev-consumer-bi.drift.json") as PolicyDocument;
    const actions = drift.Statement.flatMap((s) => s.Action).sort();
    expect([...new Set(actions)]).toEqual(actions);
    expect(actions.filter((a) => !/^[a-z0-9]+:(Describe|Get|List)/.test(a))).toEqual([]);
    expect(actions).toEqual(expect.arrayContaining(["ec2:DescribeSecurityGroupRules", "redshift:DescribeEndpointAccess", "route53:GetHostedZone"]));
    const deploy = read("dev-consumer-bi.json") as PolicyDocument;
    for (const s of drift.Statement) {
      const scoped = deploy.Statement.filter((d) => JSON.stringify([d.Resource, d.Condition ?? null]) === JSON.stringify([s.Resource, s.Condition ?? null]));
      expect([s.Sid, scoped.length > 0]).toEqual([s.Sid, true]);
    }
  });

  test("no action is a wildcard", () => {
    for (const file of files) {
      for (const action of actions(read(file))) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
    }
  });

  test("the producer reads its cluster (logging status included) and manages authorizations in its region", () => {
    expect(read("dev-producer.json")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadCluster",
          Effect: "Allow",
          Action: ["redshift:DescribeClusters", "redshift:DescribeLoggingStatus"],
          Resource: "arn:aws:redshift:ap-northeast-1:111111111111:cluster:lake-dev",
        },
        {
          Sid: "ManageEndpointAuthorizations",
          Effect: "Allow",
          Action: ["redshift:AuthorizeEndpointAccess", "redshift:DescribeEndpointAuthorization", "redshift:RevokeEndpointAccess"],
          Resource: "*",
          Condition: { StringEquals: { "aws:RequestedRegion": "ap-northeast-1" } },
        },
      ],
    });
  });

  test("a producer with forceDeleteAuthorizations may delete endpoints, for the forced revoke, in its region; one without may not", () => {
    expect(actions(read("dev-producer.json"))).not.toContain("redshift:DeleteEndpointAccess");
    const forced = validConfig();
    forced.environments.dev.producer.forceDeleteAuthorizations = true;
    const { read: readForced } = generate(forced);
    const doc: PolicyDocument = readForced("dev-producer.json");
    expect(doc.Statement.filter((s) => s.Action.includes("redshift:DeleteEndpointAccess"))).toEqual([
      {
        Sid: "NoResourceLevelPermissions",
        Effect: "Allow",
        Action: [
          "redshift:AuthorizeEndpointAccess",
          "redshift:DeleteEndpointAccess",
          "redshift:DescribeEndpointAuthorization",
          "redshift:RevokeEndpointAccess",
        ],
        Resource: "*",
        Condition: { StringEquals: { "aws:RequestedRegion": "ap-northeast-1" } },
      },
    ]);
    const synth = runSynth(forced);
    expect(synth.exitCode).toBe(0);
    const reason = explainStack("dev-producer", readStack(synth.outdir, "dev-producer"))
      .statements.flatMap((s) => s.actions)
      .find((a) => a.action === "redshift:DeleteEndpointAccess");
    expect(reason).toMatchObject({ caller: "aws", via: "redshift:RevokeEndpointAccess", operations: ["delete"] });
    expect(reason?.source).toContain("aws-redshift-endpointauthorization/aws-redshift-endpointauthorization.json @c8def72");
    expect(reason?.notExercised).toContain("the emulator does not evaluate this check");
    expect(reason?.assumed).toContain("whether AWS checks it on the caller");
  });

  test("the consumer may create Redshift's service-linked role, and passes the caller-side checks behind CreateEndpointAccess and ModifyEndpointAccess", () => {
    const doc: PolicyDocument = read("dev-consumer-bi.json");
    expect(doc.Statement.find((s) => s.Action.includes("iam:CreateServiceLinkedRole"))).toEqual({
      Sid: "CreateRedshiftServiceLinkedRole",
      Effect: "Allow",
      Action: ["iam:CreateServiceLinkedRole"],
      Resource: "arn:aws:iam::222222222222:role/aws-service-role/redshift.amazonaws.com/AWSServiceRoleForRedshift",
      Condition: { StringEquals: { "iam:AWSServiceName": "redshift.amazonaws.com" } },
    });
    const ec2 = "arn:aws:ec2:ap-northeast-1:222222222222";
    expect(doc.Statement.filter((s) => s.Action.includes("ec2:CreateVpcEndpoint"))).toEqual([
      {
        Sid: "CreateRedshiftManagedVpcEndpoint",
        Effect: "Allow",
        Action: ["ec2:CreateVpcEndpoint"],
        // The VPC, the active and the standby subnet, the security groups and the new endpoint; no ec2:Vpc (the reference lists it for none of these).
        Resource: [
          `${ec2}:vpc/vpc-0a1b2c3d4e5f60718`,
          `${ec2}:subnet/subnet-0a1b2c3d4e5f60718`,
          `${ec2}:subnet/subnet-0a1b2c3d4e5f60799`,
          `${ec2}:security-group/*`,
          `${ec2}:vpc-endpoint/*`,
        ],
      },
    ]);
    expect(doc.Statement.filter((s) => s.Action.includes("ec2:ModifyVpcEndpoint")).map((s) => [s.Resource, s.Condition])).toEqual([
      [`${ec2}:vpc-endpoint/*`, undefined],
      [`${ec2}:security-group/*`, { ArnEquals: { "ec2:Vpc": `${ec2}:vpc/vpc-0a1b2c3d4e5f60718` } }],
    ]);
    // Redshift deletes the VPC endpoint as its service-linked role; no document asks the caller for it.
    expect(actions(doc).filter((a) => a === "ec2:DeleteVpcEndpoints")).toEqual([]);
  });

  test("grants the dependent actions the reference names for ec2:CreateVpcEndpoint, within the consumer's VPC", () => {
    const doc: PolicyDocument = read("dev-consumer-bi.json");
    const ec2 = "arn:aws:ec2:ap-northeast-1:222222222222";
    expect(doc.Statement.find((s) => s.Sid === "TagRedshiftManagedVpcEndpointOnCreate")).toEqual({
      Sid: "TagRedshiftManagedVpcEndpointOnCreate",
      Effect: "Allow",
      Action: ["ec2:CreateTags"],
      Resource: `${ec2}:vpc-endpoint/*`,
      Condition: { StringEquals: { "ec2:CreateAction": "CreateVpcEndpoint" } },
    });
    expect(doc.Statement.find((s) => s.Sid === "DescribeVpcsForDependentChecks")).toEqual({
      Sid: "DescribeVpcsForDependentChecks",
      Effect: "Allow",
      Action: ["ec2:DescribeVpcs"],
      Resource: "*",
    });
    expect(doc.Statement.filter((s) => s.Action.includes("route53:AssociateVPCWithHostedZone")).map((s) => s.Condition)).toEqual([
      { "ForAnyValue:StringEquals": { "route53:VPCs": "VPCId=vpc-0a1b2c3d4e5f60718,VPCRegion=ap-northeast-1" } },
    ]);
  });

  test("no rule ARN for RevokeSecurityGroupIngress, and no ec2:Vpc on DeleteTags: the reference lists neither for those actions", () => {
    const doc: PolicyDocument = read("dev-consumer-bi.json");
    for (const s of doc.Statement) {
      const resources = [s.Resource].flat();
      if (s.Action.includes("ec2:RevokeSecurityGroupIngress")) expect(resources.filter((r) => r.includes(":security-group-rule/"))).toEqual([]);
      if (s.Action.includes("ec2:DeleteTags")) expect(JSON.stringify(s.Condition ?? {})).not.toContain("ec2:Vpc");
    }
  });

  test("route53:CreateHostedZone is granted on * (it has no resource type), only for the consumer's VPC in Route 53's value form", () => {
    const doc: PolicyDocument = read("dev-consumer-bi.json");
    expect(doc.Statement.filter((s) => s.Action.includes("route53:CreateHostedZone"))).toEqual([
      {
        Sid: "CreatePrivateHostedZoneInVpc",
        Effect: "Allow",
        Action: ["route53:CreateHostedZone"],
        Resource: "*",
        // Route 53 Developer Guide: IAM compares route53:VPCs as VPCId=<vpc-id>,VPCRegion=<region>; a bare id never matches.
        Condition: { "ForAnyValue:StringEquals": { "route53:VPCs": "VPCId=vpc-0a1b2c3d4e5f60718,VPCRegion=ap-northeast-1" } },
      },
    ]);
  });

  test("a record in an existing zone (dns.zoneId) may change only under its label, within that zone, as CNAME", () => {
    const config = validConfig();
    config.environments.dev.consumers[0].dns = { zoneId: "Z0123456789ABCDEFGHIJ", recordName: "fin" };
    const doc: PolicyDocument = generate(config).read("dev-consumer-bi.json");
    expect(doc.Statement.find((s) => s.Sid === "ChangeEndpointRecord")).toEqual({
      Sid: "ChangeEndpointRecord",
      Effect: "Allow",
      Action: ["route53:ChangeResourceRecordSets"],
      Resource: "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
      Condition: {
        // The provider appends the zone's name to the label; the stack does not know that name.
        "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["fin.*"] },
        "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["CNAME"] },
      },
    });
  });

  test("Route 53 actions appear only when the consumer has a dns block, but for the dependent action of ec2:CreateVpcEndpoint", () => {
    const plain = generate(validConfig());
    expect(actions(plain.read("dev-consumer-bi.json")).filter((a) => a.startsWith("route53:"))).toEqual(["route53:AssociateVPCWithHostedZone"]);
    expect(actions(read("dev-consumer-bi.json")).filter((a) => a.startsWith("route53:")).length).toBeGreaterThan(0);
  });

  test("fails on a resource type it has no mapping for, naming the stack and the type", () => {
    const run = runSynth(validConfig());
    const stack = readStack(run.outdir, "dev-consumer-bi");
    stack.resource.aws_instance = { stray: {} };
    expect(() => policyForStack("dev-consumer-bi", stack)).toThrow(
      "dev-consumer-bi: no IAM mapping for resource.aws_instance; add its deploy actions to GRANTS in lib/iam/grants.ts",
    );
  });

  test("fails when a grant's reasons do not name exactly its actions", () => {
    const run = runSynth(validConfig());
    const stack = readStack(run.outdir, "dev-producer");
    const grants = {
      ...GRANTS,
      "data.aws_redshift_cluster": () => [
        {
          statement: new Redshift("ReadCluster").allow().toDescribeClusters().toDescribeLoggingStatus(),
          why: { "redshift:DescribeClusters": { operations: ["read" as const], caller: "provider" as const, detail: "read" } },
        },
      ],
    };
    expect(() => explainStack("dev-producer", stack, grants)).toThrow(
      "dev-producer: data.aws_redshift_cluster statement ReadCluster grants [redshift:DescribeClusters, redshift:DescribeLoggingStatus] but gives reasons for [redshift:DescribeClusters]; every action needs exactly one reason",
    );
  });

  test("fails without --out, with usage and exit 2", () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "run-ts.js"), path.join(ROOT, "scripts", "iam-policies.ts")], {
      cwd: tempDir(),
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^iam-policies: --out DIR is required\nUsage: npm run iam-policies -- \[options\]\n/);
  });
});

describe("iam-policies of the shipped config", () => {
  const run = runSynthFile(SHIPPED_CONFIG, tempDir());
  const stackIds = fs
    .readdirSync(path.join(run.outdir, "stacks"))
    .filter((id) => readStack(run.outdir, id).provider?.aws)
    .sort();
  const generated = stackIds.flatMap((id) => {
    const stack = readStack(run.outdir, id);
    return [
      { file: `${id}.json`, id, stack, doc: policyForStack(id, stack), explained: explainStack(id, stack) },
      { file: verifyPolicyFile(id), id, stack, doc: verifyPolicyForStack(id, stack), explained: explainVerify(id, stack) },
      { file: driftPolicyFile(id), id, stack, doc: driftPolicyForStack(id, stack), explained: explainDrift(id, stack) },
    ];
  });
  const pinned = (file: string): PolicyDocument => JSON.parse(fs.readFileSync(path.join(FIXTURES, file), "utf8"));

  test("covers every shipped stack, and test/fixtures/iam holds nothing else", () => {
    expect(stackIds).toEqual(["dev-consumer-bi", "dev-producer", "prod-consumer-bi", "prod-producer", "stg-consumer-bi", "stg-producer"]);
    expect(fs.readdirSync(FIXTURES).sort()).toEqual(generated.map((g) => g.file).sort());
  });

  test.each(generated.map((g) => [g.file, g] as const))("%s equals its pinned document exactly", (file, g) => {
    expect(g.doc).toEqual(pinned(file));
    expect(() => assertSamePolicy(g.doc, pinned(file), file)).not.toThrow();
  });

  test("fails the pin when any one action or condition key is removed (every statement, every action, every key)", () => {
    let count = 0;
    for (const g of generated) {
      for (const m of mutations(g.doc)) {
        expect(() => assertSamePolicy(m.mutated, pinned(g.file), g.file)).toThrow(`${g.file}: ${m.message}`);
        expect(m.mutated).not.toEqual(pinned(g.file));
        count++;
      }
    }
    const expected = generated.reduce(
      (n, g) =>
        n + g.doc.Statement.reduce((k, s) => k + s.Action.length + Object.values(s.Condition ?? {}).reduce((c, keys) => c + Object.keys(keys).length, 0), 0),
      0,
    );
    expect(count).toBe(expected);
    expect(count).toBeGreaterThan(150);
  });

  test("every granted action has a reason naming its type and provider operations, and no reason names an ungranted action", () => {
    for (const g of generated) {
      expect(g.explained.document).toEqual(g.doc);
      g.doc.Statement.forEach((s, i) => {
        const explained = g.explained.statements[i];
        expect(explained.Sid).toBe(s.Sid);
        expect([...new Set(explained.actions.map((a) => a.action))].sort()).toEqual(s.Action);
        for (const a of explained.actions) {
          expect(a.operations.length).toBeGreaterThan(0);
          expect(a.detail).not.toBe("");
          if (a.caller === "aws") expect(a.via).toMatch(/^[a-z0-9-]+:[A-Z]/);
          expect(a.type === "verify" || a.type === "drift" || a.type in GRANTS).toBe(true);
        }
      });
    }
  });

  test("the deploy role can run npm run verify: each verify action is in the same stack's deploy policy", () => {
    for (const id of stackIds) {
      const deploy = new Set(actions(generated.find((g) => g.file === `${id}.json`)!.doc));
      const verify = actions(generated.find((g) => g.file === verifyPolicyFile(id))!.doc);
      expect(verify.filter((a) => !deploy.has(a))).toEqual([]);
    }
  });

  test("the deploy role can run npm run drift: each drift action is in the same stack's deploy policy", () => {
    for (const id of stackIds) {
      const deploy = new Set(actions(generated.find((g) => g.file === `${id}.json`)!.doc));
      const drift = actions(generated.find((g) => g.file === driftPolicyFile(id))!.doc);
      expect(drift.filter((a) => !deploy.has(a))).toEqual([]);
    }
  });

  test("each verify policy holds exactly the calls npm run verify makes for that stack's role", async () => {
    const called = new Map<string, Set<string>>();
    const clientsFor: ClientFactory = (target: StackTarget) => {
      const seen = called.get(target.stack) ?? new Set<string>();
      called.set(target.stack, seen);
      const client = (service: string) => ({
        destroy: () => undefined,
        send: async (command: { constructor: { name: string }; input: any }) => {
          const action = command.constructor.name.replace(/Command$/, "");
          seen.add(`${service}:${action}`);
          switch (action) {
            case "GetCallerIdentity":
              return { Account: target.accountId, Arn: `arn:aws:sts::${target.accountId}:assumed-role/r/s` };
            case "DescribeEndpointAuthorization":
              return { EndpointAuthorizationList: [] };
            case "DescribeEndpointAccess":
              return { EndpointAccessList: [] };
            case "DescribeSubnets":
              return { Subnets: [{ SubnetId: command.input.SubnetIds[0], AvailabilityZone: "ap-northeast-1a" }] };
            default:
              throw new Error(`unexpected call ${service}:${action}`);
          }
        },
      });
      return { sts: client("sts"), redshift: client("redshift"), ec2: client("ec2") } as never;
    };
    const shipped = loadConfig(SHIPPED_CONFIG);
    for (const [name, env] of Object.entries(shipped.environments)) {
      await verifyEnvironment({ environment: name, config: env, clients: clientsFor, connect: false });
    }
    expect([...called.keys()].sort()).toEqual(stackIds);
    for (const id of stackIds) {
      const granted = actions(generated.find((g) => g.file === verifyPolicyFile(id))!.doc).sort();
      const made = [...called.get(id)!].filter((a) => !UNGATED_ACTIONS.has(a)).sort();
      expect({ id, granted }).toEqual({ id, granted: made });
    }
  });
});
