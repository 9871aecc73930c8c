/** Beyond the manual: a stable DNS name, and standby subnets for moving away from a failed AZ. */
import { DataAwsSubnet } from "@cdktf/provider-aws/lib/data-aws-subnet";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { Testing } from "cdktf";
import { buildStacks } from "../../lib/app";
import { parseConfig } from "../../lib/config";
import { tempDir, validConfig } from "../helpers";

const ACTIVE = "subnet-0a1b2c3d4e5f60718";
const STANDBY = "subnet-0a1b2c3d4e5f60799";

function consumer(mutate: (c: any) => void) {
  const raw = validConfig();
  mutate(raw.environments.dev.consumers[0]);
  const dir = tempDir();
  const stacks = buildStacks(Testing.app(), parseConfig(raw), { stateDir: dir, outdir: `${dir}/cdktf.out` });
  const stack = stacks.get("dev")!.consumers[0];
  const synthesized = Testing.synth(stack, true);
  return { synthesized, json: JSON.parse(synthesized) };
}

describe("stable DNS name", () => {
  test("creates a private zone on the consumer VPC and a short-TTL CNAME to the endpoint address", () => {
    const { synthesized, json } = consumer((c) => (c.dns = { zoneName: "lake.internal", recordName: "bi" }));
    expect(synthesized).toHaveResourceWithProperties(Route53Zone, {
      name: "lake.internal",
      vpc: [{ vpc_id: "vpc-0a1b2c3d4e5f60718" }],
      provider: "aws.consumer",
    });
    const record = json.resource.aws_route53_record["stable-name"];
    expect(record).toMatchObject({
      name: "bi.lake.internal",
      type: "CNAME",
      ttl: 30,
      zone_id: "${aws_route53_zone.private-zone.zone_id}",
      provider: "aws.consumer",
    });
    expect(record.records).toEqual([expect.stringMatching(/^\$\{aws_redshift_endpoint_access\.[\w-]+\.address\}$/)]);
    expect(json.output.stable_dns_name.value).toBe("${aws_route53_record.stable-name.fqdn}");
    expect(json.output.psql_command.value).toMatch(/^psql -h \$\{aws_route53_record\.stable-name\.fqdn\} -p /);
  });

  test("uses an existing zone by id without creating one", () => {
    const { synthesized } = consumer((c) => (c.dns = { zoneId: "Z0123456789ABCDEFGHIJ", recordName: "bi" }));
    expect(synthesized).not.toHaveResource(Route53Zone);
    expect(synthesized).toHaveResourceWithProperties(Route53Record, { zone_id: "Z0123456789ABCDEFGHIJ", name: "bi", type: "CNAME" });
  });

  test("without a dns block, psql uses the endpoint address and no Route 53 block exists", () => {
    const { synthesized, json } = consumer(() => {});
    expect(synthesized).not.toHaveResource(Route53Record);
    expect(json.output.stable_dns_name).toBeUndefined();
    expect(json.output.psql_command.value).toMatch(/^psql -h \$\{aws_redshift_endpoint_access\.[\w-]+\.address\}/);
  });
});

describe("standby subnets", () => {
  test("checks at plan that each standby is in the consumer VPC and in another AZ", () => {
    const { synthesized, json } = consumer((c) => (c.standbySubnetIds = [STANDBY]));
    expect(synthesized).toHaveDataSourceWithProperties(DataAwsSubnet, { id: ACTIVE, provider: "aws.consumer" });
    const standby = json.data.aws_subnet[`standby-subnet-${STANDBY}`];
    expect(standby.id).toBe(STANDBY);
    const [vpc, az] = standby.lifecycle.postcondition;
    expect(vpc.condition).toBe('${(self.vpc_id == "vpc-0a1b2c3d4e5f60718")}');
    expect(vpc.error_message).toMatch(/not in the consumer VPC vpc-0a1b2c3d4e5f60718; a standby must be in the same VPC/);
    expect(az.condition).toBe("${(self.availability_zone != data.aws_subnet.active-subnet.availability_zone)}");
    expect(az.error_message).toMatch(/the same AZ as the active subnet subnet-0a1b2c3d4e5f60718; a standby must be in another AZ/);
  });

  test("promoting a standby replaces the subnet group and the endpoint, destroying before creating", () => {
    const before = consumer((c) => (c.standbySubnetIds = [STANDBY])).json;
    const after = consumer((c) => {
      c.subnetIds = [STANDBY];
      c.standbySubnetIds = [ACTIVE];
    }).json;
    const group = (j: any) => Object.values(j.resource.aws_redshift_subnet_group)[0] as any;
    const endpoint = (j: any) => Object.values(j.resource.aws_redshift_endpoint_access)[0] as any;
    // The group's name is derived from its subnet, and name forces a new group.
    expect(group(before).name).toBe(`lake-dev-bi-${ACTIVE}`);
    expect(group(after).name).toBe(`lake-dev-bi-${STANDBY}`);
    // The endpoint takes the group's name (forces a new endpoint) and is also replaced on any subnet change.
    expect(endpoint(after).subnet_group_name).toMatch(/^\$\{aws_redshift_subnet_group\.[\w-]+\.name\}$/);
    expect(endpoint(after).lifecycle.replace_triggered_by).toEqual([expect.stringMatching(/^aws_redshift_subnet_group\.[\w-]+\.subnet_ids$/)]);
    // The new endpoint keeps the old one's name, taken until it is deleted (the model's EndpointAlreadyExists): never create the new one first.
    for (const j of [before, after]) {
      expect(group(j).lifecycle?.create_before_destroy).toBeUndefined();
      expect(endpoint(j).lifecycle.create_before_destroy).toBeUndefined();
    }
    // Logical ids stay, so the change is a replacement of the same resources, not a rename.
    expect(Object.keys(before.resource.aws_redshift_endpoint_access)).toEqual(Object.keys(after.resource.aws_redshift_endpoint_access));
  });

  test("without standby subnets no subnet data source is read", () => {
    const { synthesized } = consumer(() => {});
    expect(synthesized).not.toHaveDataSource(DataAwsSubnet);
  });
});
