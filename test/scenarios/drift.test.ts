/**
 * `npm run drift` against hand changes, each made through the AWS SDK as a
 * person at the console would (the emulator's console role), on a consumer
 * with a CNAME in an existing zone. Drift runs as a user runs it, under each
 * stack's read-only role, which holds the stack's drift document and nothing
 * else (IAM enforced: a call outside it is refused and fails the check).
 *
 * - Right after a clean deploy: exit 0, no row (no computed attribute shows).
 * - Then one hand change at a time, without deploying in between: each new
 *   report is the previous one plus exactly the new change's rows, exit 2.
 * - `npm run deploy` puts back what the state holds; the hand changes no
 *   state holds (an extra ingress rule, a grant to another account) stay
 *   reported, each with the command that removes it, until removed: then 0.
 * - An endpoint deleted by hand, and the grant revoked by hand (with Force,
 *   which AWS documents to delete the endpoints too), each reported, each
 *   cleared by a deploy.
 */
import * as path from "node:path";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  ModifySecurityGroupRulesCommand,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import {
  AuthorizeEndpointAccessCommand,
  DeleteEndpointAccessCommand,
  DescribeEndpointAccessCommand,
  DescribeEndpointAuthorizationCommand,
  RedshiftClient,
  RevokeEndpointAccessCommand,
} from "@aws-sdk/client-redshift";
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { DriftRow } from "../../lib/operations/drift-report";
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY } from "../../lib/rehearsal/emulator";
import { CONSOLE_ROLE_NAME } from "../../lib/rehearsal/iam-enforcement";
import type { DriftJson, Rehearsal } from "../../lib/rehearsal/rehearse";
import { FIXTURES, newRehearsal } from "./harness";

const OWNER = "111111111111";
const GRANTEE = "222222222222";
const REGION = "eu-west-1";
const CLUSTER = "lake-zoneid";
const ENDPOINT = "lake-zoneid-fin";
const ZONE = "Z0123456789ABCDEFGHIJ";
/** An account no config names. */
const STRANGER = "999999999999";

/** What identifies a row, for comparing reports: stack, resource type, attribute, where the change comes from, and its security flag. */
const key = (r: DriftRow) =>
  `${r.stack} ${r.address.split(".")[0].split(" ")[0]} ${r.attribute.replace(/sgr-[0-9a-f]+/, "sgr-*")} | ${r.change} | ${r.security ?? "-"}`;
const keys = (report: DriftJson) => report.rows.map(key).sort();

const clients: Array<{ destroy(): void }> = [];
afterAll(() => {
  for (const c of clients.splice(0)) c.destroy();
});

/** The console's clients in `account`. */
function consoleClients(rehearsal: Rehearsal, account: string) {
  const credentials = fromTemporaryCredentials({
    params: { RoleArn: `arn:aws:iam::${account}:role/${CONSOLE_ROLE_NAME}`, RoleSessionName: "a-person-at-the-console" },
    masterCredentials: { accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY },
    clientConfig: { region: REGION, endpoint: rehearsal.url },
  });
  const config = { region: REGION, endpoint: rehearsal.url, credentials };
  const made = { ec2: new EC2Client(config), redshift: new RedshiftClient(config), route53: new Route53Client(config) };
  clients.push(made.ec2, made.redshift, made.route53);
  return made;
}

async function until(what: string, done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out waiting until ${what}`);
}

test("names each hand change, with exit 2, and a deploy clears what a state holds", async () => {
  const rehearsal = newRehearsal(path.join(FIXTURES, "consumers.json"), "zoneid");
  // Each stack's read-only role, as a user configures it: the rehearsal gives it the stack's drift document only.
  rehearsal.editEnvironment((env) => ({
    ...env,
    producer: { ...env.producer, readOnlyRoleArn: `arn:aws:iam::${OWNER}:role/redshift-endpoints-read` },
    consumers: env.consumers.map((c) => ({ ...c, readOnlyRoleArn: `arn:aws:iam::${GRANTEE}:role/redshift-endpoints-read` })),
  }));
  const grantee = () => consoleClients(rehearsal, GRANTEE);
  const owner = () => consoleClients(rehearsal, OWNER);
  const reports: string[] = [];
  const drift = async (step: string) => {
    const run = await rehearsal.drift(`drift: ${step}`);
    reports.push(
      `--- ${step}: exit ${run.exitCode}\n${run.report.rows.map((r) => `${r.stack}  ${r.address}  ${r.attribute}  ${r.expected} -> ${r.actual}  [${r.change}] ${r.security ?? ""}`).join("\n")}`,
    );
    expect(run.report.unchecked).toEqual([]);
    return run;
  };
  const expectDrift = async (step: string, before: string[], added: string[]) => {
    const run = await drift(step);
    expect(keys(run.report)).toEqual([...before, ...added].sort());
    expect([run.exitCode, run.report.drift]).toEqual([2, true]);
    return keys(run.report);
  };
  const expectClean = async (step: string) => {
    const run = await drift(step);
    expect(run.report.rows).toEqual([]);
    expect([run.exitCode, run.report.drift]).toEqual([0, false]);
  };
  const deploy = async (step: string) => {
    const out = await rehearsal.npm(step, ["deploy", "--", "zoneid", "--auto-approve"]);
    expect([out.exitCode, out.output.slice(-2000)]).toEqual([0, out.output.slice(-2000)]);
  };
  try {
    await rehearsal.start();
    await rehearsal.deploy();
    await expectClean("right after a clean deploy");

    const { ec2, redshift, route53 } = grantee();
    const producer = owner().redshift;
    const group = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: [`redshift-endpoint-${ENDPOINT}`] }] })))
      .SecurityGroups?.[0];
    const groupId = group?.GroupId as string;
    const rules = async () =>
      (await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }))).SecurityGroupRules ?? [];
    const managed = (await rules()).find((r) => r.CidrIpv4 === "10.70.0.0/16");

    // 1. A tag changed.
    const tag = group?.Tags?.[0];
    await ec2.send(new CreateTagsCommand({ Resources: [groupId], Tags: [{ Key: tag?.Key, Value: "changed-by-hand" }] }));
    let seen = await expectDrift("a tag changed", [], [`zoneid-consumer-fin aws_security_group tags_all.${tag?.Key} | outside Terraform | -`]);

    // 2. The managed rule's CIDR changed, wider than allowedCidrs.
    await ec2.send(
      new ModifySecurityGroupRulesCommand({
        GroupId: groupId,
        SecurityGroupRules: [
          { SecurityGroupRuleId: managed?.SecurityGroupRuleId, SecurityGroupRule: { IpProtocol: "tcp", FromPort: 5439, ToPort: 5439, CidrIpv4: "10.0.0.0/8" } },
        ],
      }),
    );
    seen = await expectDrift("a changed CIDR", seen, [
      "zoneid-consumer-fin aws_vpc_security_group_ingress_rule cidr_ipv4 | outside Terraform | ingress wider than allowedCidrs (10.70.0.0/16)",
    ]);

    // 3. An extra ingress rule from 0.0.0.0/0.
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 5439, ToPort: 5439, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      }),
    );
    const extraRule = "zoneid-consumer-fin aws_security_group ingress rule sgr-* | outside Terraform | ingress wider than allowedCidrs (10.70.0.0/16)";
    seen = await expectDrift("an extra ingress rule from 0.0.0.0/0", seen, [extraRule]);

    // 4. The CNAME deleted.
    const records = (await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE }))).ResourceRecordSets ?? [];
    const cname = records.find((r) => r.Type === "CNAME");
    await route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: ZONE, ChangeBatch: { Changes: [{ Action: "DELETE", ResourceRecordSet: cname }] } }));
    seen = await expectDrift("the CNAME deleted", seen, ["zoneid-consumer-fin aws_route53_record (resource) | outside Terraform | -"]);

    // 5. An extra VPC in the grant.
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.99.0.0/16" }))).Vpc?.VpcId as string;
    await producer.send(new AuthorizeEndpointAccessCommand({ ClusterIdentifier: CLUSTER, Account: GRANTEE, VpcIds: [vpc] }));
    seen = await expectDrift("an extra VPC in the grant", seen, [
      `zoneid-producer aws_redshift_endpoint_authorization vpc_ids | outside Terraform | an extra VPC in the grant (${vpc})`,
    ]);

    // 6. A grant to an account the config does not name.
    await producer.send(new AuthorizeEndpointAccessCommand({ ClusterIdentifier: CLUSTER, Account: STRANGER }));
    const extraGrant = "zoneid-producer grant (resource) | outside Terraform | an extra account in the grant";
    seen = await expectDrift("a grant to another account", seen, [extraGrant]);

    // A deploy puts back all a state holds; the extra rule and the extra grant are in no state and stay, each with the command that removes it.
    await deploy("deploy over the hand changes");
    const left = await drift("after the deploy");
    expect([left.exitCode, keys(left.report)]).toEqual([2, [extraGrant, extraRule].sort()]);
    const ruleRow = left.report.rows.find((r) => r.attribute.startsWith("ingress rule "));
    const ruleId = ruleRow?.attribute.replace("ingress rule ", "") as string;
    expect(ruleRow?.remedy).toBe(
      `no state holds it, so npm run deploy leaves it: aws ec2 revoke-security-group-ingress --group-id ${groupId} --security-group-rule-ids ${ruleId}`,
    );
    expect(left.report.rows.find((r) => r.address === `grant to ${STRANGER}`)?.remedy).toContain(
      `aws redshift revoke-endpoint-access --cluster-identifier ${CLUSTER} --account ${STRANGER}`,
    );
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: [ruleId] }));
    await producer.send(new RevokeEndpointAccessCommand({ ClusterIdentifier: CLUSTER, Account: STRANGER }));
    await expectClean("after the extra rule and grant are removed as drift said");

    // 6. The endpoint deleted by hand.
    const endpointGone = async () =>
      ((await redshift.send(new DescribeEndpointAccessCommand({ EndpointName: ENDPOINT })).catch(() => undefined))?.EndpointAccessList ?? []).length === 0;
    await redshift.send(new DeleteEndpointAccessCommand({ EndpointName: ENDPOINT }));
    await until("the endpoint is gone", endpointGone);
    await expectDrift("the endpoint deleted", [], ["zoneid-consumer-fin aws_redshift_endpoint_access (resource) | outside Terraform | a missing endpoint"]);
    await deploy("deploy after the endpoint was deleted");
    await expectClean("after the deploy recreated the endpoint");

    // 7. The grant revoked by hand, with Force: AWS deletes its endpoints too (the API model's RevokeEndpointAccessMessage.Force).
    await producer.send(new RevokeEndpointAccessCommand({ ClusterIdentifier: CLUSTER, Account: GRANTEE, Force: true }));
    const grantGone = async () =>
      ((await producer.send(new DescribeEndpointAuthorizationCommand({ ClusterIdentifier: CLUSTER, Account: GRANTEE }))).EndpointAuthorizationList ?? [])
        .length === 0;
    await until("the grant and its endpoint are gone", async () => (await grantGone()) && (await endpointGone()));
    await expectDrift(
      "the grant revoked",
      [],
      [
        "zoneid-consumer-fin aws_redshift_endpoint_access (resource) | outside Terraform | a missing endpoint",
        "zoneid-producer aws_redshift_endpoint_authorization (resource) | outside Terraform | -",
      ],
    );
    await deploy("deploy after the grant was revoked");
    await expectClean("after the deploy granted again and recreated the endpoint");
    rehearsal.expectNoDenials();
  } finally {
    process.stdout.write(`drift reports:\n${reports.join("\n")}\n`);
    await rehearsal.stop();
  }
});
