/** Producer and consumer stacks, synthesized with validations on. */
import { DataAwsRedshiftCluster } from "@cdktf/provider-aws/lib/data-aws-redshift-cluster";
import { RedshiftEndpointAuthorization } from "@cdktf/provider-aws/lib/redshift-endpoint-authorization";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { type App, Testing } from "cdktf";
import { buildStacks } from "../../lib/app";
import { parseConfig } from "../../lib/config";
import type { ConsumerStack } from "../../stacks/consumer-stack";
import type { ProducerStack } from "../../stacks/producer-stack";
import { tempDir, validConfig } from "../helpers";

function build(mutate: (c: any) => void = () => {}) {
  const raw = validConfig();
  mutate(raw);
  const app: App = Testing.app();
  const dir = tempDir();
  const envs = buildStacks(app, parseConfig(raw), { stateDir: dir, outdir: `${dir}/cdktf.out` });
  const dev = envs.get("dev")!;
  return { app, producer: dev.producer, consumers: dev.consumers };
}

const synth = (stack: ProducerStack | ConsumerStack) => Testing.synth(stack, true);
const json = (stack: ProducerStack | ConsumerStack) => JSON.parse(synth(stack));

describe("producer stack", () => {
  test("reads the cluster with postconditions on relocation, RA3 and port", () => {
    const { producer } = build();
    const cluster = json(producer).data.aws_redshift_cluster.cluster;
    expect(cluster.cluster_identifier).toBe("lake-dev");
    const [relocation, ra3, port] = cluster.lifecycle.postcondition;
    expect(relocation.condition).toBe("${(self.availability_zone_relocation_enabled == true)}");
    expect(relocation.error_message).toMatch(
      /relocation turned off.*aws redshift modify-cluster --region ap-northeast-1 --cluster-identifier lake-dev --availability-zone-relocation/,
    );
    expect(ra3.condition).toBe('${startswith(self.node_type, "ra3.")}');
    expect(ra3.error_message).toMatch(/is node type \$\{self.node_type\}.*need an RA3 node type/);
    expect(port.condition).toBe("${(self.port == 5439)}");
    expect(port.error_message).toMatch(/listens on port \$\{self.port\}, but the config says 5439/);
  });

  test("authorizes each consumer account for exactly its VPCs, without force delete", () => {
    const { producer } = build((c) =>
      c.environments.dev.consumers.push({
        ...c.environments.dev.consumers[0],
        name: "ml",
        vpcId: "vpc-0a1b2c3d4e5f60799",
        endpointName: "lake-dev-ml",
      }),
    );
    const synthesized = synth(producer);
    expect(synthesized).toHaveResourceWithProperties(RedshiftEndpointAuthorization, {
      account: "222222222222",
      cluster_identifier: "${data.aws_redshift_cluster.cluster.cluster_identifier}",
      vpc_ids: ["vpc-0a1b2c3d4e5f60718", "vpc-0a1b2c3d4e5f60799"],
      force_delete: false,
      provider: "aws.producer",
    });
    expect(Object.keys(JSON.parse(synthesized).resource.aws_redshift_endpoint_authorization)).toEqual(["authorization-222222222222"]);
  });

  test("keeps forceDeleteAuthorizations when set, including false", () => {
    const { producer } = build((c) => (c.environments.dev.producer.forceDeleteAuthorizations = true));
    expect(synth(producer)).toHaveResourceWithProperties(RedshiftEndpointAuthorization, { force_delete: true });
  });

  test("outputs the grant's status fields", () => {
    const { producer } = build();
    const value = json(producer).output["authorization-222222222222-status"].value;
    expect(Object.keys(value).sort()).toEqual(["allowed_all_vpcs", "allowed_vpc_ids", "cluster_identifier", "grantee", "grantor"]);
  });

  test("creates no authorization for a consumer in the producer's own account", () => {
    const { producer, consumers } = build((c) => {
      const consumer = c.environments.dev.consumers[0];
      consumer.accountId = "111111111111";
      consumer.roleArn = "arn:aws:iam::111111111111:role/deploy";
    });
    expect(synth(producer)).not.toHaveResource(RedshiftEndpointAuthorization);
    const endpoint = Object.values(json(consumers[0]).resource.aws_redshift_endpoint_access)[0] as any;
    expect(endpoint.resource_owner).toBe("111111111111");
  });
});

describe("consumer stack", () => {
  test("opens only the cluster port, only to the configured CIDRs, IPv4 and IPv6", () => {
    const { consumers } = build((c) => (c.environments.dev.consumers[0].allowedCidrs = ["10.20.0.0/16", "2001:db8::/56"]));
    const out = json(consumers[0]);
    const rules = Object.values(out.resource.aws_vpc_security_group_ingress_rule) as any[];
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(rule).toMatchObject({ ip_protocol: "tcp", from_port: 5439, to_port: 5439, provider: "aws.consumer" });
    }
    expect(rules.map((r) => r.cidr_ipv4 ?? r.cidr_ipv6).sort()).toEqual(["10.20.0.0/16", "2001:db8::/56"]);
    expect(out.resource.aws_vpc_security_group_egress_rule).toBeUndefined();
    expect(out.resource.aws_security_group["security-group"].ingress).toBeUndefined();
    expect(out.resource.aws_security_group["security-group"].egress).toBeUndefined();
    expect(synth(consumers[0])).not.toHaveResource(SecurityGroupRule);
  });

  test("puts the security group in the consumer VPC and attaches it to the endpoint", () => {
    const { consumers } = build((c) => (c.environments.dev.consumers[0].securityGroupIds = ["sg-0123abcd"]));
    const synthesized = synth(consumers[0]);
    expect(synthesized).toHaveResourceWithProperties(SecurityGroup, { vpc_id: "vpc-0a1b2c3d4e5f60718", name: "redshift-endpoint-lake-dev-bi" });
    const endpoint = Object.values(JSON.parse(synthesized).resource.aws_redshift_endpoint_access)[0] as any;
    expect(endpoint.vpc_security_group_ids).toEqual(["${aws_security_group.security-group.id}", "sg-0123abcd"]);
  });

  test("outputs address, port, ENI IP, AZ, subnet, VPC endpoint id and a psql command", () => {
    const { consumers } = build();
    const outputs = json(consumers[0]).output;
    expect(Object.keys(outputs).sort()).toEqual([
      "endpoint_address",
      "endpoint_availability_zone",
      "endpoint_port",
      "endpoint_private_ip",
      "endpoint_subnet_id",
      "psql_command",
      "security_group_id",
      "vpc_endpoint_id",
    ]);
    expect(outputs.psql_command.value).toMatch(
      /^psql -h \$\{aws_redshift_endpoint_access\.[\w-]+\.address\} -p \$\{aws_redshift_endpoint_access\.[\w-]+\.port\} -U <user> -d <database>$/,
    );
  });
});

describe("provider binding", () => {
  test.each(["producer", "consumer"])("binds every AWS block of the %s stack to its aliased, account-pinned provider", (role) => {
    const { producer, consumers } = build();
    const stack = role === "producer" ? producer : consumers[0];
    const out = json(stack);
    expect(out.provider.aws).toEqual([
      expect.objectContaining({
        alias: role,
        allowed_account_ids: [role === "producer" ? "111111111111" : "222222222222"],
        region: "ap-northeast-1",
      }),
    ]);
    const blocks = [...Object.entries(out.resource ?? {}), ...Object.entries(out.data ?? {})]
      .filter(([type]) => type.startsWith("aws_"))
      .flatMap(([, byId]) => Object.values(byId as object));
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(block.provider).toBe(`aws.${role}`);
  });

  test("assumes the configured role, and uses ambient credentials without one", () => {
    const { producer, consumers } = build((c) => delete c.environments.dev.consumers[0].roleArn);
    expect(json(producer).provider.aws[0].assume_role).toEqual([
      { role_arn: "arn:aws:iam::111111111111:role/deploy", session_name: "redshift-endpoints-dev-producer" },
    ]);
    expect(json(consumers[0]).provider.aws[0].assume_role).toBeUndefined();
  });

  test("layers default tags: project, then environment, then stack", () => {
    const { consumers } = build((c) => (c.environments.dev.consumers[0].tags = { "cost-center": "42" }));
    expect(json(consumers[0]).provider.aws[0].default_tags).toEqual([
      {
        tags: {
          "managed-by": "cdktf",
          project: "redshift-managed-endpoints",
          team: "data-platform",
          environment: "dev",
          "cost-center": "42",
          role: "consumer",
          consumer: "bi",
        },
      },
    ]);
  });

  test("fails when an AWS resource falls back to the implicit default provider", () => {
    const { consumers } = build();
    new SecurityGroup(consumers[0], "stray", { name: "stray" });
    expect(() => synth(consumers[0])).toThrow(
      /dev-consumer-bi\/stray \(aws_security_group\) has no provider, so Terraform would use the implicit default AWS provider.*set provider to aws\.consumer/,
    );
  });

  test("fails when an AWS data source is bound to another provider", () => {
    const { producer } = build();
    const other = new AwsProvider(producer, "other", { alias: "other", region: "us-east-1" });
    new DataAwsRedshiftCluster(producer, "elsewhere", { provider: other, clusterIdentifier: "x" });
    expect(() => synth(producer)).toThrow(/dev-producer\/other: a second AWS provider; every AWS block here must use aws\.producer/);
    expect(() => synth(producer)).toThrow(/dev-producer\/elsewhere \(aws_redshift_cluster\) is bound to dev-producer\/other; it must use aws\.producer/);
  });

  test("a resource added with the stack's provider passes", () => {
    const { consumers } = build();
    new VpcSecurityGroupIngressRule(consumers[0], "extra", {
      provider: consumers[0].provider,
      securityGroupId: consumers[0].securityGroup.id,
      ipProtocol: "tcp",
      fromPort: 5439,
      toPort: 5439,
      cidrIpv4: "10.30.0.0/16",
    });
    expect(() => synth(consumers[0])).not.toThrow();
  });
});

describe("the provider version the stacks require", () => {
  function buildWith(awsProviderVersion?: string) {
    const app: App = Testing.app();
    const dir = tempDir();
    const dev = buildStacks(app, parseConfig(validConfig()), { stateDir: dir, outdir: `${dir}/cdktf.out`, awsProviderVersion }).get("dev")!;
    return [dev.producer, ...dev.consumers].map((stack) => json(stack).terraform.required_providers.aws);
  }

  test("is the version the bindings were generated for by default", () => {
    for (const aws of buildWith()) expect(aws).toEqual({ source: "aws", version: "6.25.0" });
  });

  test("is the engine's when it has another one (the offline toolchain's mirror), in every stack", () => {
    for (const aws of buildWith("5.100.0")) expect(aws).toEqual({ source: "aws", version: "5.100.0" });
  });
});
