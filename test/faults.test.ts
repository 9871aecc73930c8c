/** The fault-injection options of `npm run rehearse` and the emulator's command line. */
import { emulatorArgs } from "../lib/rehearsal/emulator";
import { formatFaults, parseRehearseArgs } from "../lib/rehearsal/rehearse";

describe("fault options", () => {
  test("npm run rehearse passes --fault-rate, --fault-seed and --fail-endpoint to the emulator", () => {
    const args = parseRehearseArgs(["dev", "--fault-rate", "0.3", "--fault-seed=7", "--fail-endpoint", "a", "--fail-endpoint", "b"], "d.json");
    expect(args).toEqual({
      environment: "dev",
      configFile: "d.json",
      keep: false,
      enforceIam: false,
      verbose: false,
      emulator: { faultRate: 0.3, faultSeed: 7, failEndpoints: ["a", "b"] },
    });
    if (args === "help") throw new Error("unreachable");
    expect(emulatorArgs(args.emulator)).toEqual([
      "--port",
      "0",
      "--exit-with-parent",
      "--fault-rate",
      "0.3",
      "--fault-seed",
      "7",
      "--fail-endpoint",
      "a",
      "--fail-endpoint",
      "b",
    ]);
  });

  test.each([
    [["dev", "--fault-rate", "1.5"], '--fault-rate must be a number from 0 to 1; got "1.5"'],
    [["dev", "--fault-rate", "lots"], '--fault-rate must be a number from 0 to 1; got "lots"'],
    [["dev", "--fault-seed=-2"], '--fault-seed must be a whole number of at least 0; got "-2"'],
    [["dev", "--fail-endpoint"], "Option '--fail-endpoint <value>' argument missing"],
  ])("fails on %j with %s", (argv, message) => {
    expect(() => parseRehearseArgs(argv, "d.json")).toThrow(message);
  });

  test("the rehearsal reports the faults it survived, and nothing without faults", () => {
    expect(formatFaults({ rate: 0.3, calls: 129, injected: 41, by: {} })).toBe(
      "faults: 41 of 129 Redshift and EC2 calls answered with a throttle or a 5xx (rate 0.3)\n",
    );
    expect(formatFaults({ rate: 0, calls: 129, injected: 0, by: {} })).toBe("");
    expect(formatFaults(undefined)).toBe("");
  });
});
