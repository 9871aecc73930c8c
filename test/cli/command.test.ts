/** The parsing of lib/cli: positionals, pass-through arguments, variadic positionals, and the usage written from a spec. */
import { type CommandSpec, type Options, parseCommand, usageText } from "../../lib/cli/command";

const spec = (extra: Partial<CommandSpec<Options>> = {}): CommandSpec<Options> => ({
  name: "probe",
  summary: "Probes.",
  positionals: [{ name: "environment", description: "an environment" }],
  options: { json: { type: "boolean", description: "JSON" }, out: { type: "string", value: "DIR", description: "where" } },
  ...extra,
});

test("pass-through arguments start at the first argument the command does not own, after its positionals", () => {
  const parsed = parseCommand(spec({ passThrough: "cdktf options" }), ["dev", "--json", "--auto-approve", "--target", "x"]);
  expect(parsed).toEqual({ values: { json: true }, positionals: { environment: "dev" }, rest: ["--auto-approve", "--target", "x"] });
  expect(parseCommand(spec({ passThrough: "cdktf options" }), ["--out", "d", "dev", "extra"])).toEqual({
    values: { out: "d" },
    positionals: { environment: "dev" },
    rest: ["extra"],
  });
});

test("fails on a pass-through option where the positional belongs, naming the positional", () => {
  expect(() => parseCommand(spec({ passThrough: "cdktf options" }), ["--auto-approve"])).toThrow("missing <environment>");
});

test("a variadic last positional takes every further value", () => {
  const variadic = spec({
    positionals: [
      { name: "type", description: "t" },
      { name: "file", description: "f", variadic: true },
    ],
  });
  expect(parseCommand(variadic, ["a", "b", "c"])).toEqual({ values: {}, positionals: { type: "a", file: "b" }, rest: ["c"] });
  expect(() => parseCommand(variadic, ["a"])).toThrow("missing <file>");
});

test("the usage lists arguments, options with their values, pass-through, environment and exit codes", () => {
  expect(usageText(spec({ passThrough: "cdktf options", environment: { X: "an x" } }))).toBe(
    [
      "Usage: npm run probe -- <environment> [options] [cdktf options]",
      "",
      "Probes.",
      "",
      "Arguments:",
      "  <environment>  an environment",
      "",
      "Options:",
      "  --json      JSON",
      "  --out DIR   where",
      "  -h, --help  print this help and exit",
      "",
      "Any further arguments are cdktf options, passed on unchanged.",
      "",
      "Environment:",
      "  X  an x",
      "",
      "Exit codes:",
      "  0  done, and nothing is wrong",
      "  1  failed: a check found something wrong, or the command could not finish",
      "  2  bad usage: an unknown option, a missing, extra or unknown argument",
      "",
    ].join("\n"),
  );
});
