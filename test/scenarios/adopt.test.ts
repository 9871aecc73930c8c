/**
 * Adopting endpoints built by hand, for real: the manual procedure this
 * project replaces is replayed against the emulator through the AWS SDK, step
 * by step as a person ran it (authorize-endpoint-access --vpc-ids, a security
 * group with ingress on 5439, a subnet group of several subnets,
 * create-endpoint-access); then `npm run adopt`, then deploy. The endpoint
 * must keep its address, network interface and create time.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateVpcCommand } from "@aws-sdk/client-ec2";
import {
  AuthorizeEndpointAccessCommand,
  CreateClusterSubnetGroupCommand,
  CreateEndpointAccessCommand,
  DescribeClusterSubnetGroupsCommand,
  DescribeEndpointAccessCommand,
  DescribeEndpointAuthorizationCommand,
  type EndpointAccess,
} from "@aws-sdk/client-redshift";
import type { Rehearsal } from "../../lib/rehearsal/rehearse";
import { FIXTURES, REPO_ROOT, awsClients, newRehearsal } from "./harness";

const CONFIG = path.join(FIXTURES, "adopt.json");

/**
 * These scenarios build the hand-made world through the stacks' roles, as the
 * administrators who built it by hand could; the generated deploy policies
 * rightly do not allow that (CreateVpc, AuthorizeEndpointAccess on a grant the
 * config does not name, …), so IAM is not enforced here. faults-sigkill.test.ts
 * runs `npm run adopt` and the deploy after it under enforcement.
 */
const BY_AN_ADMINISTRATOR = { enforceIam: false };
const PRODUCER_ROLE = "arn:aws:iam::111111111111:role/redshift-endpoints-deploy";
const CONSUMER_ROLE = "arn:aws:iam::222222222222:role/redshift-endpoints-deploy";
const REGION = "eu-west-1";

interface HandBuilt {
  readonly cluster: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly endpointName: string;
  readonly cidrs: readonly string[];
  readonly subnetGroupName: string;
}

/** The manual procedure, as a person ran it in accounts A and B. Returns the endpoint once active. */
async function buildByHand(rehearsal: Rehearsal, world: HandBuilt): Promise<EndpointAccess> {
  const a = awsClients(rehearsal, PRODUCER_ROLE, REGION);
  const b = awsClients(rehearsal, CONSUMER_ROLE, REGION);
  // Account A: aws redshift authorize-endpoint-access --cluster-identifier … --account 222222222222 --vpc-ids …
  await a.redshift.send(new AuthorizeEndpointAccessCommand({ ClusterIdentifier: world.cluster, Account: "222222222222", VpcIds: [world.vpcId] }));
  // Account B: a security group for TCP 5439 from the clients.
  const sg = await b.ec2.send(
    new CreateSecurityGroupCommand({ GroupName: `${world.endpointName}-clients`, Description: "Redshift 5439 from BI", VpcId: world.vpcId }),
  );
  await b.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: sg.GroupId,
      IpPermissions: world.cidrs.map((cidr) => ({
        IpProtocol: "tcp",
        FromPort: 5439,
        ToPort: 5439,
        IpRanges: [{ CidrIp: cidr, Description: `clients ${cidr}` }],
      })),
    }),
  );
  // Account B: a cluster subnet group of several subnets, then the endpoint.
  await b.redshift.send(
    new CreateClusterSubnetGroupCommand({ ClusterSubnetGroupName: world.subnetGroupName, Description: "made by hand", SubnetIds: [...world.subnetIds] }),
  );
  await b.redshift.send(
    new CreateEndpointAccessCommand({
      EndpointName: world.endpointName,
      ClusterIdentifier: world.cluster,
      ResourceOwner: "111111111111",
      SubnetGroupName: world.subnetGroupName,
      VpcSecurityGroupIds: [sg.GroupId!],
    }),
  );
  for (let i = 0; i < 60; i++) {
    const endpoint = await describeEndpoint(rehearsal, world.endpointName);
    if (endpoint.EndpointStatus === "active") return endpoint;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${world.endpointName} never became active`);
}

async function describeEndpoint(rehearsal: Rehearsal, name: string): Promise<EndpointAccess> {
  const b = awsClients(rehearsal, CONSUMER_ROLE, REGION);
  return (await b.redshift.send(new DescribeEndpointAccessCommand({ EndpointName: name }))).EndpointAccessList![0];
}

/** `npm run adopt -- <env>` as a person runs it; returns its output and the file it wrote. */
async function adopt(rehearsal: Rehearsal, environment: string) {
  const outcome = await rehearsal.npm("adopt", ["adopt", "--", environment]);
  const file = path.join(path.dirname(rehearsal.scratchConfigFile), "adopted", `${environment}.json`);
  return { ...outcome, file, adoption: fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined };
}

/**
 * `npm run <command> -- <env> [args]` as a person runs it, in the scratch
 * folder: its cdktf.json is the project, run with the rehearsal's engine (not
 * rehearsal.npm(), which runs from the repository into the emulator's work
 * folder).
 */
function npmCommand(rehearsal: Rehearsal, step: string, command: "deploy" | "diff", environment: string, args: readonly string[]) {
  const scratch = path.dirname(rehearsal.scratchConfigFile);
  // The scratch folder is the project folder here (its cdktf.json); npx finds the project's cdktf through node_modules.
  if (!fs.existsSync(path.join(scratch, "node_modules"))) fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(scratch, "node_modules"));
  return rehearsal.run(
    step,
    "node",
    [path.join(REPO_ROOT, "scripts", "run-ts.js"), path.join(REPO_ROOT, "scripts", "environment.ts"), command, environment, ...args, "--skip-provider-lock"],
    scratch,
  );
}

/** `npm run deploy -- <env> --auto-approve` (with its plan check of adopted endpoints). */
const npmDeploy = (rehearsal: Rehearsal, step: string, environment: string) => npmCommand(rehearsal, step, "deploy", environment, ["--auto-approve"]);

/** What must not change for the endpoint to have been kept, not replaced. */
const identity = (e: EndpointAccess) => ({
  address: e.Address,
  networkInterfaceId: e.VpcEndpoint?.NetworkInterfaces?.[0]?.NetworkInterfaceId,
  privateIp: e.VpcEndpoint?.NetworkInterfaces?.[0]?.PrivateIpAddress,
  vpcEndpointId: e.VpcEndpoint?.VpcEndpointId,
  createTime: e.EndpointCreateTime?.toISOString(),
});

async function adoptDeployAndKeep(
  environment: string,
  world: HandBuilt,
  checkAdoption: (output: string, adoption: Record<string, unknown>) => void,
  afterDeploy: (rehearsal: Rehearsal, before: EndpointAccess) => Promise<void> = async () => undefined,
) {
  const rehearsal = newRehearsal(CONFIG, environment, {}, BY_AN_ADMINISTRATOR);
  try {
    await rehearsal.start();
    const before = await buildByHand(rehearsal, world);
    const adopted = await adopt(rehearsal, environment);
    expect(adopted.exitCode).toBe(0);
    checkAdoption(adopted.output, adopted.adoption);

    // The README's steps 4 and 5: the producer first (it imports the authorization; the consumers read its
    // state), then npm run diff: no destroy or replace of the adopted endpoint, nothing about its address.
    await rehearsal.deploy("deploy the producer after adopt", [rehearsal.stacks.producer]);
    const diff = await npmCommand(rehearsal, "diff after adopt", "diff", environment, []);
    if (diff.exitCode !== 0) throw new Error(`npm run diff exited ${diff.exitCode}:\n${diff.output.split("\n").slice(-40).join("\n")}`);
    // Plan lines name the construct path after the address: `# aws_redshift_endpoint_access.endpoint_F9556B44 (endpoint/endpoint) will be imported`.
    expect(diff.output).toMatch(/# aws_redshift_endpoint_access\.\S+ (\(\S+\) )?will be imported/);
    expect(diff.output).not.toMatch(/# aws_redshift_endpoint_access\.\S+ (\(\S+\) )?(must be replaced|will be destroyed|will be created)/);
    // The endpoint's block is an import with no change marker at all (address, network interface: untouched).
    expect(diff.output).not.toMatch(/(~|-\/\+|\+\/-|-|\+) resource "aws_redshift_endpoint_access"/);
    expect(diff.output).toMatch(/Plan: \d+ to import, \d+ to add, \d+ to change, 0 to destroy\./);
    expect(diff.output).not.toMatch(/Plan: .*, [1-9]\d* to destroy\./);

    const deployed = await npmDeploy(rehearsal, "deploy after adopt", environment);
    if (deployed.exitCode !== 0) throw new Error(`npm run deploy exited ${deployed.exitCode}:\n${deployed.output.split("\n").slice(-40).join("\n")}`);
    expect(deployed.output).toMatch(new RegExp(`checking that the plan of ${environment}-consumer-\\S+ keeps the adopted endpoint ${world.endpointName}`));
    expect(deployed.output).toMatch(/aws_redshift_endpoint_access\.\S+: Import/);
    expect(deployed.output).not.toMatch(/aws_redshift_endpoint_access\.\S+: (Destroying|Creating)/);
    expect(deployed.output).not.toMatch(/aws_redshift_subnet_group\.\S+: Creating/);
    expect(identity(await describeEndpoint(rehearsal, world.endpointName))).toEqual(identity(before));

    await rehearsal.verify();
    await rehearsal.planNoChanges();
    expect(identity(await describeEndpoint(rehearsal, world.endpointName))).toEqual(identity(before));
    await afterDeploy(rehearsal, before);

    await rehearsal.destroy();
    const b = awsClients(rehearsal, CONSUMER_ROLE, REGION);
    const groups = await b.redshift.send(new DescribeClusterSubnetGroupsCommand({ ClusterSubnetGroupName: world.subnetGroupName }));
    expect(groups.ClusterSubnetGroups?.[0]?.Subnets?.map((s) => s.SubnetIdentifier).sort()).toEqual([...world.subnetIds].sort());
  } finally {
    await rehearsal.stop();
  }
}

test("a world built by hand with the manual procedure is adopted and deployed with zero replacement; destroy leaves the hand-made subnet group", async () => {
  const world: HandBuilt = {
    cluster: "lake-manual",
    vpcId: "vpc-0a1b2c3d4e5f60101",
    subnetIds: ["subnet-0a1b2c3d4e5f60101", "subnet-0a1b2c3d4e5f60102"],
    endpointName: "lake-manual-bi",
    cidrs: ["10.20.0.0/16"],
    subnetGroupName: "bi-endpoint-subnets",
  };
  await adoptDeployAndKeep(
    "manual",
    world,
    (output, adoption) => {
      expect(output).toMatch(/authorization\s+222222222222:lake-manual\s+found: will be imported/);
      expect(output).toMatch(/endpoint\s+lake-manual-bi\s+found: will be imported/);
      expect(output).toMatch(/subnet group\s+bi-endpoint-subnets\s+found: kept as is, referenced, not managed/);
      expect(output).toMatch(/NOTE manual-consumer-bi: endpoint lake-manual-bi's network interface sits in eu-west-1a \(subnet-0a1b2c3d4e5f60101\)/);
      expect(output).toMatch(/ingress rule\s+sgr-\S+\s+found: will be imported\s+10\.20\.0\.0\/16 tcp\/5439/);
      expect(adoption).toMatchObject({
        environment: "manual",
        authorizations: [{ accountId: "222222222222", clusterIdentifier: "lake-manual", extraVpcIds: [] }],
        consumers: { bi: { endpointName: "lake-manual-bi", subnetGroup: { name: "bi-endpoint-subnets", managed: false } } },
      });
    },
    async (rehearsal, before) => {
      // Someone "tidies" the subnet group's name in the adoption file: the endpoint would be replaced. Refused before apply.
      const file = path.join(path.dirname(rehearsal.scratchConfigFile), "adopted", "manual.json");
      const original = fs.readFileSync(file, "utf8");
      fs.writeFileSync(file, original.replace('"name": "bi-endpoint-subnets"', '"name": "bi-endpoint-subnets-tidy"'));
      const refused = await npmDeploy(rehearsal, "fails to deploy a replacement", "manual");
      expect(refused.exitCode).toBe(1);
      expect(refused.output).toMatch(
        /Refusing to deploy manual-consumer-bi: the plan would destroy or replace an endpoint adopted from what was built by hand\./,
      );
      expect(refused.output).toMatch(/REPLACE endpoint lake-manual-bi \(aws_redshift_endpoint_access\.\S+\) because subnet_group_name would change/);
      expect(refused.output).toMatch(/every client of the endpoint loses its connection/);
      expect(refused.output).toMatch(/Nothing was applied\./);
      expect(identity(await describeEndpoint(rehearsal, "lake-manual-bi"))).toEqual(identity(before));
      fs.writeFileSync(file, original);
    },
  );
});

test("a world no one here scripted (another endpoint name, two ingress rules, three subnets) is adopted with zero replacement", async () => {
  const world: HandBuilt = {
    cluster: "lake-unscripted",
    vpcId: "vpc-0a1b2c3d4e5f60111",
    subnetIds: ["subnet-0a1b2c3d4e5f60111", "subnet-0a1b2c3d4e5f60112", "subnet-0a1b2c3d4e5f60113"],
    endpointName: "warehouse-readers",
    cidrs: ["10.30.0.0/16", "10.31.0.0/16"],
    subnetGroupName: "warehouse-three-azs",
  };
  await adoptDeployAndKeep(
    "unscripted",
    world,
    (output, adoption) => {
      expect(output).toMatch(/subnet group\s+warehouse-three-azs\s+found: kept as is, referenced, not managed\s+holds 3 subnets/);
      expect((adoption as { consumers: { readers: { ingressRules: unknown[] } } }).consumers.readers.ingressRules).toHaveLength(2);
    },
    async (rehearsal, before) => {
      // Later, in a planned window, the README's move to a managed single-subnet group: remove endpointName and
      // subnetGroup of that consumer from the adoption file, keep subnetIds, deploy. The endpoint is replaced once,
      // the old one going first; the hand-made group stays (the final destroy checks it is still there, whole).
      const file = path.join(path.dirname(rehearsal.scratchConfigFile), "adopted", "unscripted.json");
      const adoption = JSON.parse(fs.readFileSync(file, "utf8"));
      delete adoption.consumers.readers.endpointName;
      delete adoption.consumers.readers.subnetGroup;
      fs.writeFileSync(file, `${JSON.stringify(adoption, null, 2)}\n`);
      const moved = await npmDeploy(rehearsal, "deploy the move to a managed group", "unscripted");
      if (moved.exitCode !== 0) throw new Error(`npm run deploy exited ${moved.exitCode}:\n${moved.output.split("\n").slice(-40).join("\n")}`);
      const destroying = moved.output.search(/aws_redshift_endpoint_access\.\S+: Destroying/);
      const creating = moved.output.search(/aws_redshift_endpoint_access\.\S+: Creating/);
      expect(destroying).toBeGreaterThanOrEqual(0);
      expect(creating).toBeGreaterThan(destroying);
      expect(moved.output.match(/aws_redshift_endpoint_access\.\S+: Creation complete/g)).toHaveLength(1);
      expect(moved.output).toMatch(/aws_redshift_subnet_group\.\S+: Creation complete after \S+ \[id=warehouse-readers-subnet-0a1b2c3d4e5f60111\]/);
      const after = await describeEndpoint(rehearsal, world.endpointName);
      expect(after.SubnetGroupName).toBe("warehouse-readers-subnet-0a1b2c3d4e5f60111");
      expect(identity(after).networkInterfaceId).not.toBe(identity(before).networkInterfaceId);
      await rehearsal.verify("verify after the move");
      await rehearsal.planNoChanges("plan after the move: no changes");
    },
  );
});

test("only the producer's authorization exists, allowing one VPC more than the config: it is adopted with that VPC kept, the consumer is created fresh", async () => {
  const rehearsal = newRehearsal(CONFIG, "fresh", {}, BY_AN_ADMINISTRATOR);
  try {
    await rehearsal.start();
    const a = awsClients(rehearsal, PRODUCER_ROLE, REGION);
    const b = awsClients(rehearsal, CONSUMER_ROLE, REGION);
    // Someone else's VPC in account B, authorized by hand along with the configured one.
    const other = (await b.ec2.send(new CreateVpcCommand({ CidrBlock: "10.99.0.0/16" }))).Vpc!.VpcId!;
    await a.redshift.send(
      new AuthorizeEndpointAccessCommand({ ClusterIdentifier: "lake-fresh", Account: "222222222222", VpcIds: ["vpc-0a1b2c3d4e5f60121", other] }),
    );

    const adopted = await adopt(rehearsal, "fresh");
    expect(adopted.exitCode).toBe(0);
    expect(adopted.output).toMatch(new RegExp(`KEEPS ${other}: not in the config, someone else may use it`));
    expect(adopted.output).toMatch(/endpoint\s+lake-fresh-bi\s+missing: will be created/);
    expect(adopted.adoption).toEqual(
      expect.objectContaining({ authorizations: [{ accountId: "222222222222", clusterIdentifier: "lake-fresh", extraVpcIds: [other] }] }),
    );
    expect(adopted.adoption.consumers).toBeUndefined();

    await rehearsal.deploy("deploy after adopt");
    const authorization = await a.redshift.send(new DescribeEndpointAuthorizationCommand({ ClusterIdentifier: "lake-fresh", Account: "222222222222" }));
    expect([...(authorization.EndpointAuthorizationList?.[0]?.AllowedVPCs ?? [])].sort()).toEqual([other, "vpc-0a1b2c3d4e5f60121"].sort());
    expect((await describeEndpoint(rehearsal, "lake-fresh-bi")).EndpointStatus).toBe("active");
    await rehearsal.verify();
    await rehearsal.planNoChanges();
  } finally {
    await rehearsal.stop();
  }
});
