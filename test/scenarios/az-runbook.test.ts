/**
 * The README's runbook "moving the endpoint away from a failed AZ", run
 * exactly as written: deploy, swap subnetIds and standbySubnetIds in the
 * config, deploy again. The old endpoint goes before the new one is created
 * (the emulator, like AWS, refuses a second endpoint in the VPC), the new
 * network interface is in the standby's AZ, and the CNAME follows it.
 */
import * as path from "node:path";
import { DescribeEndpointAccessCommand, type EndpointAccess } from "@aws-sdk/client-redshift";
import { DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import { FIXTURES, newRehearsal, awsClients } from "./harness";

const ACTIVE = "subnet-0a1b2c3d4e5f60031";
const STANDBY = "subnet-0a1b2c3d4e5f60032";
const CONSUMER_ROLE = "arn:aws:iam::222222222222:role/redshift-endpoints-deploy";

test("the AZ runbook replaces the endpoint destroy-first into the standby's AZ, and the CNAME follows", async () => {
  const rehearsal = newRehearsal(path.join(FIXTURES, "runbook.json"), "runbook");
  try {
    await rehearsal.start();
    const seeded = await rehearsal.snapshot();
    await rehearsal.deploy();
    const { redshift, ec2 } = awsClients(rehearsal, CONSUMER_ROLE, "ap-northeast-1");
    const describe = async (): Promise<EndpointAccess> =>
      (await redshift.send(new DescribeEndpointAccessCommand({ EndpointName: "lake-runbook-bi" }))).EndpointAccessList![0];
    const azOf = async (subnet: string) => (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnet] }))).Subnets![0].AvailabilityZone;
    const before = await describe();
    expect(before.VpcEndpoint?.NetworkInterfaces?.[0]?.SubnetId).toBe(ACTIVE);

    // Runbook step 2: in the config, swap the subnets.
    rehearsal.editEnvironment((env) => ({
      ...env,
      consumers: env.consumers.map((c) => ({ ...c, subnetIds: c.standbySubnetIds!, standbySubnetIds: c.subnetIds })),
    }));
    // Runbook step 3: deploy.
    const move = await rehearsal.deploy("deploy after the swap");
    const lines = move.output.split("\n");
    const destroyed = lines.findIndex((l) => /aws_redshift_endpoint_access\.\S+: Destruction complete/.test(l));
    const created = lines.findIndex((l) => /aws_redshift_endpoint_access\.\S+: Creating\.\.\./.test(l));
    expect(destroyed).toBeGreaterThan(-1);
    expect(created).toBeGreaterThan(destroyed);

    const after = await describe();
    const eni = after.VpcEndpoint!.NetworkInterfaces![0];
    expect(eni.SubnetId).toBe(STANDBY);
    expect(eni.AvailabilityZone).toBe(await azOf(STANDBY));
    expect(eni.AvailabilityZone).not.toBe(await azOf(ACTIVE));
    expect(eni.NetworkInterfaceId).not.toBe(before.VpcEndpoint!.NetworkInterfaces![0].NetworkInterfaceId);

    const world = await rehearsal.snapshot();
    const cname = world.filter((l) => / route53 record .* bi\.lake\.internal\. CNAME /.test(l));
    expect(cname).toHaveLength(1);
    expect(cname[0].endsWith(` CNAME ${after.Address}`)).toBe(true);
    expect(after.Address).not.toBe(before.Address);

    await rehearsal.verify();
    await rehearsal.planNoChanges();
    await rehearsal.destroy();
    await rehearsal.expectWorld("nothing left", seeded);
  } finally {
    await rehearsal.stop();
  }
});
