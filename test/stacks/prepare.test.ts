/**
 * stacks/prepare.ts replaces cdktf's preparation pass in every account stack.
 * It must register exactly what cdktf's own pass registers: these tests
 * synthesize the same app both ways and compare every file byte for byte.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { RedshiftSubnetGroup } from "@cdktf/provider-aws/lib/redshift-subnet-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { App, Fn, Lazy, TerraformOutput, TerraformStack, Token } from "cdktf";
import * as fs from "node:fs";
import * as path from "node:path";
import { AccountStack } from "../../stacks/account-stack";
import { prepareTokens } from "../../stacks/prepare";
import { listFiles, runSynth, tempDir, validConfig } from "../helpers";

/** Every file under `dir`, by relative path. */
function contents(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
}

/** Runs `fn` with account stacks using cdktf's own prepareStack. */
function withCdktfPreparation<T>(fn: () => T): T {
  const spy = jest.spyOn(AccountStack.prototype, "prepareStack").mockImplementation(function (this: AccountStack) {
    TerraformStack.prototype.prepareStack.call(this);
  });
  try {
    return fn();
  } finally {
    spy.mockRestore();
  }
}

type Preparation = "ours" | "cdktf";

/** A plain stack class whose preparation is ours or cdktf's. */
function stackPreparedBy(prepare: Preparation): typeof TerraformStack {
  return class extends TerraformStack {
    public prepareStack(): void {
      if (prepare === "ours") prepareTokens(this);
      else super.prepareStack();
    }
  };
}

/** Every feature of the config: DNS both ways, standby subnets, IPv6, extra groups, a same-account consumer, all three backends. */
function richConfig(): any {
  const config = validConfig();
  const dev = config.environments.dev;
  dev.consumers[0] = {
    ...dev.consumers[0],
    allowedCidrs: ["10.20.0.0/16", "2001:db8::/32"],
    securityGroupIds: ["sg-0a1b2c3d4e5f60718"],
    standbySubnetIds: ["subnet-0a1b2c3d4e5f60799"],
    dns: { recordName: "lake", zoneName: "dev.internal" },
  };
  dev.consumers.push(
    {
      ...dev.consumers[0],
      name: "ml",
      accountId: "333333333333",
      roleArn: "arn:aws:iam::333333333333:role/deploy",
      vpcId: "vpc-0a1b2c3d4e5f60766",
      subnetIds: ["subnet-0a1b2c3d4e5f60766"],
      standbySubnetIds: undefined,
      endpointName: "lake-dev-ml",
      dns: { recordName: "lake", zoneId: "Z0123456789ABCDEFGHIJ" },
    },
    {
      ...dev.consumers[0],
      name: "own",
      accountId: "111111111111",
      roleArn: "arn:aws:iam::111111111111:role/deploy",
      vpcId: "vpc-0a1b2c3d4e5f60777",
      subnetIds: ["subnet-0a1b2c3d4e5f60777"],
      standbySubnetIds: undefined,
      endpointName: "lake-dev-own",
      dns: undefined,
    },
  );
  const env = (suffix: string, backend: unknown, n: string) => {
    const copy = JSON.parse(JSON.stringify(dev));
    copy.backend = backend;
    copy.producer.accountId = n.repeat(12);
    copy.producer.roleArn = `arn:aws:iam::${n.repeat(12)}:role/deploy`;
    copy.producer.clusterIdentifier = `lake-${suffix}`;
    copy.consumers = copy.consumers
      .filter((c: any) => c.name !== "own")
      .map((c: any, i: number) => ({
        ...c,
        accountId: `${n}${i + 1}`.repeat(6),
        roleArn: `arn:aws:iam::${`${n}${i + 1}`.repeat(6)}:role/deploy`,
        endpointName: `lake-${suffix}-${c.name}`,
      }));
    return copy;
  };
  config.environments.stg = env("stg", { type: "s3", bucket: "acme-tf-state", region: "ap-northeast-1", keyPrefix: "rme" }, "4");
  config.environments.prod = env("prod", { type: "cloud", organization: "acme", workspacePrefix: "rme" }, "5");
  return config;
}

describe("cross-stack preparation", () => {
  test("synthesizes every file byte-identical to cdktf's own preparation, for every feature and backend", () => {
    const ours = runSynth(richConfig());
    expect(ours.stderr).toBe("");
    const theirs = withCdktfPreparation(() => runSynth(richConfig()));
    expect(theirs.stderr).toBe("");
    expect(ours.files.filter((f) => f.startsWith("stacks/")).length).toBe(11); // 4 + 3 + 3 stacks and the Terraform Cloud bootstrap
    expect(contents(ours.outdir)).toEqual(contents(theirs.outdir));
    // the comparison covers real cross-stack wiring
    const consumer = JSON.parse(fs.readFileSync(path.join(ours.outdir, "stacks/prod-consumer-ml/cdk.tf.json"), "utf8"));
    expect(consumer.resource.aws_redshift_endpoint_access.endpoint_F9556B44.resource_owner).toMatch(
      /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-prod-producer\.outputs\./,
    );
  });

  /**
   * Stack B reads stack A through every kind of token: string, number, list
   * (an array cdktf resolves as a whole), map, a token as a map key, tokens
   * inside longer strings, a lazy value, and a function of several.
   */
  function tokenKinds(app: App, prepare: Preparation): void {
    const Stack = stackPreparedBy(prepare);
    const a = new Stack(app, "a");
    new AwsProvider(a, "aws", { region: "ap-northeast-1" });
    const group = new SecurityGroup(a, "group", { name: "a", vpcId: "vpc-1" });
    const rule = new VpcSecurityGroupIngressRule(a, "rule", { securityGroupId: group.id, ipProtocol: "tcp", fromPort: 5439, toPort: 5439 });
    const subnets = new RedshiftSubnetGroup(a, "subnets", { name: "a", subnetIds: ["subnet-1"] });

    const b = new Stack(app, "b");
    new AwsProvider(b, "aws", { region: "ap-northeast-1" });
    new RedshiftSubnetGroup(b, "subnets", {
      name: `b-${group.name}`,
      description: `port ${rule.fromPort} of ${group.id}`,
      subnetIds: subnets.subnetIds,
      tags: group.tagsAll,
    });
    new SecurityGroup(b, "group", {
      name: Lazy.stringValue({ produce: () => group.arn }),
      vpcId: group.vpcId,
      tags: { [group.name]: "key is a token", plain: "1e+5" },
    });
    new TerraformOutput(b, "port", { value: Token.asNumber(rule.fromPort) });
    new TerraformOutput(b, "port-text", { value: `to port ${rule.toPort}` });
    new TerraformOutput(b, "joined", { value: Fn.join(",", [group.id, subnets.id]) });
    new TerraformOutput(b, "in-list", { value: [group.ownerId, "plain"] });
    new TerraformOutput(b, "nested", { value: { deep: [{ id: rule.id, n: 2 }] } });
  }

  test("registers the same cross-stack references as cdktf for every kind of token", () => {
    const synthBoth = (prepare: Preparation) => {
      const outdir = tempDir();
      const app = new App({ outdir, stackTraces: false });
      tokenKinds(app, prepare);
      app.synth();
      return contents(outdir);
    };
    const ours = synthBoth("ours");
    const theirs = synthBoth("cdktf");
    expect(ours).toEqual(theirs);
    const b = JSON.parse(ours["stacks/b/cdk.tf.json"]);
    const a = JSON.parse(ours["stacks/a/cdk.tf.json"]);
    expect(Object.keys(b.data.terraform_remote_state)).toEqual(["cross-stack-reference-input-a"]);
    expect(Object.keys(a.output).filter((o) => o.startsWith("cross-stack-output-")).length).toBeGreaterThanOrEqual(9);
    expect(JSON.parse(ours["manifest.json"]).stacks.b.dependencies).toEqual(["a"]);
  });

  test("fails like cdktf when a value cannot be resolved", () => {
    const attempt = (prepare: Preparation) => {
      const app = new App({ outdir: tempDir(), stackTraces: false });
      const stack = new (stackPreparedBy(prepare))(app, "s");
      new TerraformOutput(stack, "bad", { value: { fn: () => "not a value" } });
      try {
        app.synth();
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    const ours = attempt("ours");
    expect(ours).toMatch(/^Trying to resolve a non-data object \(e\.g\., a function\) at '\/output\/bad\/value\/fn'/);
    expect(ours).toBe(attempt("cdktf"));
  });
});
