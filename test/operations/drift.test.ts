/**
 * `npm run drift`: the rows from the engine's two plans and AWS's lookups, the
 * security flags, the report and the exit codes; and the command itself with
 * the engine and AWS injected (no engine runs here; test/scenarios/drift.test.ts
 * runs the real one against the emulator).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type CommandIo, runCommand } from "../../lib/cli/command";
import { cidrWithin } from "../../lib/config/rules";
import { type DriftLookups, driftCommand } from "../../lib/operations/drift";
import {
  type DriftReport,
  type PlanJson,
  type StackExpectations,
  differences,
  driftExitCode,
  extraEndpointRows,
  extraIngressRows,
  formatReport,
  planRows,
} from "../../lib/operations/drift-report";
import { tempDir, validConfig } from "../helpers";

const CONSUMER: StackExpectations = { stack: "dev-consumer-bi", port: 5439, allowedCidrs: ["10.20.0.0/16"] };
const PRODUCER: StackExpectations = { stack: "dev-producer", port: 5439, grants: new Map([["222222222222", ["vpc-0a1b2c3d4e5f60718"]]]) };

const drifted = (
  address: string,
  before: Record<string, unknown>,
  after: Record<string, unknown> | null,
  actions = after === null ? ["delete"] : ["update"],
): PlanJson => ({
  resource_drift: [{ address, mode: "managed", type: address.split(".")[0], change: { actions, before, after } }],
});

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

describe("rows from the plans", () => {
  test("a rule's CIDR widened outside Terraform is one row, flagged wider than allowedCidrs", () => {
    const rule = { cidr_ipv4: "10.20.0.0/16", from_port: 5439, to_port: 5439, ip_protocol: "tcp", security_group_rule_id: "sgr-1" };
    const rows = planRows(CONSUMER, drifted("aws_vpc_security_group_ingress_rule.ingress-10-20-0-0-16", rule, { ...rule, cidr_ipv4: "0.0.0.0/0" }), {});
    expect(rows).toEqual([
      {
        stack: "dev-consumer-bi",
        address: "aws_vpc_security_group_ingress_rule.ingress-10-20-0-0-16",
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
    const rule = { from_port: 5439, to_port: 5439, ip_protocol: "tcp" };
    const rows = planRows(CONSUMER, drifted("aws_vpc_security_group_ingress_rule.r", rule, { from_port: 0, to_port: 65535, ip_protocol: "-1" }), {});
    expect(rows.map((r) => `${r.attribute}: ${r.security}`)).toEqual([
      "from_port: a port other than the cluster's (5439)",
      "ip_protocol: a protocol other than tcp on the cluster port (-1)",
      "to_port: a port other than the cluster's (5439)",
    ]);
  });

  test("an extra VPC in the grant is flagged naming it; the grant's endpoint_count, which AWS alone sets, is no drift", () => {
    const plan: PlanJson = {
      ...drifted(
        "aws_redshift_endpoint_authorization.authorization-222222222222",
        { vpc_ids: ["vpc-0a1b2c3d4e5f60718"], endpoint_count: 0, account: "222222222222" },
        { vpc_ids: ["vpc-0a1b2c3d4e5f60718", "vpc-0fff"], endpoint_count: 1, account: "222222222222" },
      ),
      configuration: {
        root_module: { resources: [{ address: "aws_redshift_endpoint_authorization.authorization-222222222222", expressions: { vpc_ids: {}, account: {} } }] },
      },
    };
    expect(planRows(PRODUCER, plan, {}).map((r) => `${r.attribute}: ${r.expected} -> ${r.actual}: ${r.security}`)).toEqual([
      "vpc_ids: vpc-0a1b2c3d4e5f60718 -> vpc-0a1b2c3d4e5f60718, vpc-0fff: an extra VPC in the grant (vpc-0fff)",
    ]);
  });

  test("a resource deleted outside Terraform is one row; a missing endpoint is flagged", () => {
    const endpoint = planRows(CONSUMER, drifted("aws_redshift_endpoint_access.endpoint_endpoint", { id: "lake-dev-bi" }, null), {});
    expect(endpoint.map((r) => [r.attribute, r.expected, r.actual, r.security, r.remedy])).toEqual([
      ["(resource)", "exists (lake-dev-bi)", "gone", "a missing endpoint", "npm run deploy creates it again"],
    ]);
    expect(planRows(CONSUMER, drifted("aws_route53_record.stable-name", { id: "Z_fin_CNAME" }, null), {})[0].security).toBeUndefined();
  });

  test("a tag changed by hand is one row, on tags_all, with the value that was there", () => {
    const rows = planRows(
      CONSUMER,
      drifted("aws_security_group.security-group", { tags: null, tags_all: { team: "data" } }, { tags: { team: "x" }, tags_all: { team: "x" } }),
      {},
    );
    expect(rows.map((r) => `${r.attribute}: ${r.expected} -> ${r.actual}`)).toEqual(["tags_all.team: data -> x"]);
  });

  test("the security group's ingress list is the rule resources' and the SDK's to report, not a row of its own", () => {
    const rows = planRows(CONSUMER, drifted("aws_security_group.security-group", { ingress: [] }, { ingress: [{ cidr_blocks: ["0.0.0.0/0"] }] }), {});
    expect(rows).toEqual([]);
  });

  test("config not yet deployed: the config's value against the state's, and a new resource", () => {
    const pending: PlanJson = {
      resource_changes: [
        {
          address: "aws_vpc_security_group_ingress_rule.ingress-10-30-0-0-16",
          mode: "managed",
          type: "aws_vpc_security_group_ingress_rule",
          change: { actions: ["create"], before: null, after: { cidr_ipv4: "10.30.0.0/16" } },
        },
        {
          address: "aws_security_group.security-group",
          mode: "managed",
          type: "aws_security_group",
          change: { actions: ["update"], before: { tags: { team: "a" }, arn: "x" }, after: { tags: { team: "b" }, arn: null }, after_unknown: { arn: true } },
        },
        { address: "data.aws_subnet.active-subnet", mode: "data", type: "aws_subnet", change: { actions: ["read"], before: null, after: {} } },
        { address: "aws_redshift_subnet_group.g", mode: "managed", type: "aws_redshift_subnet_group", change: { actions: ["no-op"], before: {}, after: {} } },
      ],
    };
    expect(planRows(CONSUMER, {}, pending).map((r) => `${r.address} ${r.attribute}: ${r.expected} / ${r.actual} [${r.change}] ${r.remedy}`)).toEqual([
      "aws_vpc_security_group_ingress_rule.ingress-10-30-0-0-16 (resource): in the config / absent [not deployed yet] npm run deploy creates it",
      "aws_security_group.security-group tags.team: b / a [not deployed yet] npm run deploy applies it",
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
    let stdout = "";
    let stderr = "";
    const value: CommandIo = {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      env,
      cwd: tempDir(),
      interactive: false,
    };
    return { value, out: () => stdout, err: () => stderr };
  }
  const configFile = () => {
    const file = path.join(tempDir(), "environments.json");
    fs.writeFileSync(file, JSON.stringify(validConfig()));
    return file;
  };
  const never: DriftLookups = {
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

  test("runs init, a refresh-only plan and a plan without refresh per stack, never applying and never locking; a failing stack exits 1", async () => {
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
      "dev-consumer-bi: terraform plan -refresh-only -input=false -lock=false -no-color -out=drift-refresh.tfplan",
      "dev-consumer-bi: terraform show -json drift-refresh.tfplan",
      "dev-consumer-bi: terraform plan -refresh=false -input=false -lock=false -no-color -out=drift-pending.tfplan",
      "dev-consumer-bi: terraform show -json drift-pending.tfplan",
    ]);
    expect(calls.some((c) => / (apply|import|state (rm|push|mv)|untaint)\b/.test(c))).toBe(false);
    const json = JSON.parse(run.out());
    expect(json.drift).toBe(false);
    expect(json.unchecked.map((u: { stack: string; error: string }) => [u.stack, u.error.includes("Error: no credentials")])).toEqual([["dev-producer", true]]);
  });

  test("synthesizes read-only: each stack's provider assumes its readOnlyRoleArn, into cdktf.out.drift", async () => {
    const config = validConfig();
    config.environments.dev.consumers[0].readOnlyRoleArn = "arn:aws:iam::222222222222:role/read";
    const file = path.join(tempDir(), "environments.json");
    fs.writeFileSync(file, JSON.stringify(config));
    const run = io({ REDSHIFT_ENDPOINTS_CONFIG: file });
    await runCommand(driftCommand({ lookups: null, runEngine: async () => ({ exitCode: 0, stdout: "{}", stderr: "" }) }), ["dev"], run.value);
    const stack = JSON.parse(fs.readFileSync(path.join(run.value.cwd, "cdktf.out.drift", "stacks", "dev-consumer-bi", "cdk.tf.json"), "utf8"));
    expect(stack.provider.aws[0].assume_role[0].role_arn).toBe("arn:aws:iam::222222222222:role/read");
    expect(run.out()).toBe("dev: no drift in 2 stacks\n");
  });
});
