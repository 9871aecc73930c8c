/**
 * Adoption's pure parts: the adoption file's validation (lib/config), what
 * synth makes of it (import blocks, the unmanaged subnet group), what adopt
 * decides for each resource found (lib/operations/adopt.ts), and the plan
 * check that refuses to replace an adopted endpoint
 * (lib/operations/adoption-guard.ts). The real flow runs on the emulator in
 * test/scenarios/adopt.test.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EndpointAuthorization } from "@aws-sdk/client-redshift";
import { RedshiftEndpointAuthorization } from "@cdktf/provider-aws/lib/redshift-endpoint-authorization";
import { RedshiftSubnetGroup } from "@cdktf/provider-aws/lib/redshift-subnet-group";
import { type App, Testing } from "cdktf";
import { buildStacks } from "../../lib/app";
import { type Adoption, ConfigError, loadAdoptions, parseAdoption, parseConfig } from "../../lib/config";
import { authorizationDecision, endpointProblems, formatAdoptTable, matchIngressRules } from "../../lib/operations/adopt";
import { adoptedEndpointReplacements, refusalMessage } from "../../lib/operations/adoption-guard";
import { guardedDeploy } from "../../lib/operations/environment";
import { tempDir, validConfig } from "../helpers";

const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNET = "subnet-0a1b2c3d4e5f60718";
const STANDBY = "subnet-0a1b2c3d4e5f60719";

function adoption(overrides: Partial<Adoption> = {}): Adoption {
  return {
    environment: "dev",
    authorizations: [{ accountId: "222222222222", clusterIdentifier: "lake-dev", extraVpcIds: ["vpc-0a1b2c3d4e5f60999"] }],
    consumers: {
      bi: {
        endpointName: "lake-dev-bi",
        subnetGroup: { name: "bi-by-hand", managed: false, description: "made by hand", subnetIds: [SUBNET, STANDBY] },
        securityGroup: { id: "sg-0a1b2c3d4e5f60718", name: "bi-clients", description: "Redshift 5439" },
        ingressRules: [{ id: "sgr-0a1b2c3d4e5f60718", cidr: "10.20.0.0/16", description: "clients" }],
      },
    },
    ...overrides,
  };
}

function issuesOf(raw: unknown): string {
  try {
    parseAdoption(raw, parseConfig(validConfig()), "dev", "config/adopted/dev.json");
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error("expected the adoption to be refused");
}

describe("the adoption file", () => {
  test("a valid file passes and keeps every field", () => {
    expect(parseAdoption(adoption(), parseConfig(validConfig()), "dev")).toEqual(adoption());
  });

  test.each([
    ["an unknown key", { ...adoption(), extra: 1 }, /extra: unknown key; unknown keys are refused so that typos don't vanish; got 1/],
    ["another environment's file", adoption({ environment: "prod" }), /environment: must be "dev", the environment whose file this is; got "prod"/],
    [
      "a renamed endpoint",
      adoption({ consumers: { bi: { ...adoption().consumers!.bi, endpointName: "other" } } }),
      /consumers\.bi\.endpointName: must equal the consumer's endpointName "lake-dev-bi"; an endpoint cannot be renamed without replacing it; got "other"/,
    ],
    [
      "an endpoint without its subnet group",
      adoption({ consumers: { bi: { ...adoption().consumers!.bi, subnetGroup: undefined } } }),
      /consumers\.bi: must give endpointName and subnetGroup together/,
    ],
    ["an unknown consumer", adoption({ consumers: { ml: adoption().consumers!.bi } }), /consumers\.ml: must be a consumer of environment dev \(bi\)/],
    [
      "a CIDR the config does not allow",
      adoption({ consumers: { bi: { ...adoption().consumers!.bi, ingressRules: [{ id: "sgr-0a1b2c3d4e5f60718", cidr: "10.99.0.0/16" }] } } }),
      /consumers\.bi\.ingressRules\[0\]\.cidr: must be one of the consumer's allowedCidrs \(10\.20\.0\.0\/16\); got "10\.99\.0\.0\/16"/,
    ],
    [
      "a managed group of two subnets",
      adoption({ consumers: { bi: { ...adoption().consumers!.bi, subnetGroup: { ...adoption().consumers!.bi.subnetGroup!, managed: true } } } }),
      /consumers\.bi\.subnetGroup\.subnetIds: a managed subnet group must hold exactly the consumer's one subnet \["subnet-0a1b2c3d4e5f60718"\]/,
    ],
    [
      "an unmanaged group without the consumer's subnet",
      adoption({ consumers: { bi: { ...adoption().consumers!.bi, subnetGroup: { ...adoption().consumers!.bi.subnetGroup!, subnetIds: [STANDBY] } } } }),
      /must include the consumer's subnetIds\[0\] subnet-0a1b2c3d4e5f60718: the unmanaged group keeps the endpoint where it is/,
    ],
    [
      "a bad rule id",
      adoption({ consumers: { bi: { ...adoption().consumers!.bi, ingressRules: [{ id: "rule-1", cidr: "10.20.0.0/16" }] } } }),
      /ingressRules\[0\]\.id: must be a security group rule id/,
    ],
    [
      "an extra VPC the config already names",
      adoption({ authorizations: [{ accountId: "222222222222", clusterIdentifier: "lake-dev", extraVpcIds: [VPC] }] }),
      /authorizations\[0\]\.extraVpcIds\[0\]: must not repeat a VPC the config already names/,
    ],
  ])("fails on %s, naming the JSON path, the value and the rule", (_name, raw, message) => {
    const text = issuesOf(raw);
    expect(text).toMatch(/^Invalid configuration in config\/adopted\/dev\.json/);
    expect(text).toMatch(message);
  });

  test("is read from adopted/<env>.json next to the config, and absent environments have none", () => {
    const dir = tempDir();
    const configFile = path.join(dir, "environments.json");
    expect(loadAdoptions(configFile, parseConfig(validConfig()))).toEqual({});
    fs.mkdirSync(path.join(dir, "adopted"));
    fs.writeFileSync(path.join(dir, "adopted", "dev.json"), JSON.stringify(adoption()));
    expect(loadAdoptions(configFile, parseConfig(validConfig())).dev).toEqual(adoption());
  });
});

describe("synth of an adopted environment", () => {
  function build(adopted: Adoption) {
    const app: App = Testing.app();
    const dir = tempDir();
    const dev = buildStacks(app, parseConfig(validConfig()), { stateDir: dir, outdir: `${dir}/cdktf.out`, adoptions: { dev: adopted } }).get("dev")!;
    return { producer: JSON.parse(Testing.synth(dev.producer, true)), consumer: JSON.parse(Testing.synth(dev.consumers[0], true)), dev };
  }

  test("imports the authorization as <account>:<cluster> and keeps the VPCs it allows beyond the config's", () => {
    const { producer, dev } = build(adoption());
    expect(Testing.synth(dev.producer)).toHaveResourceWithProperties(RedshiftEndpointAuthorization, {
      vpc_ids: [VPC, "vpc-0a1b2c3d4e5f60999"],
    });
    expect(producer.import).toEqual([
      { id: "222222222222:lake-dev", provider: "aws.producer", to: "aws_redshift_endpoint_authorization.authorization-222222222222" },
    ]);
  });

  test("imports the endpoint by name, the security group by id and the rule by sgr id, with names and descriptions as found", () => {
    const { consumer } = build(adoption());
    const ids = Object.fromEntries((consumer.import as { to: string; id: string }[]).map((i) => [i.to.split(".")[0], i.id]));
    expect(ids).toEqual({
      aws_redshift_endpoint_access: "lake-dev-bi",
      aws_security_group: "sg-0a1b2c3d4e5f60718",
      aws_vpc_security_group_ingress_rule: "sgr-0a1b2c3d4e5f60718",
    });
    const sg = Object.values(consumer.resource.aws_security_group)[0] as Record<string, unknown>;
    expect(sg).toMatchObject({ name: "bi-clients", description: "Redshift 5439" });
    const rule = Object.values(consumer.resource.aws_vpc_security_group_ingress_rule)[0] as Record<string, unknown>;
    expect(rule.description).toBe("clients");
  });

  test("a subnet group of several subnets is referenced by name, not managed, and the endpoint has no replace_triggered_by", () => {
    const { consumer } = build(adoption());
    expect(consumer.resource.aws_redshift_subnet_group).toBeUndefined();
    const endpoint = Object.values(consumer.resource.aws_redshift_endpoint_access)[0] as Record<string, any>;
    expect(endpoint.subnet_group_name).toBe("bi-by-hand");
    expect(endpoint.lifecycle?.replace_triggered_by).toBeUndefined();
  });

  test("a hand-made single-subnet group is imported with its name and description, and keeps the replace trigger", () => {
    const single = adoption({
      consumers: { bi: { ...adoption().consumers!.bi, subnetGroup: { name: "bi-one", managed: true, description: "one subnet", subnetIds: [SUBNET] } } },
    });
    const { consumer, dev } = build(single);
    expect(Testing.synth(dev.consumers[0])).toHaveResourceWithProperties(RedshiftSubnetGroup, {
      name: "bi-one",
      description: "one subnet",
      subnet_ids: [SUBNET],
    });
    expect((consumer.import as { id: string }[]).map((i) => i.id)).toContain("bi-one");
    const endpoint = Object.values(consumer.resource.aws_redshift_endpoint_access)[0] as Record<string, any>;
    expect(endpoint.lifecycle.replace_triggered_by[0]).toMatch(/^aws_redshift_subnet_group\..+\.subnet_ids$/);
  });
});

describe("what adopt decides", () => {
  test.each<[EndpointAuthorization | undefined, string, RegExp]>([
    [undefined, "create", /no authorization yet; will authorize vpc-a/],
    [{ Status: "Authorized", AllowedVPCs: ["vpc-a"] }, "import", /^allows vpc-a$/],
    [{ Status: "Authorized", AllowedVPCs: ["vpc-a", "vpc-z"] }, "import", /KEEPS vpc-z: not in the config, someone else may use it/],
    [{ Status: "Authorized", AllowedVPCs: [] }, "import", /will add vpc-a in place/],
    [{ Status: "Authorized", AllowedAllVPCs: true }, "refused", /allows ALL VPCs of the account/],
    [{ Status: "Revoking", AllowedVPCs: ["vpc-a"] }, "refused", /status is Revoking/],
  ])("authorization %j: %s", (found, action, detail) => {
    const decision = authorizationDecision(found, ["vpc-a"]);
    expect(decision.action).toBe(action);
    expect(decision.detail).toMatch(detail);
  });

  const consumer = parseConfig(validConfig()).environments.dev.consumers[0];
  const endpoint = {
    EndpointName: "lake-dev-bi",
    ClusterIdentifier: "lake-dev",
    ResourceOwner: "111111111111",
    EndpointStatus: "active",
    VpcEndpoint: { VpcId: VPC, NetworkInterfaces: [{ SubnetId: SUBNET, AvailabilityZone: "ap-northeast-1a" }] },
  };
  test("an active endpoint in the configured VPC and subnet can be adopted", () => {
    expect(endpointProblems(endpoint, consumer, "111111111111", "lake-dev", "c")).toEqual([]);
  });
  test.each([
    [
      "another subnet",
      { VpcEndpoint: { VpcId: VPC, NetworkInterfaces: [{ SubnetId: STANDBY, AvailabilityZone: "ap-northeast-1c" }] } },
      /set subnetIds to \["subnet-0a1b2c3d4e5f60719"\]/,
    ],
    [
      "another VPC",
      { VpcEndpoint: { VpcId: "vpc-other", NetworkInterfaces: [{ SubnetId: SUBNET }] } },
      /it is in vpc-other, not vpc-0a1b2c3d4e5f60718 \(c\.vpcId\); an endpoint cannot change VPC/,
    ],
    ["a creating endpoint", { EndpointStatus: "creating" }, /its status is creating: adopt only an active endpoint/],
    ["another cluster", { ClusterIdentifier: "lake-prod" }, /connects to cluster lake-prod of 111111111111, not lake-dev/],
  ])("fails to adopt an endpoint in %s", (_name, change, message) => {
    expect(endpointProblems({ ...endpoint, ...change }, consumer, "111111111111", "lake-dev", "c").join("; ")).toMatch(message);
  });

  test("imports one exact rule per configured CIDR on the port and leaves every other rule as it is", () => {
    const rules = [
      { SecurityGroupRuleId: "sgr-1", IpProtocol: "tcp", FromPort: 5439, ToPort: 5439, CidrIpv4: "10.20.0.0/16", Description: "bi" },
      { SecurityGroupRuleId: "sgr-2", IpProtocol: "tcp", FromPort: 5439, ToPort: 5439, CidrIpv4: "10.20.0.0/16" },
      { SecurityGroupRuleId: "sgr-3", IpProtocol: "tcp", FromPort: 5400, ToPort: 5500, CidrIpv4: "10.30.0.0/16" },
      { SecurityGroupRuleId: "sgr-4", IpProtocol: "-1", ReferencedGroupInfo: { GroupId: "sg-x" } },
    ];
    expect(matchIngressRules(rules, ["10.20.0.0/16"], 5439)).toEqual({
      imported: [{ id: "sgr-1", cidr: "10.20.0.0/16", description: "bi" }],
      left: [
        { id: "sgr-2", what: "10.20.0.0/16 tcp/5439" },
        { id: "sgr-3", what: "10.30.0.0/16 tcp/5400-5500" },
        { id: "sgr-4", what: "sg-x all traffic" },
      ],
    });
  });

  test("the table says, per resource, what happens; a refusal writes nothing", () => {
    const text = formatAdoptTable(
      {
        environment: "dev",
        rows: [
          { stack: "dev-producer", resource: "authorization", id: "222222222222:lake-dev", action: "import", detail: "allows vpc-a" },
          { stack: "dev-consumer-bi", resource: "endpoint", id: "lake-dev-bi", action: "refused", detail: "its status is creating" },
        ],
        notes: [],
      },
      "config/adopted/dev.json",
    );
    expect(text).toMatch(/dev-producer\s+authorization\s+222222222222:lake-dev\s+found: will be imported\s+allows vpc-a/);
    expect(text).toMatch(/dev-consumer-bi\s+endpoint\s+lake-dev-bi\s+REFUSED\s+its status is creating/);
    expect(text).toMatch(/dev: REFUSED \(1 resource\); nothing written\./);
  });
});

describe("the plan check before deploying adopted endpoints", () => {
  const plan = {
    resource_changes: [
      {
        address: "aws_redshift_endpoint_access.endpoint_endpoint_1",
        type: "aws_redshift_endpoint_access",
        action_reason: "replace_because_cannot_update",
        change: { actions: ["delete", "create"], before: { endpoint_name: "lake-dev-bi" }, replace_paths: [["subnet_group_name"]] },
      },
      { address: "aws_security_group.sg", type: "aws_security_group", change: { actions: ["update"], before: {} } },
    ],
  };

  test("finds the replacement of an adopted endpoint and says why", () => {
    const found = adoptedEndpointReplacements(plan, ["lake-dev-bi"]);
    expect(found).toEqual([
      {
        address: "aws_redshift_endpoint_access.endpoint_endpoint_1",
        endpointName: "lake-dev-bi",
        actions: ["delete", "create"],
        replacePaths: ["subnet_group_name"],
        reason: "replace_because_cannot_update",
      },
    ]);
    const message = refusalMessage("dev-consumer-bi", "config/adopted/dev.json", found);
    expect(message).toMatch(/^Refusing to deploy dev-consumer-bi: the plan would destroy or replace an endpoint adopted/);
    expect(message).toMatch(/REPLACE endpoint lake-dev-bi \(aws_redshift_endpoint_access\.endpoint_endpoint_1\) because subnet_group_name would change/);
    expect(message).toMatch(/AZ runbook/);
  });

  test("ignores in-place changes and endpoints that were not adopted", () => {
    expect(adoptedEndpointReplacements(plan, ["lake-dev-ml"])).toEqual([]);
    const inPlace = { resource_changes: [{ type: "aws_redshift_endpoint_access", change: { actions: ["update"], before: { endpoint_name: "lake-dev-bi" } } }] };
    expect(adoptedEndpointReplacements(inPlace, ["lake-dev-bi"])).toEqual([]);
  });

  test("a deploy with adopted endpoints applies the producer, checks the consumers' plans, then applies them from the same synth", () => {
    expect(guardedDeploy(["dev-producer", "dev-consumer-bi"], ["--auto-approve"], [{ stack: "dev-consumer-bi", endpointName: "lake-dev-bi" }])).toEqual([
      { cdktf: ["cdktf", "deploy", "dev-producer", "--auto-approve"] },
      { guard: [{ stack: "dev-consumer-bi", endpointName: "lake-dev-bi" }] },
      { cdktf: ["cdktf", "deploy", "dev-consumer-bi", "--skip-synth", "--ignore-missing-stack-dependencies", "--auto-approve"] },
    ]);
  });
});
