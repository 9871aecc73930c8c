/**
 * One command pattern (lib/cli): every command is a spec and a run function,
 * parsed with node's parseArgs, with one exit-code convention (0 ok, 1
 * failed, 2 bad usage; drift declares its own). Each command is held to it
 * here: --help exits 0 with the usage written from its spec, and a bad
 * command line exits with its usage code before anything runs. The commands
 * checked are those package.json's scripts run, and the report steps CI's
 * shell scripts run through scripts/ci/report.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { benchCommand, benchDeployCommand, benchDriftCommand } from "../../lib/bench/commands";
import { type Command, STANDARD_EXITS, UsageError, parseCommand, runCommand, usageText } from "../../lib/cli/command";
import { environmentsCommand } from "../../lib/cli/environments";
import { generateCommand } from "../../lib/docs/generated";
import { iamPoliciesCommand } from "../../lib/iam/policies";
import { adoptCommand } from "../../lib/operations/adopt";
import { driftCommand } from "../../lib/operations/drift";
import { environmentCommands } from "../../lib/operations/environment";
import { parityRecordCommand } from "../../lib/operations/parity-record";
import { verifyCommand } from "../../lib/operations/verify";
import { grantsCommand } from "../../lib/rehearsal/granted-vs-called";
import { rehearseCommand } from "../../lib/rehearsal/rehearse";
import { REPORT_COMMANDS } from "../../lib/reports/commands";
import { recordingIo } from "../helpers";

/** The commands npm scripts run, by name (the npm script's, or for scripts/ci/report.ts its first argument). */
const SCRIPT_COMMANDS: ReadonlyArray<Command> = [
  verifyCommand,
  adoptCommand,
  driftCommand(),
  ...Object.values(environmentCommands()),
  environmentsCommand,
  rehearseCommand,
  iamPoliciesCommand,
  benchCommand,
  benchDeployCommand,
  benchDriftCommand,
  generateCommand,
  parityRecordCommand,
];

/** scripts/ci/report.ts's commands: CI's shell scripts (scripts/ci/*.sh) run them, and `npm run build` one of them. */
const REPORT_STEPS: ReadonlyArray<Command> = [...Object.values(REPORT_COMMANDS), grantsCommand];

const byName = new Map([...SCRIPT_COMMANDS, ...REPORT_STEPS].map((c) => [c.spec.name, c]));

/**
 * Each TypeScript script a package.json script runs, `node scripts/run-ts.js
 * scripts/<file>.ts [<first argument>]`, and the command it maps to: the one
 * named as the npm script (`npm run verify`), or, for a file that serves
 * several commands by name (`scripts/ci/report.ts package-assemble` in `npm
 * run build`), the one its first argument names. `npm run synth` runs main.ts,
 * which takes no options and is not a command (docs/architecture.md).
 */
const packageScripts = (JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
const scriptRuns = Object.entries(packageScripts).flatMap(([script, line]) =>
  [...line.matchAll(/node scripts\/run-ts\.js (scripts\/\S+\.ts)(?: ([^\s&|;]+))?/g)].map(([, file, first]) => ({
    script,
    file,
    command: byName.get(script) ?? (first === undefined ? undefined : byName.get(first)),
  })),
);

/** The commands checked below: those package.json's scripts run, then the report steps. */
const COMMANDS: ReadonlyArray<Command> = [...new Set([...scriptRuns.flatMap((r) => (r.command ? [r.command] : [])), ...REPORT_STEPS])];

/**
 * Commands whose exit codes depart from the convention (usage 2, failed 1),
 * each with its reason; every other command follows it.
 */
const OWN_EXITS: Readonly<Record<string, { readonly usage: number; readonly failed: number; readonly reason: string }>> = {
  drift: {
    usage: 1,
    failed: 1,
    reason:
      "its 2 means drift, as `terraform plan -detailed-exitcode` uses 0 none / 1 error / 2 changes: a pipeline reading 2 as drift must never get it for bad usage",
  },
};

test("every npm script that runs a TypeScript script runs a command checked here", () => {
  expect(scriptRuns.length).toBeGreaterThan(0);
  expect(scriptRuns.filter((r) => r.command === undefined).map((r) => `npm run ${r.script} runs ${r.file}, which maps to no command here`)).toEqual([]);
});

test("every command held here is run by an npm script or is a report step", () => {
  const checked = new Set(COMMANDS);
  expect(SCRIPT_COMMANDS.filter((c) => !checked.has(c)).map((c) => c.spec.name)).toEqual([]);
});

test("every command follows the convention, usage 2 and failed 1, or is a stated exception", () => {
  const departs = (c: Command) => {
    const exits = c.spec.exits ?? STANDARD_EXITS;
    const expected = OWN_EXITS[c.spec.name] ?? STANDARD_EXITS;
    return exits.usage === expected.usage && exits.failed === expected.failed
      ? []
      : [`${c.spec.name}: usage ${exits.usage}, failed ${exits.failed}; expected usage ${expected.usage}, failed ${expected.failed}`];
  };
  expect(COMMANDS.flatMap(departs)).toEqual([]);
  // An exception names a command that exists and says why.
  for (const [name, own] of Object.entries(OWN_EXITS)) {
    expect(byName.has(name)).toBe(true);
    expect(own.reason).not.toBe("");
  }
});

/** Runs `command` on `argv` with a recording io; nothing of the process is touched. */
async function run(command: Command, argv: string[]) {
  const { io, out, err } = recordingIo({ cwd: "/nonexistent", interactive: true });
  const code = await runCommand(command, argv, io);
  return { code, stdout: out(), stderr: err() };
}

const cases = COMMANDS.map((c) => [c.spec.name, c] as const);

test("every command has a name of its own", () => {
  const names = [...SCRIPT_COMMANDS, ...REPORT_STEPS].map((c) => c.spec.name);
  expect(new Set(names).size).toBe(names.length);
});

describe.each(cases)("%s", (name, command) => {
  const exits = command.spec.exits ?? STANDARD_EXITS;

  test("--help exits 0 and prints the usage written from its spec: synopsis, options, exit codes", async () => {
    const out = await run(command, ["--help"]);
    expect(out).toEqual({ code: 0, stdout: usageText(command.spec), stderr: "" });
    expect(out.stdout).toMatch(/^Usage: /);
    for (const option of Object.keys(command.spec.options)) expect(out.stdout).toContain(`--${option}`);
    for (const [code, meaning] of exits.meanings) expect(out.stdout).toContain(`  ${code}  ${meaning}`);
    expect(exits.meanings.map(([code]) => code)).toEqual(expect.arrayContaining([0, exits.failed, exits.usage]));
  });

  test("fails with its usage code on an unknown option, naming it, before running anything", async () => {
    const argv = [...command.spec.positionals.map(() => "x"), "--no-such-option"];
    const out = await run(command, argv);
    if (command.spec.passThrough) {
      // The rest goes to another program: an unknown option is passed on, not refused.
      expect(() => parseCommand(command.spec, argv)).not.toThrow();
      return;
    }
    expect(out.code).toBe(exits.usage);
    expect(out.stderr).toBe(
      `${name}: Unknown option '--no-such-option'\n${usageText(command.spec).split("\n")[0]}\nRun ${command.spec.runAs ?? `npm run ${name} --`} --help for the options.\n`,
    );
    expect(out.stdout).toBe("");
  });

  if (command.spec.positionals.length > 0)
    test("fails with its usage code when an argument is missing, naming it", async () => {
      const out = await run(command, []);
      expect(out.code).toBe(exits.usage);
      expect(out.stderr).toMatch(new RegExp(`^${name}: missing <${command.spec.positionals[0].name}>\\n`));
    });
});

test("the convention: 0 ok, 1 failed, 2 bad usage", () => {
  expect(STANDARD_EXITS.usage).toBe(2);
  expect(STANDARD_EXITS.failed).toBe(1);
  expect(STANDARD_EXITS.meanings.map(([code]) => code)).toEqual([0, 1, 2]);
});

test("a usage error thrown by a run exits with the usage code; any other error with the failed code, without a stack trace", async () => {
  const spec = { name: "probe", summary: "s", positionals: [], options: {} };
  const usage = await run({ spec, run: async () => Promise.reject(new UsageError("bad value")) }, []);
  expect(usage).toEqual({ code: 2, stdout: "", stderr: "probe: bad value\nUsage: npm run probe --\nRun npm run probe -- --help for the options.\n" });
  const failed = await run({ spec, run: async () => Promise.reject(new Error("boom")) }, []);
  expect(failed).toEqual({ code: 1, stdout: "", stderr: "probe failed: boom\n(set REDSHIFT_ENDPOINTS_DEBUG=1 for the stack trace)\n" });
});
