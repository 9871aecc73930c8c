/**
 * Logical ids of the stacks' resources are part of the public contract:
 * Terraform tracks each resource by its address, so renaming a construct id
 * destroys the resource and creates a new one (for an endpoint: a new network
 * interface, a new private IP, an outage). These tests make any rename an
 * explicit, reviewed change. The module's own ids are pinned in module.test.ts.
 */
import { type App, type TerraformStack, Testing } from "cdktf";
import { buildStacks } from "../../lib/app";
import { parseConfig } from "../../lib/config";
import { TFC_BOOTSTRAP_STACK_ID } from "../../stacks/tfc-bootstrap-stack";
import { tempDir, validConfig } from "../helpers";

/** dev with one IPv4 and one IPv6 client range, on Terraform Cloud with dynamic credentials and a project. */
function app(): App {
  const raw = validConfig();
  raw.environments.dev.consumers[0].allowedCidrs = ["10.20.0.0/16", "2001:db8:1234::/48"];
  raw.environments.dev.backend = { type: "cloud", organization: "acme", workspacePrefix: "rme", project: "data", awsDynamicCredentials: true };
  const scope = Testing.app();
  const dir = tempDir();
  buildStacks(scope, parseConfig(raw), { stateDir: dir, outdir: `${dir}/cdktf.out` });
  return scope;
}

function ids(scope: App, stackId: string, block: "resource" | "data"): Record<string, string[]> {
  const json = JSON.parse(Testing.synth(scope.node.findChild(stackId) as TerraformStack));
  return Object.fromEntries(Object.entries(json[block] ?? {}).map(([type, byId]) => [type, Object.keys(byId as object).sort()]));
}

describe("pinned logical ids", () => {
  const scope = app();

  test("producer: one authorization per consumer account, keyed by that account", () => {
    expect(ids(scope, "dev-producer", "resource")).toEqual({ aws_redshift_endpoint_authorization: ["authorization-222222222222"] });
    expect(ids(scope, "dev-producer", "data")).toEqual({ aws_redshift_cluster: ["cluster"] });
  });

  test("consumer: security group, one ingress rule per CIDR, the endpoint and its subnet group", () => {
    expect(ids(scope, "dev-consumer-bi", "resource")).toEqual({
      aws_security_group: ["security-group"],
      aws_vpc_security_group_ingress_rule: ["ingress-10-20-0-0-16", "ingress-2001-db8-1234-48"],
      aws_redshift_endpoint_access: ["endpoint_F9556B44"],
      aws_redshift_subnet_group: ["endpoint_subnet-group_117523AA"],
    });
  });

  test("tfc-bootstrap: workspace, settings and dynamic-credential variables keyed by stack id, project keyed by environment", () => {
    const perStack = (prefix: string) => ["dev-consumer-bi", "dev-producer"].map((id) => `${prefix}-${id}`);
    expect(ids(scope, TFC_BOOTSTRAP_STACK_ID, "resource")).toEqual({
      tfe_workspace: perStack("workspace"),
      tfe_workspace_settings: perStack("workspace-settings"),
      tfe_variable: [...perStack("aws-provider-auth"), ...perStack("aws-run-role-arn")],
    });
    expect(ids(scope, TFC_BOOTSTRAP_STACK_ID, "data")).toEqual({ tfe_project: ["project-dev"] });
  });
});
