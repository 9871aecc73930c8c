/**
 * The real entry point, as a user runs it: `node scripts/run-ts.js main.ts`
 * (what `npm run synth` and cdktf.json's app run), in its own process.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { synthCommand } from "../../lib/synth/command";
import { partition } from "../../lib/synth/parallel-synth";
import { STACK_TRACE, listFiles, tempDir, validConfig } from "../helpers";

const ROOT = path.join(__dirname, "..", "..");

function synth(env: Record<string, string>, cwd = tempDir()) {
  const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "run-ts.js"), path.join(ROOT, "main.ts")], {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  return { status: r.status, stderr: r.stderr, cwd, files: listFiles(path.join(cwd, "cdktf.out")) };
}

describe("synth entry point", () => {
  test("synthesizes the shipped config into cdktf.out of the working folder (an empty thread count means the default)", () => {
    const run = synth({ REDSHIFT_ENDPOINTS_CONFIG: path.join(ROOT, "config", "environments.json"), REDSHIFT_ENDPOINTS_SYNTH_THREADS: "" });
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
  const shipped = { REDSHIFT_ENDPOINTS_CONFIG: path.join(ROOT, "config", "environments.json") };

  let one: ReturnType<typeof synth>;
  beforeAll(() => {
    one = synth({ ...shipped, REDSHIFT_ENDPOINTS_SYNTH_THREADS: "1" });
  });

  test.each(["2", "3"])("%s threads write the same bytes as one thread, including the manifest", (threads) => {
    const many = synth({ ...shipped, REDSHIFT_ENDPOINTS_SYNTH_THREADS: threads });
    expect(many.stderr).toBe("");
    expect(many.status).toBe(0);
    expect(many.files).toEqual(one.files);
    for (const file of one.files) {
      expect(fs.readFileSync(path.join(many.cwd, "cdktf.out", file), "utf8")).toBe(fs.readFileSync(path.join(one.cwd, "cdktf.out", file), "utf8"));
    }
    expect(fs.readdirSync(many.cwd).sort()).toEqual(["cdktf.out"]);
  });

  test("a bad config with workers already started exits 1 with the message, writes nothing and does not hang", () => {
    const dir = tempDir();
    const config = validConfig();
    config.environments.dev.consumers[0].allowedCidrs = ["0.0.0.0/0"];
    config.environments.stg = structuredClone(config.environments.dev);
    fs.writeFileSync(path.join(dir, "c.json"), JSON.stringify(config));
    const started = Date.now();
    const run = synth({ REDSHIFT_ENDPOINTS_CONFIG: path.join(dir, "c.json"), REDSHIFT_ENDPOINTS_SYNTH_THREADS: "2" }, dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("environments.dev.consumers[0].allowedCidrs[0]:");
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(fs.readdirSync(dir)).toEqual(["c.json"]);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  test("fails on a thread count that is not a whole number, naming the variable", () => {
    const run = synth({ ...shipped, REDSHIFT_ENDPOINTS_SYNTH_THREADS: "two" });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe("REDSHIFT_ENDPOINTS_SYNTH_THREADS must be a whole number of threads, at least 1; got NaN\n");
    expect(run.files).toEqual([]);
  });

  test.each([
    [
      [1, 1, 1, 1],
      2,
      0,
      [
        [0, 1],
        [2, 3],
      ],
    ],
    [[3, 1, 1, 1], 2, 0, [[0], [1, 2, 3]]],
    [[1, 1, 1], 4, 0, [[0], [1], [2]]],
    [[2, 2], 1, 0, [[0, 1]]],
    [
      [1, 1, 1, 1, 1, 1],
      2,
      2,
      [
        [0, 1, 2, 3],
        [4, 5],
      ],
    ],
    [
      [1, 1, 1, 1, 1, 1, 1, 1, 1],
      3,
      3,
      [
        [0, 1, 2, 3, 4],
        [5, 6],
        [7, 8],
      ],
    ],
    [[1, 1], 2, 10, [[0, 1]]],
    [
      [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
      2,
      -2,
      [
        [0, 1, 2, 3],
        [4, 5, 6, 7, 8, 9],
      ],
    ],
  ])("partition splits weights %j into at most %d contiguous groups, the first %d heavier (negative: lighter)", (weights, parts, headStart, expected) => {
    const items = weights.map((_, i) => i);
    expect(partition(items, (i) => weights[i], parts, headStart)).toEqual(expected);
  });
});

describe("shipped files", () => {
  test("the shipped config points at the shipped schema and has dev, stg and prod", () => {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, "config", "environments.json"), "utf8"));
    expect(config.$schema).toBe("./environments.schema.json");
    expect(fs.existsSync(path.join(ROOT, "config", config.$schema))).toBe(true);
    expect(Object.keys(config.environments)).toEqual(["dev", "stg", "prod"]);
  });
});

describe("REDSHIFT_ENDPOINTS_ROLES", () => {
  const roleOf = (outdir: string, stack: string) =>
    JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")).provider.aws[0].assume_role?.[0]?.role_arn;

  test("read-only: each provider assumes its readOnlyRoleArn, or its roleArn when it has none; nothing else changes", () => {
    const config = validConfig();
    config.environments.dev.consumers[0].readOnlyRoleArn = "arn:aws:iam::222222222222:role/redshift-endpoints-read";
    const dir = tempDir();
    const file = path.join(dir, "environments.json");
    fs.writeFileSync(file, JSON.stringify(config));
    const deploy = synthCommand({ configFile: file, outdir: path.join(dir, "deploy"), stateDir: dir });
    const readOnly = synthCommand({ configFile: file, outdir: path.join(dir, "read"), stateDir: dir, roles: "read-only" });
    expect([deploy.exitCode, readOnly.exitCode]).toEqual([0, 0]);
    expect(roleOf(path.join(dir, "read"), "dev-consumer-bi")).toBe("arn:aws:iam::222222222222:role/redshift-endpoints-read");
    expect(roleOf(path.join(dir, "read"), "dev-producer")).toBe(config.environments.dev.producer.roleArn);
    const withoutProvider = (outdir: string, stack: string) => {
      const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
      delete json.provider;
      return json;
    };
    expect(withoutProvider(path.join(dir, "read"), "dev-consumer-bi")).toEqual(withoutProvider(path.join(dir, "deploy"), "dev-consumer-bi"));
  });

  test("another value is refused, naming the variable and the values it takes", () => {
    const dir = tempDir();
    const file = path.join(dir, "environments.json");
    fs.writeFileSync(file, JSON.stringify(validConfig()));
    const result = synthCommand({ configFile: file, outdir: path.join(dir, "out"), stateDir: dir, roles: "readonly" });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('REDSHIFT_ENDPOINTS_ROLES must be deploy or read-only; got "readonly"');
  });
});
