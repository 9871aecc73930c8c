/**
 * State backends per environment, synthesized the way `npm run synth` does
 * it: Terraform Cloud workspaces, S3 keys, local files, the remote state each
 * consumer reads, and the Terraform Cloud bootstrap stack.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readStack, runSynth, validConfig } from "../helpers";

/** Environment number `n` (1-4): its own accounts, cluster, VPCs and endpoint names. */
function environment(n: number, name: string, backend: unknown, consumers: readonly string[] = ["bi"]): any {
  const account = (digit: number) => String(digit).repeat(12);
  const producerAccount = account(2 * n - 1);
  const consumerAccount = account(2 * n);
  return {
    region: "ap-northeast-1",
    ...(backend === undefined ? {} : { backend }),
    producer: {
      accountId: producerAccount,
      roleArn: `arn:aws:iam::${producerAccount}:role/deploy`,
      clusterIdentifier: `lake-${name}`,
      port: 5439,
    },
    consumers: consumers.map((consumer, i) => ({
      name: consumer,
      accountId: consumerAccount,
      roleArn: `arn:aws:iam::${consumerAccount}:role/deploy`,
      vpcId: `vpc-0a1b2c3d4e5f607${n}${i}`,
      subnetIds: [`subnet-0a1b2c3d4e5f607${n}${i}`],
      endpointName: `lake-${name}-${consumer}`,
      allowedCidrs: ["10.20.0.0/16"],
    })),
  };
}

const CLOUD = { type: "cloud", organization: "acme", workspacePrefix: "rme", project: "data-platform" };
const S3 = {
  type: "s3",
  bucket: "acme-tf-state",
  region: "ap-northeast-1",
  keyPrefix: "redshift-endpoints",
  roleArn: "arn:aws:iam::999999999999:role/tf-state",
};

/** dev on Terraform Cloud (two consumers), stg on S3, prod on local state. */
function mixedConfig(): any {
  return {
    environments: {
      dev: environment(1, "dev", CLOUD, ["bi", "ml"]),
      stg: environment(2, "stg", S3),
      prod: environment(3, "prod", undefined),
    },
  };
}

function synthOk(config: unknown) {
  const run = runSynth(config);
  expect(run.stderr).toBe("");
  expect(run.exitCode).toBe(0);
  return run;
}

/** The mixed config is synthesized once and shared by the tests that only read it. */
let mixedRun: ReturnType<typeof synthOk> | undefined;
const mixed = () => (mixedRun ??= synthOk(mixedConfig()));

const stackIds = (outdir: string) => Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).stacks).sort();
const remoteState = (stack: any, producerId: string) => stack.data.terraform_remote_state[`cross-stack-reference-input-${producerId}`];

describe("state backends", () => {
  test("every stack of a cloud environment gets a cloud block with the workspace <prefix>-<stackId>", () => {
    const { outdir } = mixed();
    for (const id of ["dev-producer", "dev-consumer-bi", "dev-consumer-ml"]) {
      expect(readStack(outdir, id).terraform.cloud).toEqual({ organization: "acme", workspaces: { name: `rme-${id}`, project: "data-platform" } });
      expect(readStack(outdir, id).terraform.backend).toBeUndefined();
    }
  });

  test("a cloud consumer reads the producer's workspace through remote state of type remote", () => {
    const { outdir } = mixed();
    for (const id of ["dev-consumer-bi", "dev-consumer-ml"]) {
      expect(remoteState(readStack(outdir, id), "dev-producer")).toEqual({
        backend: "remote",
        config: { organization: "acme", workspaces: { name: "rme-dev-producer" } },
      });
    }
  });

  test("a cloud backend on another host names that host in the cloud block and in the remote state", () => {
    const config = mixedConfig();
    config.environments.dev.backend = { ...CLOUD, hostname: "tfe.example.com" };
    const { outdir } = synthOk(config);
    expect(readStack(outdir, "dev-producer").terraform.cloud.hostname).toBe("tfe.example.com");
    expect(remoteState(readStack(outdir, "dev-consumer-bi"), "dev-producer").config.hostname).toBe("tfe.example.com");
  });

  test("every stack of an s3 environment gets its own encrypted key, locked with S3's lock file", () => {
    const { outdir } = mixed();
    for (const id of ["stg-producer", "stg-consumer-bi"]) {
      expect(readStack(outdir, id).terraform.backend).toEqual({
        s3: {
          bucket: "acme-tf-state",
          key: `redshift-endpoints/${id}.tfstate`,
          region: "ap-northeast-1",
          encrypt: true,
          use_lockfile: true,
          assume_role: { role_arn: "arn:aws:iam::999999999999:role/tf-state" },
        },
      });
    }
  });

  test("an s3 consumer reads the producer's key from the same bucket", () => {
    const { outdir } = mixed();
    const remote = remoteState(readStack(outdir, "stg-consumer-bi"), "stg-producer");
    expect(remote.backend).toBe("s3");
    expect(remote.config).toMatchObject({
      bucket: "acme-tf-state",
      key: readStack(outdir, "stg-producer").terraform.backend.s3.key,
      region: "ap-northeast-1",
      assume_role: { role_arn: "arn:aws:iam::999999999999:role/tf-state" },
    });
    expect(remote.config.key).toBe("redshift-endpoints/stg-producer.tfstate");
  });

  test("an s3 backend without roleArn uses the ambient credentials", () => {
    const config = mixedConfig();
    const { roleArn: _unused, ...withoutRole } = S3;
    config.environments.stg.backend = withoutRole;
    const { outdir } = synthOk(config);
    expect(readStack(outdir, "stg-producer").terraform.backend.s3.assume_role).toBeUndefined();
    expect(remoteState(readStack(outdir, "stg-consumer-bi"), "stg-producer").config.assume_role).toBeUndefined();
  });

  test("a local environment keeps its state files next to the project, and its consumer reads the producer's file", () => {
    const { outdir } = mixed();
    expect(readStack(outdir, "prod-producer").terraform.backend).toEqual({ local: { path: "../../../terraform.prod-producer.tfstate" } });
    expect(readStack(outdir, "prod-consumer-bi").terraform.backend).toEqual({ local: { path: "../../../terraform.prod-consumer-bi.tfstate" } });
    expect(remoteState(readStack(outdir, "prod-consumer-bi"), "prod-producer")).toEqual({
      backend: "local",
      config: { path: "../../../terraform.prod-producer.tfstate" },
      workspace: "${terraform.workspace}",
    });
  });
});

describe("Terraform Cloud bootstrap stack", () => {
  const bootstrap = (config?: unknown) => readStack((config === undefined ? mixed() : synthOk(config)).outdir, "tfc-bootstrap");

  test("is synthesized when some environment uses cloud, and not otherwise", () => {
    expect(stackIds(mixed().outdir)).toContain("tfc-bootstrap");
    expect(stackIds(synthOk(validConfig()).outdir)).toEqual(["dev-consumer-bi", "dev-producer"]);
    const noCloud = mixedConfig();
    noCloud.environments.dev.backend = S3;
    expect(stackIds(synthOk(noCloud).outdir)).not.toContain("tfc-bootstrap");
  });

  test("creates one CLI-driven workspace per cloud stack, in the project, pinned to Terraform 1.11.4 and tagged", () => {
    const json = bootstrap();
    const ids = ["dev-producer", "dev-consumer-bi", "dev-consumer-ml"];
    expect(Object.keys(json.resource.tfe_workspace).sort()).toEqual(ids.map((id) => `workspace-${id}`).sort());
    for (const id of ids) {
      const w = json.resource.tfe_workspace[`workspace-${id}`];
      expect(w.name).toBe(`rme-${id}`);
      expect(w).toMatchObject({
        organization: "acme",
        project_id: "${data.tfe_project.project-dev.id}",
        terraform_version: "1.11.4",
        queue_all_runs: false,
        tags: { environment: "dev", role: id === "dev-producer" ? "producer" : "consumer" },
      });
      expect(w.vcs_repo).toBeUndefined();
      expect(w.tag_names).toBeUndefined();
    }
    expect(json.data.tfe_project["project-dev"]).toMatchObject({ provider: "tfe", name: "data-platform", organization: "acme" });
  });

  test("pins the configured Terraform version and uses the organization's default project when none is named", () => {
    const config = mixedConfig();
    config.environments.dev.backend = { type: "cloud", organization: "acme", workspacePrefix: "rme", terraformVersion: "1.12.2" };
    const json = bootstrap(config);
    for (const w of Object.values(json.resource.tfe_workspace) as any[]) {
      expect(w.terraform_version).toBe("1.12.2");
      expect(w.project_id).toBeUndefined();
    }
    expect(json.data).toBeUndefined();
  });

  test("runs remotely, and only the producer's own consumers may read its state", () => {
    const config = mixedConfig();
    config.environments.qa = environment(4, "qa", { ...CLOUD, workspacePrefix: "rme-qa" });
    const json = bootstrap(config);
    const ws = (stackId: string) => `\${tfe_workspace.workspace-${stackId}.id}`;
    const settings = json.resource.tfe_workspace_settings;
    expect(settings["workspace-settings-dev-producer"]).toMatchObject({
      provider: "tfe",
      workspace_id: ws("dev-producer"),
      execution_mode: "remote",
      global_remote_state: false,
      remote_state_consumer_ids: [ws("dev-consumer-bi"), ws("dev-consumer-ml")],
    });
    expect(settings["workspace-settings-qa-producer"].remote_state_consumer_ids).toEqual([ws("qa-consumer-bi")]);
    for (const consumer of ["dev-consumer-bi", "dev-consumer-ml", "qa-consumer-bi"]) {
      expect(settings[`workspace-settings-${consumer}`]).toMatchObject({ execution_mode: "remote", global_remote_state: false, remote_state_consumer_ids: [] });
    }
    expect(Object.values(json.resource.tfe_workspace).some((w: any) => "global_remote_state" in w || "remote_state_consumer_ids" in w)).toBe(false);
  });

  test("keeps its own state in a local file and takes no token from the config", () => {
    const { outdir, dir } = mixed();
    const json = readStack(outdir, "tfc-bootstrap");
    expect(json.terraform.backend).toEqual({ local: { path: "../../../terraform.tfc-bootstrap.tfstate" } });
    expect(path.resolve(outdir, "stacks", "tfc-bootstrap", json.terraform.backend.local.path)).toBe(path.join(dir, "terraform.tfc-bootstrap.tfstate"));
    expect(json.provider.tfe).toEqual([{}]);
    expect(JSON.stringify(json)).not.toMatch(/"token"/);
    expect(json.terraform.required_providers.tfe).toEqual({ source: "hashicorp/tfe", version: "0.71.0" });
  });

  test("talks to a configured host through its own aliased provider", () => {
    const config = mixedConfig();
    config.environments.qa = environment(4, "qa", { ...CLOUD, hostname: "tfe.example.com" });
    const json = bootstrap(config);
    expect(json.provider.tfe).toEqual([{}, { alias: "tfe_tfe_example_com", hostname: "tfe.example.com" }]);
    expect(json.resource.tfe_workspace["workspace-qa-producer"].provider).toBe("tfe.tfe_tfe_example_com");
    expect(json.resource.tfe_workspace["workspace-dev-producer"].provider).toBe("tfe");
  });

  test("with AWS dynamic credentials, gives each workspace its own stack's role and the providers assume no role", () => {
    const config = mixedConfig();
    config.environments.dev.backend = { ...CLOUD, awsDynamicCredentials: true };
    const { outdir } = synthOk(config);
    const variables = Object.values(readStack(outdir, "tfc-bootstrap").resource.tfe_variable) as any[];
    const byWorkspace = (stackId: string) =>
      Object.fromEntries(variables.filter((v) => v.workspace_id === `\${tfe_workspace.workspace-${stackId}.id}`).map((v) => [v.key, [v.category, v.value]]));
    expect(byWorkspace("dev-producer")).toEqual({
      TFC_AWS_PROVIDER_AUTH: ["env", "true"],
      TFC_AWS_RUN_ROLE_ARN: ["env", "arn:aws:iam::111111111111:role/deploy"],
    });
    expect(byWorkspace("dev-consumer-bi")).toEqual({
      TFC_AWS_PROVIDER_AUTH: ["env", "true"],
      TFC_AWS_RUN_ROLE_ARN: ["env", "arn:aws:iam::222222222222:role/deploy"],
    });
    expect(variables).toHaveLength(6);
    for (const id of ["dev-producer", "dev-consumer-bi", "dev-consumer-ml"]) {
      const [provider] = readStack(outdir, id).provider.aws;
      expect(provider.assume_role).toBeUndefined();
      expect(provider.allowed_account_ids).toHaveLength(1);
    }
    expect(readStack(outdir, "stg-producer").provider.aws[0].assume_role).toEqual([
      { role_arn: "arn:aws:iam::333333333333:role/deploy", session_name: "redshift-endpoints-stg-producer" },
    ]);
  });

  test("without dynamic credentials, sets no AWS variables and the providers keep assuming their roles", () => {
    const { outdir } = mixed();
    expect(readStack(outdir, "tfc-bootstrap").resource.tfe_variable).toBeUndefined();
    expect(readStack(outdir, "dev-producer").provider.aws[0].assume_role[0].role_arn).toBe("arn:aws:iam::111111111111:role/deploy");
  });

  test("fails when dynamic credentials are on and a stack has no roleArn, naming each JSON path", () => {
    const config = mixedConfig();
    config.environments.dev.backend = { ...CLOUD, awsDynamicCredentials: true };
    delete config.environments.dev.producer.roleArn;
    delete config.environments.dev.consumers[1].roleArn;
    const run = runSynth(config);
    expect(run.exitCode).toBe(1);
    const rule =
      "is required when environments.dev.backend.awsDynamicCredentials is true: the stack's Terraform Cloud workspace gets AWS dynamic credentials for this role (TFC_AWS_RUN_ROLE_ARN)";
    expect(run.stderr).toContain(`  - environments.dev.producer.roleArn: ${rule}\n`);
    expect(run.stderr).toContain(`  - environments.dev.consumers[1].roleArn: ${rule}\n`);
    expect(run.stderr).not.toContain("consumers[0].roleArn");
    expect(run.files).toEqual([]);
  });
});
