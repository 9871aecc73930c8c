/**
 * The emulator enforces the generated policies as AWS evaluates them: with a
 * stack's deploy document broken on purpose, a real deploy fails, the failure
 * names the action, and the stack creates nothing it should not. Each case is
 * a mistake a policy can really hold:
 * - `redshift:DescribeLoggingStatus`, which issue 16 found missing from the
 *   producer's policy: the provider's aws_redshift_cluster data source calls
 *   it on every read;
 * - `ec2:CreateVpcEndpoint`, which the caller's policy needs behind
 *   CreateEndpointAccess (issue 19's first defect: a note in the Redshift
 *   Management Guide, as reported, and the CloudFormation registry schema);
 * - `ec2:DescribeVpcs`, a dependent action of ec2:CreateVpcEndpoint in the
 *   service authorization reference: nothing calls it, AWS checks it (when is
 *   not documented);
 * - `route53:VPCs` compared against a bare VPC id instead of the form Route 53
 *   documents (`VPCId=<vpc-id>,VPCRegion=<region>`, issue 19's second defect),
 *   for a consumer with a private zone.
 *
 * Each case asserts the rehearsal's own `IAM denied:` line and the set of
 * denied actions. AWS's message is asserted only for a direct call, whose
 * access-denied wording the IAM User Guide documents: what Redshift says when
 * a check behind CreateEndpointAccess fails is the emulator's wording (the one
 * published Redshift UnauthorizedOperation, for another operation, reads
 * "Access Denied. Please ensure that your IAM Permissions allow this
 * operation.").
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { FIXTURES, REPO_ROOT, newRehearsal, stepFailure } from "./harness";

interface PolicyDocument {
  Statement: Array<{ Action: string[]; Condition?: Record<string, Record<string, string | string[]>> }>;
}

const readDoc = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as PolicyDocument;
const writeDoc = (file: string, doc: PolicyDocument) => fs.writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);

/** Removes `action` from every statement of `file`, dropping a statement left with no action. */
function removeAction(file: string, action: string): void {
  const doc = readDoc(file);
  const before = JSON.stringify(doc);
  doc.Statement = doc.Statement.map((s) => ({ ...s, Action: s.Action.filter((a) => a !== action) })).filter((s) => s.Action.length > 0);
  if (JSON.stringify(doc) === before) throw new Error(`${file} does not grant ${action}`);
  writeDoc(file, doc);
}

/** Rewrites every `route53:VPCs` value of `file` from `VPCId=<id>,VPCRegion=<region>` to the bare VPC id. */
function bareRoute53Vpcs(file: string): void {
  const text = fs.readFileSync(file, "utf8");
  const bare = text.replace(/"VPCId=(vpc-[0-9a-f]+),VPCRegion=[a-z0-9-]+"/g, '"$1"');
  if (bare === text) throw new Error(`${file} compares no route53:VPCs value`);
  writeDoc(file, JSON.parse(bare) as PolicyDocument);
}

interface BrokenPolicy {
  readonly name: string;
  readonly config: string;
  readonly environment: string;
  /** The stack whose document is broken, deployed after the stacks it reads (`before`), which must not fail. */
  readonly stack: string;
  readonly before: readonly string[];
  readonly edit: (file: string) => void;
  /** Every action the emulator must refuse, and nothing else. */
  readonly denied: readonly string[];
  /** What the deploy's failure must say: the rehearsal's `IAM denied:` line; AWS's message only for a direct call. */
  readonly says: readonly string[];
}

const DEV = path.join(REPO_ROOT, "config", "environments.json");

const CASES: readonly BrokenPolicy[] = [
  {
    name: "producer policy without redshift:DescribeLoggingStatus",
    config: DEV,
    environment: "dev",
    stack: "dev-producer",
    before: [],
    edit: (file) => removeAction(file, "redshift:DescribeLoggingStatus"),
    denied: ["redshift:DescribeLoggingStatus"],
    says: [
      "assumed-role/redshift-endpoints-deploy/redshift-endpoints-dev-producer is not authorized to perform: redshift:DescribeLoggingStatus on resource: arn:aws:redshift:ap-northeast-1:111111111111:cluster:lake-dev",
      "IAM denied: redshift:DescribeLoggingStatus by arn:aws:iam::111111111111:role/redshift-endpoints-deploy (session redshift-endpoints-dev-producer)",
    ],
  },
  {
    name: "consumer policy without ec2:CreateVpcEndpoint",
    config: DEV,
    environment: "dev",
    stack: "dev-consumer-bi",
    before: ["dev-producer"],
    edit: (file) => removeAction(file, "ec2:CreateVpcEndpoint"),
    denied: ["ec2:CreateVpcEndpoint"],
    says: ["IAM denied: ec2:CreateVpcEndpoint (checked behind redshift:CreateEndpointAccess) by arn:aws:iam::222222222222:role/redshift-endpoints-deploy"],
  },
  {
    name: "consumer policy without ec2:DescribeVpcs, a dependent action",
    config: DEV,
    environment: "dev",
    stack: "dev-consumer-bi",
    before: ["dev-producer"],
    edit: (file) => removeAction(file, "ec2:DescribeVpcs"),
    denied: ["ec2:DescribeVpcs"],
    says: [
      "IAM denied: ec2:DescribeVpcs (checked behind redshift:CreateEndpointAccess, a dependent action) by arn:aws:iam::222222222222:role/redshift-endpoints-deploy",
    ],
  },
  {
    name: "consumer policy comparing route53:VPCs with a bare VPC id",
    config: path.join(FIXTURES, "consumers.json"),
    environment: "trio",
    stack: "trio-consumer-dns",
    before: ["trio-producer"],
    edit: bareRoute53Vpcs,
    denied: ["route53:AssociateVPCWithHostedZone", "route53:CreateHostedZone"],
    // Either may be refused first (the zone and the endpoint are created side by side), and the association is a
    // check behind CreateEndpointAccess: only the rehearsal's own line is asserted.
    says: ["IAM denied: route53:"],
  },
];

test.each(CASES)("a deploy under a $name fails naming the action and creates nothing more", async (c) => {
  const rehearsal = newRehearsal(c.config, c.environment, {}, { editPolicies: (dir) => c.edit(path.join(dir, `${c.stack}.json`)) });
  try {
    await rehearsal.start();
    const before = await rehearsal.snapshot();
    const failure = await stepFailure(() => rehearsal.deploy(`deploy under the broken policy of ${c.stack}`, [...c.before, c.stack]));
    const message = failure.message.replace(/\s+/g, " ");
    for (const said of c.says) expect(message).toContain(said);
    const denied = [
      ...new Set(
        rehearsal
          .calls()
          .filter((call) => !call.allowed)
          .map((call) => call.action),
      ),
    ];
    expect(denied.length).toBeGreaterThan(0);
    expect(denied.filter((a) => !c.denied.includes(a))).toEqual([]);
    if (c.denied.length === 1) expect(denied).toEqual(c.denied);
    // What the stacks made before the refusal (the grant, a security group, a subnet group) is all they made: no endpoint, no zone.
    const added = (await rehearsal.snapshot()).filter((line) => !before.includes(line));
    expect(added.filter((line) => / redshift endpoint | route53 zone /.test(line))).toEqual([]);
  } finally {
    await rehearsal.stop();
  }
});
