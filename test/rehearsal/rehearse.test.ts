/**
 * The pure parts of the rehearsal and the engine: argument parsing, the
 * scratch config, reading the engine's messages and a plan's changes, and
 * finding the toolchain. The rehearsal itself runs in the deploy tier
 * (npm run test:scenarios).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseConfig } from "../../lib/config";
import { emulatorCdktf, emulatorEngine, engineEnvironment, findEngine, parseEnvFile, providerNotice, toolchainCacheDir } from "../../lib/rehearsal/engine";
import { engineErrors, formatFaults, formatSteps, plannedChanges, rehearsalConfig, startCommand } from "../../lib/rehearsal/rehearse";
import { diffSnapshots } from "../../lib/rehearsal/world";
import { tempDir, validConfig } from "../helpers";

describe("the rehearsal's config", () => {
  test("keeps local and S3 state, keeps only the rehearsed environment", () => {
    const config = parseConfig(validConfig());
    const { config: scratch, notices } = rehearsalConfig(config, "dev");
    expect(Object.keys(scratch.environments)).toEqual(["dev"]);
    expect(scratch.environments.dev).toEqual(config.environments.dev);
    expect(notices).toEqual([]);
  });

  test("assumes a rehearsal role in the stack's own account for a stack with no roleArn, and says so", () => {
    const raw = validConfig();
    delete raw.environments.dev.consumers[0].roleArn;
    const { config, notices } = rehearsalConfig(parseConfig(raw), "dev");
    const consumer = config.environments.dev.consumers[0];
    expect(consumer.roleArn).toBe(`arn:aws:iam::${consumer.accountId}:role/redshift-endpoints-rehearsal`);
    expect(config.environments.dev.producer.roleArn).toBe(raw.environments.dev.producer.roleArn);
    expect(notices).toEqual([
      `NOTICE: dev's consumer ${consumer.name} has no roleArn (ambient credentials); the rehearsal assumes arn:aws:iam::${consumer.accountId}:role/redshift-endpoints-rehearsal in its place.`,
    ]);
  });

  test("rehearses a Terraform Cloud environment on local state, and says so", () => {
    const raw = validConfig();
    raw.environments.dev.backend = { type: "cloud", organization: "acme", workspacePrefix: "lake" };
    const { config, notices } = rehearsalConfig(parseConfig(raw), "dev");
    expect(config.environments.dev.backend).toEqual({ type: "local" });
    expect(notices).toEqual(["NOTICE: dev keeps its state in Terraform Cloud, which is not emulated; the rehearsal keeps it locally in the scratch folder."]);
  });
});

describe("reading the engine", () => {
  const failedDeploy = [
    "dev-producer  data.aws_redshift_cluster.cluster: Reading...",
    "dev-producer  ╷",
    "              │ Error: Resource postcondition failed",
    "              │ ",
    "              │   on cdk.tf.json line 43, in data.aws_redshift_cluster.cluster:",
    "              │ Cluster lake-dev has cluster relocation turned off, and Redshift-managed VPC endpoints need it.",
    "              ╵",
    "",
    "0 Stacks deploying     1 Stack done     0 Stacks waiting",
  ].join("\n");

  test("quotes each error with its boxed lines, without cdktf's prefix", () => {
    expect(engineErrors(failedDeploy)).toEqual([
      "Error: Resource postcondition failed\n\n  on cdk.tf.json line 43, in data.aws_redshift_cluster.cluster:\nCluster lake-dev has cluster relocation turned off, and Redshift-managed VPC endpoints need it.",
    ]);
    expect(engineErrors("\u001b[31mError: \u001b[0mboom\n")).toEqual(["Error: boom"]);
    // tofu plan -no-color prints errors without the box: each runs to the next Error or Warning.
    const plain = [
      "data.terraform_remote_state.producer: Read complete after 0s",
      "",
      "Error: Resource precondition failed",
      "",
      '  on cdk.tf.json line 12, in resource "aws_redshift_endpoint_access" "endpoint":',
      "",
      "The state of stack dev-producer holds no outputs for this consumer.",
      "",
      "Warning: Deprecated attribute",
      "",
      "  ignored",
    ].join("\n");
    expect(engineErrors(plain)).toEqual([
      'Error: Resource precondition failed\n\n  on cdk.tf.json line 12, in resource "aws_redshift_endpoint_access" "endpoint":\n\nThe state of stack dev-producer holds no outputs for this consumer.',
    ]);
    expect(engineErrors("all good\n")).toEqual([]);
  });

  test("lists what a plan would change: resources and outputs", () => {
    const plan = [
      "  # aws_redshift_endpoint_access.endpoint must be replaced",
      "-/+ resource ...",
      "Plan: 1 to add, 0 to change, 1 to destroy.",
      "",
      "Changes to Outputs:",
      "  ~ authorization-222222222222-status = {",
      "      ~ endpoint_count = 0 -> 1",
      "    }",
      "  + psql_command = (known after apply)",
      "You can apply this plan to save these new output values",
    ].join("\n");
    expect(plannedChanges(plan)).toEqual([
      "# aws_redshift_endpoint_access.endpoint must be replaced",
      "output authorization-222222222222-status (~)",
      "output psql_command (+)",
    ]);
  });

  test("diffs two snapshots of the emulator both ways", () => {
    expect(diffSnapshots(["a", "b"], ["b", "c"])).toEqual(["+ c", "- a"]);
    expect(diffSnapshots(["a"], ["a"])).toEqual([]);
  });

  test("prints a table of steps with their times and the total", () => {
    expect(
      formatSteps([
        { step: "deploy", seconds: 45.61, result: "ok" },
        { step: "verify", seconds: 0, result: "not run" },
      ]),
    ).toBe("step    seconds  result\n------  -------  ------\ndeploy     45.6  ok\nverify           not run\ntotal      45.6\n");
  });
});

describe("the offline engine", () => {
  function toolchain(providerEnv: string): string {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, "bin"));
    fs.writeFileSync(path.join(dir, "bin", "tofu"), "");
    fs.writeFileSync(path.join(dir, "tofurc"), "");
    fs.writeFileSync(path.join(dir, "provider.env"), providerEnv);
    return dir;
  }

  test("finds the toolchain's engine and gives cdktf its environment, pinning the mirror's provider when it differs", () => {
    const dir = toolchain("# generated\nAWS_PROVIDER_WANTED=6.25.0\nAWS_PROVIDER_USED=5.100.0\nAWS_PROVIDER_SOURCE=/opt/x\n");
    const engine = findEngine(dir);
    if (typeof engine === "string") throw new Error(engine);
    expect(engineEnvironment(engine)).toEqual({
      TERRAFORM_BINARY_NAME: path.join(dir, "bin", "tofu"),
      TF_CLI_CONFIG_FILE: path.join(dir, "tofurc"),
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1",
      CHECKPOINT_DISABLE: "1",
      REDSHIFT_ENDPOINTS_AWS_PROVIDER_VERSION: "5.100.0",
    });
    expect(providerNotice(engine)).toMatch(/^NOTICE: hashicorp\/aws 6\.25\.0 .* synthesized for 5\.100\.0/);
  });

  test("pins nothing when the mirror holds the bindings' own version", () => {
    const engine = findEngine(toolchain("AWS_PROVIDER_WANTED=6.25.0\nAWS_PROVIDER_USED=6.25.0\n"));
    if (typeof engine === "string") throw new Error(engine);
    expect(engineEnvironment(engine).REDSHIFT_ENDPOINTS_AWS_PROVIDER_VERSION).toBeUndefined();
    expect(providerNotice(engine)).toBeUndefined();
  });

  test("fails to find an engine that is not installed, or has no provider, saying what to run", () => {
    const empty = tempDir();
    expect(findEngine(empty)).toBe(`${path.join(empty, "bin", "tofu")} does not exist: run \`npm run toolchain\` first`);
    expect(findEngine(toolchain("AWS_PROVIDER_WANTED=6.25.0\nAWS_PROVIDER_USED=\n"))).toMatch(/found no hashicorp\/aws provider binary/);
  });

  test("is used by deploy, diff and destroy only against an emulator, and only when the user names no engine", () => {
    const dir = toolchain("AWS_PROVIDER_WANTED=6.25.0\nAWS_PROVIDER_USED=6.25.0\n");
    expect(emulatorEngine({ AWS_ENDPOINT_URL: "http://127.0.0.1:4599" }, dir)).toMatchObject({ terraformBinary: path.join(dir, "bin", "tofu") });
    expect(emulatorEngine({}, dir)).toBeUndefined();
    expect(emulatorEngine({ AWS_ENDPOINT_URL: "http://127.0.0.1:4599", TERRAFORM_BINARY_NAME: "terraform" }, dir)).toBeUndefined();
    expect(emulatorEngine({ AWS_ENDPOINT_URL: "http://127.0.0.1:4599" }, tempDir())).toBeUndefined();
  });

  test("keeps a run against an emulator in the project's .emulator-state, away from the user's own state and cdktf.out", () => {
    const engine = findEngine(toolchain("AWS_PROVIDER_WANTED=6.25.0\nAWS_PROVIDER_USED=6.25.0\n"));
    if (typeof engine === "string") throw new Error(engine);
    const { env, args } = emulatorCdktf(engine, "/work/project");
    expect(env.REDSHIFT_ENDPOINTS_STATE_DIR).toBe("/work/project/.emulator-state");
    expect(env.TERRAFORM_BINARY_NAME).toBe(engine.terraformBinary);
    expect(args).toEqual(["--skip-provider-lock", "--output", "/work/project/.emulator-state/cdktf.out"]);
    expect(emulatorCdktf(engine, "/work/project", "/tmp/run").args).toEqual(["--skip-provider-lock", "--output", "/tmp/run/cdktf.out"]);
    expect(emulatorCdktf(engine, "/work/project", "runs/a").env.REDSHIFT_ENDPOINTS_STATE_DIR).toBe("/work/project/runs/a");
  });

  test("reads provider.env lines and the cache folder the toolchain uses", () => {
    expect(parseEnvFile("# c\nA=1\n B = 2\nC=x=y\n")).toEqual({ A: "1", C: "x=y" });
    expect(toolchainCacheDir(undefined, "/home/u")).toBe("/home/u/.cache/redshift-endpoints");
    expect(toolchainCacheDir("", "/home/u")).toBe("/home/u/.cache/redshift-endpoints");
    expect(toolchainCacheDir("/xdg", "/home/u")).toBe("/xdg/redshift-endpoints");
  });
});

test("the rehearsal reports the faults it survived, and nothing without faults", () => {
  expect(formatFaults({ rate: 0.3, calls: 129, injected: 41, by: {} })).toBe(
    "faults: 41 of 129 Redshift and EC2 calls answered with a throttle or a 5xx (rate 0.3)\n",
  );
  expect(formatFaults({ rate: 0, calls: 129, injected: 0, by: {} })).toBe("");
  expect(formatFaults(undefined)).toBe("");
});

test("a command that cannot start (its folder is gone) ends once, with 127 and why, and its log says so", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "start-command-"));
  const logFile = path.join(dir, "step.log");
  const outcome = await startCommand("bash", ["-c", "true"], { cwd: path.join(dir, "missing"), env: process.env, logFile }).done;
  expect(outcome.exitCode).toBe(127);
  expect(outcome.output).toContain("could not run bash");
  await new Promise((r) => setTimeout(r, 50));
  expect(fs.readFileSync(logFile, "utf8")).toContain("[exit 127]");
  fs.rmSync(dir, { recursive: true, force: true });
});
