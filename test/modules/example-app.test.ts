/**
 * examples/another-team: another team's cdktf app that uses the module by its
 * package name, with its own provider and security group and no config file
 * of this repository. The example imports "redshift-managed-endpoints" as an
 * installed package; here that name maps to this repository's module source.
 */
import { RedshiftEndpointAccess } from "@cdktf/provider-aws/lib/redshift-endpoint-access";
import { RedshiftSubnetGroup } from "@cdktf/provider-aws/lib/redshift-subnet-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { type App, type TerraformStack, Testing } from "cdktf";
import * as fs from "node:fs";
import * as path from "node:path";

jest.mock("redshift-managed-endpoints", () => jest.requireActual("../../modules/redshift-endpoint"), { virtual: true });

const EXAMPLE = path.join(__dirname, "..", "..", "examples", "another-team");

/** The part of examples/another-team/stack.ts this test uses (the example is type-checked by examples/another-team/tsconfig.json). */
interface ExampleStackModule {
  buildApp(app: App, props?: Record<string, unknown>): TerraformStack;
  EXAMPLE_PROPS: Record<string, unknown>;
}
const example = require(path.join(EXAMPLE, "stack")) as ExampleStackModule;

function synth(props: Record<string, unknown> = {}) {
  const stack = example.buildApp(Testing.app(), { ...example.EXAMPLE_PROPS, ...props });
  return { stack, synthesized: Testing.synth(stack, true) };
}

describe("examples/another-team", () => {
  test("synthesizes with validations into one endpoint reaching the shared cluster", () => {
    const { synthesized } = synth();
    expect(synthesized).toHaveResourceWithProperties(RedshiftEndpointAccess, {
      endpoint_name: "team-x-lake",
      cluster_identifier: "lake-prod",
      resource_owner: "555555555555",
      vpc_security_group_ids: ["${aws_security_group.redshift-clients.id}"],
      provider: "aws.team",
    });
    expect(synthesized).toHaveResourceWithProperties(RedshiftSubnetGroup, {
      subnet_ids: ["subnet-0123456789abcdef0"],
      provider: "aws.team",
    });
    const json = JSON.parse(synthesized);
    expect(Object.keys(json.output).sort()).toEqual(["endpoint_address", "endpoint_port"]);
  });

  test("uses its own aliased provider, pinned to the team's account", () => {
    const json = JSON.parse(synth().synthesized);
    expect(json.provider.aws).toEqual([{ alias: "team", region: "ap-northeast-1", allowed_account_ids: ["777777777777"] }]);
    for (const resources of Object.values(json.resource) as Array<Record<string, { provider?: string }>>) {
      for (const resource of Object.values(resources)) expect(resource.provider).toBe("aws.team");
    }
  });

  test("brings its own security group, open only on the cluster port to the client CIDRs", () => {
    const { synthesized } = synth({ clientCidrs: ["10.70.0.0/16", "10.71.0.0/16"] });
    expect(synthesized).toHaveResourceWithProperties(SecurityGroup, { vpc_id: "vpc-0123456789abcdef0", provider: "aws.team" });
    for (const cidr of ["10.70.0.0/16", "10.71.0.0/16"]) {
      expect(synthesized).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, {
        security_group_id: "${aws_security_group.redshift-clients.id}",
        ip_protocol: "tcp",
        from_port: 5439,
        to_port: 5439,
        cidr_ipv4: cidr,
      });
    }
  });

  test("fails validation through the module for an endpoint name that AWS would refuse", () => {
    const stack = example.buildApp(Testing.app(), { ...example.EXAMPLE_PROPS, endpointName: "Team--X" });
    expect(() => Testing.synth(stack, true)).toThrow(/endpointName "Team--X" breaks the CreateEndpointAccess rule/);
  });

  test("imports nothing but its own files and the packages its package.json declares", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(EXAMPLE, "package.json"), "utf8"));
    expect(pkg.dependencies["redshift-managed-endpoints"]).toBe("file:../../dist");
    const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies ?? {})]);
    for (const file of fs.readdirSync(EXAMPLE).filter((f) => f.endsWith(".ts"))) {
      const source = fs.readFileSync(path.join(EXAMPLE, file), "utf8");
      const specifiers = [...source.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
      expect(specifiers.length).toBeGreaterThan(0);
      for (const specifier of specifiers) {
        if (specifier.startsWith(".")) {
          expect(specifier).toMatch(/^\.\/[\w-]+$/);
        } else {
          const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
          expect(declared).toContain(name);
        }
      }
      expect(source).not.toMatch(/environments\.json|process\.env/);
    }
  });

  test("keeps main.ts wiring only", () => {
    const main = fs.readFileSync(path.join(EXAMPLE, "main.ts"), "utf8");
    expect(main).not.toMatch(/\bclass\b|new AwsProvider|new RedshiftManagedEndpoint/);
    expect(main).toMatch(/buildApp\(app\);\s*app\.synth\(\);/);
  });
});
