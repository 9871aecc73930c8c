/**
 * `npm run drift`: the rows from the engine's two plans and AWS's lookups, the
 * security flags, the report and the exit codes; and the command itself with
 * the engine and AWS injected (no engine runs here; test/scenarios/drift.test.ts
 * runs the real one against the emulator).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runCommand } from "../../lib/cli/command";
import { cidrWithin } from "../../lib/config/rules";
import { type DriftLookups, driftCommand } from "../../lib/operations/drift";
import {
  type DriftReport,
  type PlanJson,
  type StackExpectations,
  differences,
  driftExitCode,
  extraEndpointRows,
  extraGrantRows,
  extraIngressRows,
  formatReport,
  planRows,
} from "../../lib/operations/drift-report";
import { recordingIo, tempDir, validConfig } from "../helpers";

const CONSUMER: StackExpectations = { stack: "dev-consumer-bi", port: 5439, allowedCidrs: ["10.20.0.0/16"] };
const PRODUCER: StackExpectations = { stack: "dev-producer", port: 5439, grants: new Map([["222222222222", ["vpc-0a1b2c3d4e5f60718"]]]) };

type Values = Record<string, unknown>;
const change = (address: string, actions: string[], before: Values | null, after: Values | null, extra: Values = {}) => ({
  address,
  mode: "managed",
  type: address.split(".")[0],
  change: { actions, before, after, ...extra },
});
/**
 * A refreshed plan as `show -json` gives it: AWS holds `aws`, the state held
 * `state` (the refresh's resource_drift, when they differ), the config wants
 * `config` (the deploy's change, when AWS differs from it).
 */
function plan(address: string, state: Values | null, aws: Values | null, config: Values | null): PlanJson {
  const drift = JSON.stringify(state) === JSON.stringify(aws) ? [] : [change(address, aws === null ? ["delete"] : ["update"], state, aws)];
  const actions = aws === null ? ["create"] : config === null ? ["delete"] : JSON.stringify(aws) === JSON.stringify(config) ? ["no-op"] : ["update"];
  return { resource_drift: drift, resource_changes: [change(address, actions, aws, config)] };
}

describe("cidrWithin", () => {
  test.each([
    ["10.20.1.0/24", ["10.20.0.0/16"], true],
    ["10.20.0.0/16", ["10.20.0.0/16"], true],
    ["10.0.0.0/8", ["10.20.0.0/16"], false],
    ["0.0.0.0/0", ["10.20.0.0/16"], false],
    ["10.21.0.0/16", ["10.20.0.0/16", "10.21.0.0/16"], true],
    ["2001:db8:1::/48", ["2001:db8::/32"], true],
    ["::/0", ["2001:db8::/32"], false],
    ["10.20.0.0/16", ["2001:db8::/32"], false],
    ["not-a-cidr", ["10.20.0.0/16"], false],
  ])("%s within %j: %s", (cidr, networks, within) => {
    expect(cidrWithin(cidr, networks)).toBe(within);
  });
});

describe("rows from the plan", () => {
  const RULE = "aws_vpc_security_group_ingress_rule.ingress-10-20-0-0-16";
  const rule = { cidr_ipv4: "10.20.0.0/16", from_port: 5439, to_port: 5439, ip_protocol: "tcp", security_group_rule_id: "sgr-1" };

  test("a rule's CIDR widened outside Terraform is one row, the state's value against AWS's, flagged wider than allowedCidrs", () => {
    const rows = planRows(CONSUMER, plan(RULE, rule, { ...rule, cidr_ipv4: "0.0.0.0/0" }, rule));
    expect(rows).toEqual([
      {
        stack: "dev-consumer-bi",
        address: RULE,
        attribute: "cidr_ipv4",
        expected: "10.20.0.0/16",
        actual: "0.0.0.0/0",
        change: "outside Terraform",
        security: "ingress wider than allowedCidrs (10.20.0.0/16)",
        remedy: "npm run deploy puts back what the state holds",
      },
    ]);
  });

  test("a port other than the cluster's and a protocol other than tcp are flagged", () => {
    const rows = planRows(CONSUMER, plan(RULE, rule, { ...rule, from_port: 0, to_port: 65535, ip_protocol: "-1" }, rule));
    expect(rows.map((r) => `${r.attribute}: ${r.security}`)).toEqual([
      "from_port: a port other than the cluster's (5439)",
      "ip_protocol: a protocol other than tcp on the cluster port (-1)",
      "to_port: a port other than the cluster's (5439)",
    ]);
  });

  test("an extra VPC in the grant is flagged naming it; the grant's endpoint_count, which AWS alone changes and a deploy leaves, is no drift", () => {
    const address = "aws_redshift_endpoint_authorization.authorization-222222222222";
    const state = { vpc_ids: ["vpc-0a1b2c3d4e5f60718"], endpoint_count: 0 };
    const aws = { vpc_ids: ["vpc-0a1b2c3d4e5f60718", "vpc-0fff"], endpoint_count: 1 };
    const rows = planRows(PRODUCER, plan(address, state, aws, { ...aws, vpc_ids: state.vpc_ids }));
    expect(rows.map((r) => `${r.attribute}: ${r.expected} -> ${r.actual}: ${r.security}`)).toEqual([
      "vpc_ids: vpc-0a1b2c3d4e5f60718 -> vpc-0a1b2c3d4e5f60718, vpc-0fff: an extra VPC in the grant (vpc-0fff)",
    ]);
    expect(planRows(PRODUCER, plan(address, { ...state }, { ...state, endpoint_count: 1 }, { ...state, endpoint_count: 1 }))).toEqual([]);
  });

  test("a resource deleted outside Terraform is one row; a missing endpoint is flagged", () => {
    const endpoint = planRows(CONSUMER, plan("aws_redshift_endpoint_access.endpoint_endpoint", { id: "lake-dev-bi" }, null, { endpoint_name: "lake-dev-bi" }));
    expect(endpoint.map((r) => [r.attribute, r.expected, r.actual, r.change, r.security, r.remedy])).toEqual([
      ["(resource)", "exists (lake-dev-bi)", "gone", "outside Terraform", "a missing endpoint", "npm run deploy creates it again"],
    ]);
    expect(planRows(CONSUMER, plan("aws_route53_record.stable-name", { id: "Z_fin_CNAME" }, null, { name: "fin" }))[0].security).toBeUndefined();
  });

  test("a tag changed by hand is one row, on tags_all, with the value that was there", () => {
    const state = { tags: null, tags_all: { team: "data" } };
    const rows = planRows(
      CONSUMER,
      plan("aws_security_group.security-group", state, { tags: { team: "x" }, tags_all: { team: "x" } }, { tags: null, tags_all: { team: "data" } }),
    );
    expect(rows.map((r) => `${r.attribute}: ${r.expected} -> ${r.actual} [${r.change}]`)).toEqual(["tags_all.team: data -> x [outside Terraform]"]);
  });

  test("the security group's ingress list is the rule resources' and the SDK's to report, not a row of its own", () => {
    const rows = planRows(CONSUMER, plan("aws_security_group.security-group", { ingress: [] }, { ingress: [{ cidr_blocks: ["0.0.0.0/0"] }] }, { ingress: [] }));
    expect(rows).toEqual([]);
  });

  test("an attribute the config leaves unset that a deploy would still put back is drift", () => {
    const rows = planRows(CONSUMER, plan(RULE, { ...rule, description: "a" }, { ...rule, description: "b" }, { ...rule, description: "a" }));
    expect(rows.map((r) => `${r.attribute}: ${r.expected} -> ${r.actual} [${r.change}]`)).toEqual(["description: a -> b [outside Terraform]"]);
  });

  test("config not yet deployed: the config's value against AWS's, and a new resource; a sensitive value is masked", () => {
    const pending: PlanJson = {
      resource_changes: [
        change("aws_vpc_security_group_ingress_rule.ingress-10-30-0-0-16", ["create"], null, { cidr_ipv4: "10.30.0.0/16" }),
        change(
          "aws_security_group.security-group",
          ["update"],
          { tags: { team: "a" }, arn: "x", secret: "s1" },
          { tags: { team: "b" }, arn: null, secret: "s2" },
          {
            after_unknown: { arn: true },
            before_sensitive: { secret: true },
            after_sensitive: { secret: true },
          },
        ),
        change("data.aws_subnet.active-subnet", ["read"], null, {}),
        change("aws_redshift_subnet_group.g", ["no-op"], {}, {}),
      ].map((c) => (c.address.startsWith("data.") ? { ...c, mode: "data" } : c)),
    };
    expect(planRows(CONSUMER, pending).map((r) => `${r.address} ${r.attribute}: ${r.expected} / ${r.actual} [${r.change}] ${r.remedy}`)).toEqual([
      "aws_vpc_security_group_ingress_rule.ingress-10-30-0-0-16 (resource): in the config / absent [not deployed yet] npm run deploy creates it",
      "aws_security_group.security-group secret: (sensitive) / (sensitive) [not deployed yet] npm run deploy applies it",
      "aws_security_group.security-group tags.team: b / a [not deployed yet] npm run deploy applies it",
    ]);
  });

  test("a change made outside Terraform and one not deployed yet, in one resource, are told apart", () => {
    const rows = planRows(CONSUMER, plan(RULE, rule, { ...rule, cidr_ipv4: "10.20.5.0/24" }, { ...rule, description: "new" }));
    expect(rows.map((r) => `${r.attribute} [${r.change}] ${r.security ?? "-"}`)).toEqual([
      "cidr_ipv4 [outside Terraform] -",
      "description [not deployed yet] -",
    ]);
  });

  test("differences go into maps key by key and compare lists whole; empty and null are the same", () => {
    expect(differences({ a: { b: 1, c: [1, 2] }, d: null }, { a: { b: 2, c: [1, 2] }, d: [] })).toEqual([{ path: "a.b", before: 1, after: 2 }]);
  });
});

describe("rows for what no state holds", () => {
  test("an ingress rule from anywhere on another port: both flags, and the command that removes it", () => {
    const rows = extraIngressRows(CONSUMER, "aws_security_group.security-group", "sg-1", [
      { ruleId: "sgr-9", protocol: "tcp", fromPort: 22, toPort: 22, source: "0.0.0.0/0" },
    ]);
    expect(rows).toEqual([
      {
        stack: "dev-consumer-bi",
        address: "aws_security_group.security-group (sg-1)",
        attribute: "ingress rule sgr-9",
        expected: "absent",
        actual: "tcp 22 from 0.0.0.0/0",
        change: "outside Terraform",
        security: "ingress wider than allowedCidrs (10.20.0.0/16); a port other than the cluster's (5439)",
        remedy: "no state holds it, so npm run deploy leaves it: aws ec2 revoke-security-group-ingress --group-id sg-1 --security-group-rule-ids sgr-9",
      },
    ]);
  });

  test("a rule from another group counts as wider; one inside allowedCidrs on the cluster port has no flag but is still a row", () => {
    const rows = extraIngressRows(CONSUMER, "g", "sg-1", [
      { ruleId: "sgr-1", protocol: "tcp", fromPort: 5439, toPort: 5439, source: "sg-0123" },
      { ruleId: "sgr-2", protocol: "tcp", fromPort: 5439, toPort: 5439, source: "10.20.5.0/24" },
    ]);
    expect(rows.map((r) => r.security)).toEqual(["ingress wider than allowedCidrs (10.20.0.0/16)", undefined]);
  });

  test("a grant to an account the config does not name is flagged, with the command that revokes it", () => {
    expect(extraGrantRows(PRODUCER, "lake-dev", [{ account: "999999999999", vpcIds: [] }])).toEqual([
      {
        stack: "dev-producer",
        address: "grant to 999999999999",
        attribute: "(resource)",
        expected: "absent",
        actual: "allows all the account's VPCs",
        change: "outside Terraform",
        security: "an extra account in the grant",
        remedy:
          "no state holds it, so npm run deploy leaves it: add the account to the config, or revoke it (aws redshift revoke-endpoint-access --cluster-identifier lake-dev --account 999999999999)",
      },
    ]);
  });

  test("an extra endpoint is flagged, with what to do about it", () => {
    expect(extraEndpointRows("dev-consumer-bi", [{ name: "by-hand", vpcId: "vpc-1" }])).toEqual([
      {
        stack: "dev-consumer-bi",
        address: "endpoint by-hand",
        attribute: "(resource)",
        expected: "absent",
        actual: "exists in vpc-1",
        change: "outside Terraform",
        security: "an extra endpoint",
        remedy:
          "no state holds it, so npm run deploy leaves it: adopt it (npm run adopt) or delete it (aws redshift delete-endpoint-access --endpoint-name by-hand)",
      },
    ]);
  });
});

describe("the report and its exit code", () => {
  const report = (rows: DriftReport["rows"], unchecked: DriftReport["unchecked"] = []): DriftReport => ({
    environment: "dev",
    stacks: ["dev-producer", "dev-consumer-bi"],
    rows,
    unchecked,
  });
  const row = extraEndpointRows("dev-consumer-bi", [{ name: "by-hand", vpcId: "vpc-1" }])[0];

  test("0 with no row, 2 with one, 1 when a stack could not be checked, whatever the others show", () => {
    expect(driftExitCode(report([]))).toBe(0);
    expect(driftExitCode(report([row]))).toBe(2);
    expect(driftExitCode(report([row], [{ stack: "dev-producer", error: "x" }]))).toBe(1);
    expect(driftExitCode(report([], [{ stack: "dev-producer", error: "x" }]))).toBe(1);
  });

  test("the table names every column, then what to do, then one line of summary", () => {
    const text = formatReport(report([row]));
    expect(text.split("\n")[0]).toMatch(/^STACK +RESOURCE +ATTRIBUTE +STATE OR CONFIG +AWS +CHANGE +SECURITY$/);
    expect(text).toContain("dev-consumer-bi  endpoint by-hand  (resource)");
    expect(text).toContain("What to do:\n  - dev-consumer-bi endpoint by-hand: no state holds it");
    expect(text.trimEnd().split("\n").at(-1)).toBe("dev: 1 difference(s) in 1 of 2 stacks: 1 outside Terraform, 0 not deployed yet; 1 security-relevant");
    expect(formatReport(report([]))).toBe("dev: no drift in 2 stacks\n");
    expect(formatReport(report([], [{ stack: "dev-producer", error: "tofu plan failed\n" }]))).toBe(
      "dev-producer: could not check: tofu plan failed\n\ndev: could not check 1 of 2 stacks; 0 difference(s) in the others\n",
    );
  });
});

describe("npm run drift", () => {
  function io(env: Record<string, string>) {
    const { io: value, out, err } = recordingIo({ env });
    return { value, out, err };
  }
  const configFile = () => {
    const file = path.join(tempDir(), "environments.json");
    fs.writeFileSync(file, JSON.stringify(validConfig()));
    return file;
  };
  const never: DriftLookups = {
    grants: async () => {
      throw new Error("not reached");
    },
    ingressRules: async () => {
      throw new Error("not reached");
    },
    endpoints: async () => {
      throw new Error("not reached");
    },
  };

  test("bad usage exits 1, never 2, which a pipeline reads as drift", async () => {
    const run = io({ REDSHIFT_ENDPOINTS_CONFIG: configFile() });
    expect(await runCommand(driftCommand({ lookups: never }), [], run.value)).toBe(1);
    expect(run.err()).toContain("drift: missing <environment>");
    const unknown = io({ REDSHIFT_ENDPOINTS_CONFIG: configFile() });
    expect(await runCommand(driftCommand({ lookups: never }), ["qa"], unknown.value)).toBe(1);
    expect(unknown.err()).toContain('unknown environment "qa"');
  });

  test("runs init and one refreshed plan per stack, read back with show, never applying and never locking; a failing stack exits 1", async () => {
    const calls: string[] = [];
    const run = io({ REDSHIFT_ENDPOINTS_CONFIG: configFile() });
    const code = await runCommand(
      driftCommand({
        lookups: null,
        runEngine: async (command, args, cwd) => {
          calls.push(`${path.basename(cwd)}: ${command} ${args.join(" ")}`);
          if (args[0] === "show") return { exitCode: 0, stdout: "{}", stderr: "" };
          if (path.basename(cwd) === "dev-producer" && args[0] === "plan") return { exitCode: 1, stdout: "", stderr: "Error: no credentials" };
          return { exitCode: 0, stdout: "", stderr: "" };
        },
      }),
      ["dev", "--json"],
      run.value,
    );
    expect(code).toBe(1);
    expect(calls.filter((c) => c.startsWith("dev-consumer-bi"))).toEqual([
      "dev-consumer-bi: terraform init -input=false -no-color",
      "dev-consumer-bi: terraform plan -input=false -lock=false -no-color -out=drift.tfplan",
      "dev-consumer-bi: terraform show -json drift.tfplan",
    ]);
    expect(calls.some((c) => / (apply|import|state (rm|push|mv)|untaint)\b/.test(c))).toBe(false);
    const json = JSON.parse(run.out());
    expect(json.drift).toBe(false); // no row: the failing stack is in unchecked, and the exit code is 1
    expect(json.unchecked.map((u: { stack: string; error: string }) => [u.stack, u.error.includes("Error: no credentials")])).toEqual([["dev-producer", true]]);
  });

  test("synthesizes read-only: each stack's provider assumes its readOnlyRoleArn, into cdktf.out.drift", async () => {
    const config = validConfig();
    config.environments.dev.consumers[0].readOnlyRoleArn = "arn:aws:iam::222222222222:role/read";
    const file = path.join(tempDir(), "environments.json");
    fs.writeFileSync(file, JSON.stringify(config));
    const run = io({ REDSHIFT_ENDPOINTS_CONFIG: file });
    await runCommand(driftCommand({ lookups: null, runEngine: async () => ({ exitCode: 0, stdout: "{}", stderr: "" }) }), ["dev"], run.value);
    const stack = JSON.parse(fs.readFileSync(path.join(run.value.cwd, "cdktf.out.drift", "dev", "stacks", "dev-consumer-bi", "cdk.tf.json"), "utf8"));
    expect(stack.provider.aws[0].assume_role[0].role_arn).toBe("arn:aws:iam::222222222222:role/read");
    expect(run.out()).toBe("dev: no drift in 2 stacks\n");
    expect(run.err()).toContain("NOTICE: no readOnlyRoleArn for dev-producer: drift assumes the roleArn (the deploy role) there instead");
  });

  test("refuses an environment on Terraform Cloud, where a plan runs as the workspace's role, exit 1, running nothing", async () => {
    const config = validConfig();
    config.environments.dev.backend = { type: "cloud", organization: "acme", workspacePrefix: "rme" };
    const file = path.join(tempDir(), "environments.json");
    fs.writeFileSync(file, JSON.stringify(config));
    const run = io({ REDSHIFT_ENDPOINTS_CONFIG: file });
    const engine = jest.fn();
    expect(await runCommand(driftCommand({ lookups: null, runEngine: engine }), ["dev"], run.value)).toBe(1);
    expect(run.err()).toContain("environments.dev.backend is Terraform Cloud, where drift cannot keep its promises");
    expect(engine).not.toHaveBeenCalled();
  });
});
