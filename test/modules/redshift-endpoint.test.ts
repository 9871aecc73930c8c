/**
 * The reusable module on its own, as another team would use it: nothing but
 * props and a provider, no config file of this repository.
 */
import { DataAwsSubnets } from "@cdktf/provider-aws/lib/data-aws-subnets";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { RedshiftEndpointAccess } from "@cdktf/provider-aws/lib/redshift-endpoint-access";
import { RedshiftSubnetGroup } from "@cdktf/provider-aws/lib/redshift-subnet-group";
import { TerraformOutput, TerraformStack, Testing } from "cdktf";
import { ENDPOINT_NAME_RULE, RedshiftManagedEndpoint, type RedshiftManagedEndpointProps, endpointNameProblems } from "../../modules/redshift-endpoint";
import { parseConfig } from "../../lib/config";
import { validConfig } from "../helpers";

type Overrides = Partial<Omit<RedshiftManagedEndpointProps, "provider">>;

const PROPS = {
  clusterIdentifier: "shared-lake",
  resourceOwner: "111111111111",
  endpointName: "team-x-lake",
  subnetIds: ["subnet-0123abcd"],
  securityGroupIds: ["sg-0123abcd"],
};

function endpointStack(overrides: Overrides = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "team-x");
  const provider = new AwsProvider(stack, "aws", { alias: "team", region: "eu-west-1", allowedAccountIds: ["999999999999"] });
  const endpoint = new RedshiftManagedEndpoint(stack, "analytics", { provider, ...PROPS, ...overrides });
  return { stack, provider, endpoint };
}

describe("RedshiftManagedEndpoint", () => {
  test("creates a one-subnet group and an endpoint bound to the given provider", () => {
    const synthesized = Testing.synthScope((scope) => {
      const provider = new AwsProvider(scope, "aws", { alias: "team", region: "eu-west-1" });
      new RedshiftManagedEndpoint(scope, "analytics", { provider, ...PROPS, tags: { owner: "team-x" } });
    });
    expect(synthesized).toHaveResourceWithProperties(RedshiftSubnetGroup, {
      name: "team-x-lake-subnet-0123abcd",
      subnet_ids: ["subnet-0123abcd"],
      provider: "aws.team",
      tags: { owner: "team-x" },
    });
    expect(synthesized).toHaveResourceWithProperties(RedshiftEndpointAccess, {
      endpoint_name: "team-x-lake",
      cluster_identifier: "shared-lake",
      resource_owner: "111111111111",
      vpc_security_group_ids: ["sg-0123abcd"],
      provider: "aws.team",
    });
  });

  test("passes validation with exactly one subnet", () => {
    const { stack } = endpointStack();
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  test.each([
    ["two subnets", ["subnet-0123abcd", "subnet-4567abcd"]],
    ["three subnets", ["subnet-0123abcd", "subnet-4567abcd", "subnet-89abcdef"]],
    ["no subnet", []],
  ])("fails validation with %s, explaining the single-ENI behaviour", (_label, subnetIds) => {
    const { stack } = endpointStack({ subnetIds });
    expect(() => Testing.synth(stack, true)).toThrow(
      new RegExp(`subnetIds must hold exactly one subnet, got ${subnetIds.length}.*network interface in a subnet it picks from the subnet group`),
    );
  });

  test("fails validation for an endpoint name that breaks the CreateEndpointAccess rule", () => {
    const { stack } = endpointStack({ endpointName: "Team--X-" });
    expect(() => Testing.synth(stack, true)).toThrow(
      /endpointName "Team--X-" breaks the CreateEndpointAccess rule.*must start with a lowercase letter.*two consecutive hyphens.*must not end with a hyphen/,
    );
  });

  test("exports its endpoint-name rule, the one the config schema applies", () => {
    expect(endpointNameProblems("Lake--")).toEqual([
      "must start with a lowercase letter",
      "may contain only lowercase letters, digits and hyphens",
      "must not contain two consecutive hyphens",
      "must not end with a hyphen",
    ]);
    const config = validConfig();
    config.environments.dev.consumers[0].endpointName = "Lake--";
    expect(() => parseConfig(config)).toThrow(`(rule: ${ENDPOINT_NAME_RULE})`);
  });

  test("fails validation without any security group", () => {
    const { stack } = endpointStack({ securityGroupIds: [] });
    expect(() => Testing.synth(stack, true)).toThrow(/securityGroupIds must hold at least one security group/);
  });

  test("adds a plan-time precondition when the subnet list is only known at plan", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "team-y");
    const provider = new AwsProvider(stack, "aws", { alias: "team", region: "eu-west-1" });
    const subnets = new DataAwsSubnets(stack, "private", { provider, filter: [{ name: "tag:tier", values: ["private"] }] });
    new RedshiftManagedEndpoint(stack, "analytics", {
      provider,
      clusterIdentifier: "shared-lake",
      endpointName: "team-y-lake",
      subnetIds: subnets.ids,
      securityGroupIds: ["sg-0123abcd"],
    });
    const json = JSON.parse(Testing.synth(stack, true));
    const group = Object.values(json.resource.aws_redshift_subnet_group)[0] as any;
    expect(group.name).toBe("team-y-lake");
    expect(group.lifecycle.precondition).toEqual([
      {
        condition: "${(length(data.aws_subnets.private.ids) == 1)}",
        error_message: expect.stringMatching(/subnetIds of endpoint team-y-lake must hold exactly one subnet: .*network interface in a subnet it picks/),
      },
    ]);
  });

  test("replaces the endpoint when the subnet group's subnets change", () => {
    const { stack } = endpointStack();
    const json = JSON.parse(Testing.synth(stack, true));
    const endpoint = json.resource.aws_redshift_endpoint_access["analytics_endpoint_9171BBA6"];
    expect(endpoint.lifecycle.replace_triggered_by).toEqual(["aws_redshift_subnet_group.analytics_subnet-group_868E9477.subnet_ids"]);
    expect(endpoint.lifecycle.create_before_destroy).toBeUndefined();
  });

  test("pins the logical ids of its resources, which are part of the public contract", () => {
    const { stack } = endpointStack();
    const json = JSON.parse(Testing.synth(stack));
    expect(Object.keys(json.resource.aws_redshift_subnet_group)).toEqual(["analytics_subnet-group_868E9477"]);
    expect(Object.keys(json.resource.aws_redshift_endpoint_access)).toEqual(["analytics_endpoint_9171BBA6"]);
  });

  test("exposes read-only attributes and declares no outputs of its own", () => {
    const { stack, endpoint } = endpointStack();
    expect(JSON.parse(Testing.synth(stack)).output).toBeUndefined();
    const ref = "aws_redshift_endpoint_access.analytics_endpoint_9171BBA6";
    const attributes = {
      address: endpoint.endpointAddress,
      port: endpoint.endpointPort,
      ip: endpoint.endpointPrivateIpAddress,
      az: endpoint.endpointAvailabilityZone,
      subnet: endpoint.endpointSubnetId,
      eni: endpoint.endpointNetworkInterfaceId,
      vpce: endpoint.vpcEndpointId,
    };
    for (const [name, value] of Object.entries(attributes)) new TerraformOutput(stack, name, { value });
    const outputs = JSON.parse(Testing.synth(stack)).output;
    expect(Object.fromEntries(Object.entries(outputs).map(([k, v]: [string, any]) => [k, v.value]))).toEqual({
      address: `\${${ref}.address}`,
      port: `\${${ref}.port}`,
      ip: `\${${ref}.vpc_endpoint[0].network_interface[0].private_ip_address}`,
      az: `\${${ref}.vpc_endpoint[0].network_interface[0].availability_zone}`,
      subnet: `\${${ref}.vpc_endpoint[0].network_interface[0].subnet_id}`,
      eni: `\${${ref}.vpc_endpoint[0].network_interface[0].network_interface_id}`,
      vpce: `\${${ref}.vpc_endpoint[0].vpc_endpoint_id}`,
    });
  });

  test("two instances in one stack do not collide", () => {
    const { stack, provider } = endpointStack();
    new RedshiftManagedEndpoint(stack, "reporting", {
      provider,
      clusterIdentifier: "other-lake",
      endpointName: "team-x-other",
      subnetIds: ["subnet-0123abcd"],
      securityGroupIds: ["sg-0123abcd"],
    });
    const json = JSON.parse(Testing.synth(stack, true));
    expect(Object.keys(json.resource.aws_redshift_endpoint_access)).toHaveLength(2);
  });
});
