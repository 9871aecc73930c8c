/**
 * The example GitHub Actions workflow's commands, exactly as it runs them for
 * one environment on S3 state (test/pipeline/workflow.ts reads them from the
 * YAML), run against the emulator under the generated policies, each job
 * with the roles its pipeline role reaches, in the order a team meets them:
 * - environments: `npm run environments -- --json --backend s3` gives the matrix;
 * - deploy (a merge): `npm run deploy -- s3 --auto-approve`, then `npm run verify -- s3`;
 * - plan (the next pull request): `npm run diff -- s3 --read-only`, through each
 *   stack's read-only role and the state's read-only role, taking no lock;
 * - drift (the schedule): `npm run drift -- s3 --json`, read-only, no drift.
 * Any call outside a role's documents is refused by the emulator and fails here.
 */
import * as path from "node:path";
import type { EnvironmentRow } from "../../lib/cli/environments";
import { workflowNpmCommands } from "../pipeline/workflow";
import { FIXTURES, newRehearsal } from "./harness";

test("the workflow's commands plan, deploy, verify and find no drift, each under the roles its job has", async () => {
  const rehearsal = newRehearsal(path.join(FIXTURES, "s3.json"), "s3");
  rehearsal.editEnvironment((env) => ({
    ...env,
    producer: { ...env.producer, readOnlyRoleArn: "arn:aws:iam::111111111111:role/redshift-endpoints-read" },
    consumers: env.consumers.map((c) => ({ ...c, readOnlyRoleArn: `arn:aws:iam::${c.accountId}:role/redshift-endpoints-read` })),
    backend: env.backend?.type === "s3" ? { ...env.backend, readOnlyRoleArn: "arn:aws:iam::444444444444:role/redshift-endpoints-state-read" } : env.backend,
  }));
  const ran: string[] = [];
  try {
    await rehearsal.start();
    const run = async (job: string, argv: readonly string[]) => {
      const [npm, script, ...rest] = argv;
      expect([npm, script]).toEqual(["npm", "run"]);
      const args = rest[0] === "--silent" ? rest.slice(1) : rest;
      const outcome = await rehearsal.npm(`${job} ${args[0]}`, args);
      ran.push(`${job}: npm run ${args.join(" ")} -> ${outcome.exitCode}`);
      expect([job, args.join(" "), outcome.exitCode, outcome.exitCode === 0 ? "" : outcome.output.slice(-3000)]).toEqual([job, args.join(" "), 0, ""]);
      return outcome;
    };
    const scripts = (job: string, row: EnvironmentRow) => workflowNpmCommands(row)[job].filter((c) => c.kind === "script");

    const [listing] = scripts("environments", { environment: "s3", region: "", backend: "s3" });
    const rows = JSON.parse((await run("environments", listing.argv)).output.trim().split("\n").at(-1) as string) as EnvironmentRow[];
    const row = rows.find((r) => r.environment === "s3") as EnvironmentRow;
    expect(row).toEqual({ environment: "s3", region: "us-west-2", backend: "s3" });

    for (const c of scripts("deploy", row)) await run("deploy", c.argv);
    for (const c of scripts("plan", row)) {
      const plan = await run("plan", c.argv);
      expect(plan.output.match(/No changes\. Your infrastructure matches the configuration\./g)).toHaveLength(2);
    }
    for (const c of scripts("drift", row)) {
      const drift = await run("drift", c.argv);
      const report = JSON.parse(drift.output.slice(drift.output.indexOf("{\n")));
      expect([report.drift, report.rows, report.unchecked]).toEqual([false, [], []]);
    }
    expect(ran.map((r) => r.replace(/ -> 0$/, ""))).toEqual([
      "environments: npm run environments -- --json --backend s3",
      "deploy: npm run deploy -- s3 --auto-approve",
      "deploy: npm run verify -- s3",
      "plan: npm run diff -- s3 --read-only",
      "drift: npm run drift -- s3 --json",
    ]);
    rehearsal.expectNoDenials();
  } finally {
    process.stdout.write(`pipeline commands:\n  ${ran.join("\n  ")}\n`);
    await rehearsal.stop();
  }
});
