/**
 * The emulator's flags come from one table, emulator/options.json: `npm run
 * rehearse` takes the rehearse flags from it (options, usage lines, checks)
 * and hands them to the emulator's command line. The emulator's own parser
 * reads the same table (test/emulator/api.test.ts runs its --help).
 */
import { parseCommand, usageText } from "../../lib/cli/command";
import { emulatorArgs } from "../../lib/rehearsal/emulator";
import { EMULATOR_FLAGS, emulatorFlagArgs, rehearseFlagValues } from "../../lib/rehearsal/emulator-options";
import { rehearseCommand } from "../../lib/rehearsal/rehearse";

const parse = (argv: string[]) => {
  const parsed = parseCommand(rehearseCommand.spec, argv);
  if (parsed === "help") throw new Error("unexpected help");
  return parsed;
};

describe("npm run rehearse's emulator flags", () => {
  test("are exactly the table's rehearse flags, each with its help text in the usage", () => {
    const usage = usageText(rehearseCommand.spec);
    const rehearse = EMULATOR_FLAGS.filter((f) => f.rehearse);
    expect(rehearse.map((f) => f.name)).toEqual([
      "endpoint-delay",
      "relocation-off",
      "node-type",
      "cluster-port",
      "fault-rate",
      "fault-seed",
      "fail-endpoint",
      "revoke-in-use",
    ]);
    for (const f of rehearse) expect(usage).toContain(`--${f.name}`);
    for (const f of EMULATOR_FLAGS.filter((e) => !e.rehearse)) expect(usage).not.toContain(`--${f.name} `);
  });

  test("take the environment, the config and the flags, and hand the flags to the emulator in the table's order", () => {
    const { positionals, values } = parse([
      "dev",
      "--config",
      "c.json",
      "--relocation-off",
      "--node-type=dc2.large",
      "--cluster-port",
      "5440",
      "--endpoint-delay",
      "0.5",
      "--fault-rate",
      "0.3",
      "--fault-seed=7",
      "--fail-endpoint",
      "a",
      "--fail-endpoint",
      "b",
      "--keep",
      "--enforce-iam",
    ]);
    expect(positionals).toEqual({ environment: "dev" });
    expect([values.config, values.keep, values["enforce-iam"], values.verbose]).toEqual(["c.json", true, true, undefined]);
    const flags = rehearseFlagValues(values);
    expect(flags).toEqual({
      "endpoint-delay": 0.5,
      "relocation-off": true,
      "node-type": "dc2.large",
      "cluster-port": 5440,
      "fault-rate": 0.3,
      "fault-seed": 7,
      "fail-endpoint": ["a", "b"],
    });
    expect(emulatorArgs({ flags, seedConfigFile: "/w.json" })).toEqual([
      ...["--seed", "/w.json", "--port", "0", "--endpoint-delay", "0.5", "--relocation-off", "--node-type", "dc2.large", "--cluster-port", "5440"],
      ...["--fault-rate", "0.3", "--fault-seed", "7", "--fail-endpoint", "a", "--fail-endpoint", "b", "--exit-with-parent"],
    ]);
    expect(rehearseFlagValues(parse(["prod"]).values)).toEqual({});
  });

  test.each([
    [["dev", "--fault-rate", "1.5"], '--fault-rate must be a number from 0 to 1; got "1.5"'],
    [["dev", "--fault-rate", "lots"], '--fault-rate must be a number from 0 to 1; got "lots"'],
    [["dev", "--cluster-port", "port"], '--cluster-port must be a whole number; got "port"'],
    [["dev", "--fault-seed=1.5"], '--fault-seed must be a whole number; got "1.5"'],
    [["dev", "--revoke-in-use", "maybe"], '--revoke-in-use must be one of refuse, accept; got "maybe"'],
  ])("fails on %j with %s", (argv, message) => {
    expect(() => rehearseFlagValues(parse(argv).values)).toThrow(message);
  });

  test.each([
    [[], "missing <environment>"],
    [["dev", "prod"], 'unexpected argument "prod"'],
    [["dev", "--frobnicate"], "Unknown option '--frobnicate'"],
    [["dev", "--fail-endpoint"], "Option '--fail-endpoint <value>' argument missing"],
  ])("fails to parse %j with %s", (argv, message) => {
    expect(() => parse(argv)).toThrow(message);
  });

  test("fails on a flag the table does not have, naming it", () => {
    expect(() => emulatorFlagArgs({ "endpoint-delays": 1 })).toThrow("emulator/options.json has no flag --endpoint-delays");
  });
});
