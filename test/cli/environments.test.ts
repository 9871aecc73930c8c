/**
 * `npm run environments`: the config's environments in file order, as names
 * or as the pipeline's JSON matrix, filtered by where their state lives.
 * Run in-process with a recording io (the command pattern's --help, unknown
 * option and missing argument are in commands.test.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runCommand } from "../../lib/cli/command";
import { environmentsCommand, selectByBackend } from "../../lib/cli/environments";
import { recordingIo, tempDir, validConfig } from "../helpers";

const SHIPPED_CONFIG = path.join(__dirname, "..", "..", "config", "environments.json");

async function run(argv: string[], env: Record<string, string> = {}) {
  const { io, out, err } = recordingIo({ env });
  const code = await runCommand(environmentsCommand, argv, io);
  return { code, stdout: out(), stderr: err() };
}

/** Writes `config` to a file and returns its path. */
function configFile(config: unknown): string {
  const file = path.join(tempDir(), "environments.json");
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

/** Three environments, one per backend type, listed out of alphabetical order. */
function mixedConfig(): any {
  const base = validConfig().environments.dev;
  return {
    environments: {
      prod: { ...base, region: "eu-west-1", backend: { type: "s3", bucket: "acme-tf-state", region: "eu-west-1", keyPrefix: "rme" } },
      dev: base,
      qa: { ...base, region: "us-east-1", backend: { type: "cloud", organization: "acme", workspacePrefix: "rme" } },
    },
  };
}

test("lists the shipped config's environments, one name a line, in the file's order", async () => {
  expect(await run(["--config", SHIPPED_CONFIG])).toEqual({ code: 0, stdout: "dev\nstg\nprod\n", stderr: "" });
});

test("--json prints one line: the environment, its region and its backend, local when the config names none", async () => {
  const out = await run(["--json", "--config", configFile(mixedConfig())]);
  expect(out.code).toBe(0);
  expect(out.stderr).toBe("");
  expect(out.stdout.endsWith("\n")).toBe(true);
  expect(out.stdout.trimEnd().split("\n")).toHaveLength(1);
  expect(JSON.parse(out.stdout)).toEqual([
    { environment: "prod", region: "eu-west-1", backend: "s3" },
    { environment: "dev", region: "ap-northeast-1", backend: "local" },
    { environment: "qa", region: "us-east-1", backend: "cloud" },
  ]);
});

test("--backend keeps the environments on that backend and names each one it leaves out on standard error", async () => {
  const out = await run(["--json", "--backend", "s3", "--config", configFile(mixedConfig())]);
  expect(out.code).toBe(0);
  expect(JSON.parse(out.stdout)).toEqual([{ environment: "prod", region: "eu-west-1", backend: "s3" }]);
  expect(out.stderr).toBe("left out dev: its state is local, not s3\nleft out qa: its state is cloud, not s3\n");
});

test("--backend may be given more than once; the order stays the file's", async () => {
  const out = await run(["--backend", "cloud", "--backend", "s3", "--config", configFile(mixedConfig())]);
  expect(out).toEqual({ code: 0, stdout: "prod\nqa\n", stderr: "left out dev: its state is local, not cloud or s3\n" });
});

test("a filter that keeps nothing prints an empty list, names every environment it left out, and succeeds", async () => {
  const out = await run(["--json", "--backend", "s3", "--config", SHIPPED_CONFIG]);
  expect(out.code).toBe(0);
  expect(out.stdout).toBe("[]\n");
  expect(out.stderr.split("\n").filter(Boolean)).toEqual([
    "left out dev: its state is local, not s3",
    "left out stg: its state is local, not s3",
    "left out prod: its state is local, not s3",
  ]);
});

test("reads REDSHIFT_ENDPOINTS_CONFIG when --config is not given, and --config over it", async () => {
  const only = configFile(validConfig());
  expect((await run([], { REDSHIFT_ENDPOINTS_CONFIG: only })).stdout).toBe("dev\n");
  expect((await run(["--config", SHIPPED_CONFIG], { REDSHIFT_ENDPOINTS_CONFIG: only })).stdout).toBe("dev\nstg\nprod\n");
});

test("fails with exit 2 on a --backend that is no backend type, naming it and the types", async () => {
  const out = await run(["--backend", "S3", "--config", SHIPPED_CONFIG]);
  expect(out.code).toBe(2);
  expect(out.stdout).toBe("");
  expect(out.stderr).toMatch(/^environments: --backend must be one of local, s3, cloud; got "S3"\n/);
});

test("fails with exit 1 on a refused config, printing every problem with its path and no stack trace", async () => {
  const config = validConfig();
  config.environments.dev.region = "mars-1";
  config.environments.dev.consumers[0].allowedCidrs = ["0.0.0.0/0"];
  const file = configFile(config);
  const out = await run(["--json", "--config", file]);
  expect(out.code).toBe(1);
  expect(out.stdout).toBe("");
  expect(out.stderr).toContain(`Invalid configuration in ${file} (2 problems):`);
  expect(out.stderr).toContain("environments.dev.region: must be an AWS region code such as ap-northeast-1");
  expect(out.stderr).toContain("environments.dev.consumers[0].allowedCidrs[0]: must not be /0");
  expect(out.stderr).not.toMatch(/\n\s+at /);
});

test("fails with exit 1 on a missing config file, naming it", async () => {
  const out = await run([], { REDSHIFT_ENDPOINTS_CONFIG: "/nonexistent/environments.json" });
  expect(out.code).toBe(1);
  expect(out.stderr).toBe(
    "Invalid configuration in /nonexistent/environments.json (1 problem):\n  - (file): file not found; set REDSHIFT_ENDPOINTS_CONFIG to an existing file, or create config/environments.json\n",
  );
});

test("selectByBackend without a filter keeps every row and leaves none out", () => {
  const rows = [{ environment: "dev", region: "ap-northeast-1", backend: "local" as const }];
  expect(selectByBackend(rows, undefined)).toEqual({ kept: rows, leftOut: [] });
  expect(selectByBackend(rows, [])).toEqual({ kept: rows, leftOut: [] });
});
