/**
 * The real entry point, as a user runs it: `node scripts/run-ts.js main.ts`
 * (what `npm run synth` and cdktf.json's app run), in its own process.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { partition } from "../lib/parallel-synth";
import { STACK_TRACE, listFiles, tempDir, validConfig } from "./helpers";

const ROOT = path.join(__dirname, "..");

function synth(env: Record<string, string>, cwd = tempDir()) {
  const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "run-ts.js"), path.join(ROOT, "main.ts")], {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  return { status: r.status, stderr: r.stderr, cwd, files: listFiles(path.join(cwd, "cdktf.out")) };
}

describe("synth entry point", () => {
  test("synthesizes the shipped config into cdktf.out of the working folder", () => {
    const run = synth({ REDSHIFT_ENDPOINTS_CONFIG: path.join(ROOT, "config", "environments.json") });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.files).toContain("stacks/prod-consumer-bi/cdk.tf.json");
    expect(run.files).toContain("manifest.json");
  });

  test("fails on two subnets with exit 1, the JSON path, no stack trace and no file written", () => {
    const dir = tempDir();
    const config = validConfig();
    config.environments.dev.consumers[0].subnetIds.push("subnet-0a1b2c3d");
    fs.writeFileSync(path.join(dir, "c.json"), JSON.stringify(config));
    const run = synth({ REDSHIFT_ENDPOINTS_CONFIG: path.join(dir, "c.json") }, dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("environments.dev.consumers[0].subnetIds: must hold exactly 1 subnet");
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(fs.readdirSync(dir)).toEqual(["c.json"]);
  });

  test("fails on a missing config file with exit 1 and the reason", () => {
    const run = synth({ REDSHIFT_ENDPOINTS_CONFIG: "/nonexistent/environments.json" });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/Invalid configuration in \/nonexistent\/environments\.json \(1 problem\):\n {2}- \(file\): file not found/);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.files).toEqual([]);
  });
});

describe("parallel synth", () => {
  test("worker threads write the same bytes as one thread, including the manifest", () => {
    const config = { REDSHIFT_ENDPOINTS_CONFIG: path.join(ROOT, "config", "environments.json") };
    const one = synth({ ...config, REDSHIFT_ENDPOINTS_SYNTH_WORKERS: "1" });
    const two = synth({ ...config, REDSHIFT_ENDPOINTS_SYNTH_WORKERS: "2" });
    expect(two.stderr).toBe("");
    expect(two.status).toBe(0);
    expect(two.files).toEqual(one.files);
    for (const file of one.files) {
      expect(fs.readFileSync(path.join(two.cwd, "cdktf.out", file), "utf8")).toBe(fs.readFileSync(path.join(one.cwd, "cdktf.out", file), "utf8"));
    }
    expect(fs.readdirSync(two.cwd).sort()).toEqual(["cdktf.out"]);
  });

  test("fails on a worker count that is not a whole number, naming the variable", () => {
    const run = synth({ REDSHIFT_ENDPOINTS_CONFIG: path.join(ROOT, "config", "environments.json"), REDSHIFT_ENDPOINTS_SYNTH_WORKERS: "two" });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe("REDSHIFT_ENDPOINTS_SYNTH_WORKERS must be a whole number of threads, at least 1; got NaN\n");
    expect(run.files).toEqual([]);
  });

  test.each([
    [[1, 1, 1, 1], 2, [[0, 1], [2, 3]]],
    [[3, 1, 1, 1], 2, [[0], [1, 2, 3]]],
    [[1, 1, 1], 4, [[0], [1], [2]]],
    [[2, 2], 1, [[0, 1]]],
  ])("partition splits weights %j into at most %d contiguous groups of about equal weight", (weights, parts, expected) => {
    const items = weights.map((_, i) => i);
    expect(partition(items, (i) => weights[i], parts)).toEqual(expected);
  });
});

describe("shipped files", () => {
  test("the JSON Schema is generated from the zod schema and up to date", () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "run-ts.js"), path.join(ROOT, "scripts", "write-schema.ts"), "--check"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("the shipped config points at the shipped schema and has dev, stg and prod", () => {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, "config", "environments.json"), "utf8"));
    expect(config.$schema).toBe("./environments.schema.json");
    expect(fs.existsSync(path.join(ROOT, "config", config.$schema))).toBe(true);
    expect(Object.keys(config.environments)).toEqual(["dev", "stg", "prod"]);
  });
});
