/**
 * The example GitHub Actions workflow (examples/github-actions/) runs only
 * commands this project has, with arguments they accept, and holds to what
 * its README promises: OIDC roles and no stored key, id-token only where a
 * role is assumed, the GitHub environments lib/iam/pipeline.ts trusts, one
 * apply per environment at a time. actionlint checks the rest of its syntax
 * (npm run lint:workflows).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type Command, type CommandIo, parseCommand, runCommand } from "../../lib/cli/command";
import { type EnvironmentRow, environmentsCommand } from "../../lib/cli/environments";
import { githubEnvironment } from "../../lib/iam/pipeline";
import { driftCommand } from "../../lib/operations/drift";
import { environmentCommands } from "../../lib/operations/environment";
import { verifyCommand } from "../../lib/operations/verify";
import { tempDir, validConfig } from "../helpers";
import { WORKFLOW_FILE, type WorkflowNpmCommand, readWorkflow, shellTokens, workflowNpmCommands } from "./workflow";

const ROOT = path.join(__dirname, "..", "..");
const SCRIPTS: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
const DEV: EnvironmentRow = { environment: "dev", region: "ap-northeast-1", backend: "s3" };

/** The command behind each script the workflow runs. */
const COMMAND_OF_SCRIPT: Readonly<Record<string, Command>> = {
  environments: environmentsCommand,
  diff: environmentCommands().diff,
  deploy: environmentCommands().deploy,
  verify: verifyCommand,
  drift: driftCommand(),
};

/** Arguments that go on to another program through a command's pass-through, each accepted with its reason. */
const ACCEPTED_PASS_THROUGH: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  deploy: { "--auto-approve": "cdktf deploy's own flag, which npm run deploy also reads to run without a terminal (lib/operations/environment.ts)" },
};

const commands = workflowNpmCommands(DEV);
const all: WorkflowNpmCommand[] = Object.values(commands).flat();
const workflow = readWorkflow();

test("for one environment, each job runs exactly these npm commands, in this order", () => {
  const argv = Object.fromEntries(Object.entries(commands).map(([job, list]) => [job, list.map((c) => c.argv.join(" "))]));
  expect(argv).toEqual({
    environments: ["npm ci --no-audit --no-fund", "npm run --silent environments -- --json --backend s3"],
    plan: ["npm ci --no-audit --no-fund", "npm run diff -- dev --read-only"],
    comment: [],
    deploy: ["npm ci --no-audit --no-fund", "npm run deploy -- dev --auto-approve", "npm run verify -- dev"],
    drift: ["npm ci --no-audit --no-fund", "npm run --silent drift -- dev --json"],
  });
});

test("every npm command installs with npm ci or runs a script of package.json", () => {
  const unknown = all.filter((c) => c.kind === "other" || (c.kind === "script" && !Object.hasOwn(SCRIPTS, c.script!)));
  expect(unknown.map((c) => `${c.job}: ${c.argv.join(" ")}`)).toEqual([]);
});

test("every script's arguments are accepted by its command: parsed by its spec, no option passed on to another program unless accepted with a reason", () => {
  const problems: string[] = [];
  for (const c of all.filter((x) => x.kind === "script")) {
    const command = COMMAND_OF_SCRIPT[c.script!];
    if (command === undefined) {
      problems.push(`${c.job}: no command known for npm run ${c.script}; add it to COMMAND_OF_SCRIPT`);
      continue;
    }
    expect(command.spec.name).toBe(c.script);
    let parsed: ReturnType<typeof parseCommand>;
    try {
      parsed = parseCommand(command.spec, c.args);
    } catch (e) {
      problems.push(`${c.job}: npm run ${c.script} -- ${c.args.join(" ")}: ${(e as Error).message}`);
      continue;
    }
    if (parsed === "help") problems.push(`${c.job}: npm run ${c.script} would print its help`);
    else
      for (const arg of parsed.rest.filter((a) => a.startsWith("-")))
        if (!Object.hasOwn(ACCEPTED_PASS_THROUGH[c.script!] ?? {}, arg))
          problems.push(`${c.job}: npm run ${c.script} passes ${arg} on to another program unaccepted`);
  }
  expect(problems).toEqual([]);
});

test("the matrix the environments job builds holds every matrix key the workflow reads", async () => {
  const config = validConfig();
  config.environments.dev.backend = { type: "s3", bucket: "acme-tf-state", region: "ap-northeast-1", keyPrefix: "rme" };
  const file = path.join(tempDir(), "environments.json");
  fs.writeFileSync(file, JSON.stringify(config));
  const command = commands.environments.find((c) => c.script === "environments")!;
  let stdout = "";
  const io: CommandIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: () => undefined,
    env: { REDSHIFT_ENDPOINTS_CONFIG: file },
    cwd: tempDir(),
    interactive: false,
  };
  expect(await runCommand(environmentsCommand, command.args, io)).toBe(0);
  const rows = JSON.parse(stdout) as Array<Record<string, string>>;
  expect(rows).toHaveLength(1);
  const read = [...new Set([...fs.readFileSync(WORKFLOW_FILE, "utf8").matchAll(/\$\{\{[^}]*\bmatrix\.([\w-]+)/g)].map((m) => m[1]))].sort();
  expect(read).toEqual(["environment", "region"]);
  for (const key of read) expect(Object.keys(rows[0])).toContain(key);
});

describe("what the README promises", () => {
  test("each job that assumes a role runs in the GitHub environment whose subject that role trusts (lib/iam/pipeline.ts)", () => {
    const rendered = (job: string) => workflow.jobs[job].environment?.replace("${{ matrix.environment }}", "dev");
    expect(rendered("deploy")).toBe(githubEnvironment("dev", "apply"));
    expect(rendered("plan")).toBe(githubEnvironment("dev", "read"));
    expect(rendered("drift")).toBe(githubEnvironment("dev", "read"));
  });

  test("no permission by default; id-token: write only in the jobs that assume a role; the comment job alone writes, and holds no role", () => {
    expect(workflow.permissions).toEqual({});
    const permissions = Object.fromEntries(Object.entries(workflow.jobs).map(([id, job]) => [id, job.permissions]));
    expect(permissions).toEqual({
      environments: { contents: "read" },
      plan: { contents: "read", "id-token": "write" },
      comment: { "pull-requests": "write" },
      deploy: { contents: "read", "id-token": "write" },
      drift: { contents: "read", "id-token": "write" },
    });
  });

  test("no stored key: no secret is read, and every AWS step assumes the environment's role by OIDC", () => {
    expect(fs.readFileSync(WORKFLOW_FILE, "utf8")).not.toMatch(/secrets\.|aws-access-key-id|aws-secret-access-key/);
    const aws = Object.entries(workflow.jobs).flatMap(([id, job]) => job.steps.filter((s) => s.uses?.startsWith("aws-actions/")).map((s) => [id, s] as const));
    expect(aws.map(([id]) => id)).toEqual(["plan", "deploy", "drift"]);
    for (const [, step] of aws) {
      expect(step.uses).toBe("aws-actions/configure-aws-credentials@v6");
      expect(step.with).toMatchObject({ "role-to-assume": "${{ vars.AWS_ROLE_ARN }}", "aws-region": "${{ matrix.region }}" });
    }
  });

  test("two applies of one environment never overlap, and the environments deploy one at a time, stopping at the first failure", () => {
    const deploy = workflow.jobs.deploy;
    expect(deploy.concurrency).toEqual({ group: "redshift-endpoints-apply-${{ matrix.environment }}", "cancel-in-progress": false });
    expect(deploy.strategy).toMatchObject({ "fail-fast": true, "max-parallel": 1 });
  });

  test("each job runs on its own event: plan on pull request, deploy on push, drift on schedule or by hand", () => {
    expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push", "schedule", "workflow_dispatch"]);
    expect(workflow.jobs.plan.if).toContain("github.event_name == 'pull_request'");
    expect(workflow.jobs.deploy.if).toContain("github.event_name == 'push'");
    expect(workflow.jobs.drift.if).toContain("(github.event_name == 'schedule' || github.event_name == 'workflow_dispatch')");
  });

  test("every action is pinned to a version tag, never a branch", () => {
    const uses = Object.values(workflow.jobs).flatMap((job) => job.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
    expect(uses.length).toBeGreaterThan(10);
    for (const ref of uses) expect(ref).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
  });
});

describe("the reading of run: scripts", () => {
  /** A one-job workflow around `run`, written to a file. */
  function workflowWith(run: string, env: Record<string, string> = {}): string {
    const file = path.join(tempDir(), "workflow.yml");
    fs.writeFileSync(file, JSON.stringify({ name: "t", on: "push", jobs: { j: { "runs-on": "ubuntu-latest", steps: [{ name: "s", env, run }] } } }));
    return file;
  }

  test("finds npm after an operator or a keyword, ends it at a redirection or an operator, and keeps single-quoted $ as it is", () => {
    const file = workflowWith("if true; then npm run x -- 'a$B' \"$ENVIRONMENT\" 2>&1 | tee out; fi\necho npm run not-a-command", {
      ENVIRONMENT: "${{ matrix.environment }}",
    });
    expect(workflowNpmCommands(DEV, file).j.map((c) => c.argv)).toEqual([["npm", "run", "x", "--", "a$B", "dev"]]);
  });

  test("fails on a variable the step's env does not set, naming the step", () => {
    const file = workflowWith('npm run deploy -- "$OTHER"');
    expect(() => workflowNpmCommands(DEV, file)).toThrow("j step 1 (s): $OTHER is not set by the step's env, so its npm command cannot be known");
  });

  test("fails on an expression other than the matrix's keys, naming it", () => {
    const file = workflowWith('npm run deploy -- "$E"', { E: "${{ github.ref_name }}" });
    expect(() => workflowNpmCommands(DEV, file)).toThrow("j step 1 (s): cannot resolve ${{ github.ref_name }} for an npm command");
  });

  test("reports npm install as other, so the workflow test refuses it", () => {
    expect(workflowNpmCommands(DEV, workflowWith("npm install left-pad")).j.map((c) => c.kind)).toEqual(["other"]);
  });

  test("fails on an unterminated quote", () => {
    expect(() => shellTokens("npm run x -- 'dev")).toThrow("unterminated ' in: npm run x -- 'dev");
  });
});
