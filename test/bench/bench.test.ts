/** The bench's parts (lib/bench): its command line, its rows, its generated configs, its meter and its tables. */
import * as fs from "node:fs";
import * as path from "node:path";
import { generatedConfig, stacksIn } from "../../lib/bench/generated-config";
import { Meter, detectRssMethod } from "../../lib/bench/meter";
import { benchCommand, benchOptions } from "../../lib/bench/commands";
import { benchRows } from "../../lib/bench/index";
import { UsageError, parseCommand } from "../../lib/cli/command";
import { type RowResult, formatLinearity, formatTable, median, table } from "../../lib/bench/report";
import { parseConfig } from "../../lib/config";
import { tempDir } from "../helpers";

const root = "/repo";

describe("bench options", () => {
  const options = (argv: string[]) => {
    const parsed = parseCommand(benchCommand.spec, argv);
    if (parsed === "help") return "help";
    return benchOptions(parsed.values, root);
  };

  test.each([
    [[], { runs: undefined, quick: false, skipTests: false, jsonOut: "/repo/.bench/results.json" }],
    [["--runs", "9"], { runs: 9, quick: false, skipTests: false, jsonOut: "/repo/.bench/results.json" }],
    [["--quick", "--skip-tests"], { runs: 1, quick: true, skipTests: true, jsonOut: "/repo/.bench/results.json" }],
    [["--json-out", "/tmp/x.json"], { runs: undefined, quick: false, skipTests: false, jsonOut: "/tmp/x.json" }],
    [["-h"], "help"],
  ])("parses %j", (argv, expected) => {
    expect(options(argv)).toEqual(expected);
  });

  test.each([
    [["--runs", "0"], '--runs must be a whole number of at least 1; got "0"'],
    [["--runs"], "Option '--runs <value>' argument missing"],
    [["--quick", "--runs", "3"], "--quick and --runs contradict each other; pass one of them"],
    [["--fast"], "Unknown option '--fast'"],
  ])("fails on %j with a usage error that says why", (argv, message) => {
    expect(() => options(argv)).toThrow(UsageError);
    expect(() => options(argv)).toThrow(message);
  });
});

describe("rows", () => {
  const repo = path.resolve(__dirname, "..", "..");

  test("run only files that exist: the program, the script node runs, and each project file the row's command names", () => {
    const scratch = tempDir();
    const { rows, testRows } = benchRows(repo, { runs: 1, quick: true, skipTests: false, jsonOut: path.join(scratch, "results.json") }, scratch);
    expect(testRows.map((row) => row.id)).toEqual(["typecheck", "jest", "npm-test"]);
    const missing: string[] = [];
    for (const row of [...rows, ...testRows]) {
      const spec = row.spec();
      const files = [spec.command].filter((program) => path.isAbsolute(program));
      if (spec.command === process.execPath) files.push(spec.args[0]);
      // `sh -c "<line>"`: the line's program, from the first folder of the row's PATH (node_modules/.bin).
      if (spec.command === "sh") files.push(path.join(spec.env?.PATH?.split(path.delimiter)[0] ?? "", spec.args[1].split(" ")[0]));
      // As a reader types it: each word that is a path in the project (`scripts/run-ts.js`, `main.ts`).
      files.push(
        ...row.command
          .split(/\s+/)
          .filter((word) => /^([\w.-]+\/)*[\w.-]+\.[jt]s$/.test(word) && (word.includes("/") || word === "main.ts"))
          .map((word) => path.join(repo, word)),
      );
      for (const file of files) if (!fs.existsSync(file)) missing.push(`${row.id}: ${file}`);
    }
    expect(missing).toEqual([]);
  });
});

describe("generated configs", () => {
  test("are valid configs of three stacks per environment", () => {
    const config = generatedConfig(4);
    expect(() => parseConfig(config)).not.toThrow();
    const file = path.join(tempDir(), "generated.json");
    fs.writeFileSync(file, JSON.stringify(config));
    expect(stacksIn(file)).toBe(12);
  });
});

describe("meter", () => {
  test("measures a command's wall time, peak memory, exit code and output", () => {
    const meter = new Meter(detectRssMethod(), tempDir());
    const sample = meter.run({ command: process.execPath, args: ["-e", "process.stdout.write('hi'); process.exitCode = 3"], cwd: tempDir() });
    expect(sample.exitCode).toBe(3);
    expect(sample.output).toBe("hi");
    expect(sample.wallMs).toBeGreaterThan(0);
    expect(sample.peakRssKiB).toBeGreaterThan(1024);
  });
});

describe("report", () => {
  test.each([
    [[3], 3],
    [[5, 1, 3], 3],
    [[4, 1, 3, 2], 2.5],
  ])("median of %j is %d", (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  test("table pads columns, right-aligning the numeric ones", () => {
    expect(
      table(
        ["row", "n"],
        [
          ["a", "1"],
          ["bbb", "22"],
        ],
        new Set([1]),
      ),
    ).toBe("row   n\n---  --\na     1\nbbb  22");
  });

  test("formatTable shows each row's median, range, ratio to the floor and target result", () => {
    const row = (over: Partial<RowResult>): RowResult => ({
      id: "floor",
      label: "floor",
      kind: "floor",
      command: "",
      stacks: 1,
      runs: 3,
      samplesMs: [],
      medianMs: 250,
      minMs: 240,
      maxMs: 260,
      peakRssMiB: 60,
      ratioToFloor: 1,
      commandOk: true,
      ...over,
    });
    const floor = row({});
    const synth = row({
      id: "synth-30",
      label: "synth 30",
      kind: "synth",
      stacks: 30,
      medianMs: 1000,
      minMs: 900,
      maxMs: 1100,
      ratioToFloor: 4,
      msPerStack: 25,
      target: "<= 1.0 s",
      pass: true,
    });
    const text = formatTable([floor, synth], floor);
    expect(text).toContain("synth 30      30     3     1.000  0.900-1.100     4.0x     25.00        60  <= 1.0 s  pass");
    expect(text).toContain("(x floor = median / floor median 0.250 s;");
  });

  test("formatLinearity flags a per-stack cost that grows with size", () => {
    const text = formatLinearity({
      msPerStack: { 30: 5, 300: 4, 999: 8 },
      perStack999vs300: 2,
      marginalMsPerStack30to300: 3,
      marginalMsPerStack300to999: 9,
      marginalRatio: 3,
      limit: 1.5,
      flagged: true,
    });
    expect(text).toContain("999 vs 300 = 2.00x (limit 1.5x) FLAG: per-stack cost grows with size");
  });
});
