/**
 * lib/cli: the one pattern every command follows. A command is a spec (its
 * arguments, options, environment variables and exit codes, from which its
 * usage text is written) and a `run` function in lib/ that gets the parsed
 * arguments. Its script in scripts/ is one line: `runMain(command)`.
 *
 * Parsing is node's `util.parseArgs`, strict. Exit codes follow one
 * convention (docs/architecture.md), which `runCommand` applies:
 * - 0: done, and nothing is wrong;
 * - 1: failed: a check found something wrong, or the command could not
 *   finish (its message says which, without a stack trace);
 * - 2: bad usage: an unknown option, a missing, extra or unknown argument.
 * A command whose callers already expect another convention declares it in
 * its spec (`exits`), with the reason; `npm run drift` is the one such.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { UserError } from "../config/errors";

/** One option of a command. */
export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  /** The option may be given more than once; its value is then a list. @default false */
  readonly multiple?: boolean;
  /** What the value is, in the usage text (`DIR`, `MS`). @default VALUE for a string option */
  readonly value?: string;
  /** One line for the usage text; a default goes in it. */
  readonly description: string;
}

/** One positional argument. */
export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  /** The last positional may take one value or more: the further ones go to `rest`. @default false */
  readonly variadic?: boolean;
}

/** A command's exit codes and what `runCommand` answers with. */
export interface ExitCodes {
  /** The code of a bad command line. */
  readonly usage: number;
  /** The code of a failure the command did not answer itself: a refused input file, an unexpected error. */
  readonly failed: number;
  /** Every code the command can end with, and what it means, for the usage text. */
  readonly meanings: ReadonlyArray<readonly [number, string]>;
}

/** The convention: 0 ok, 1 failed, 2 bad usage. */
export const STANDARD_EXITS: ExitCodes = {
  usage: 2,
  failed: 1,
  meanings: [
    [0, "done, and nothing is wrong"],
    [1, "failed: a check found something wrong, or the command could not finish"],
    [2, "bad usage: an unknown option, a missing, extra or unknown argument"],
  ],
};

export type Options = Readonly<Record<string, OptionSpec>>;

export interface CommandSpec<O extends Options> {
  /** The npm script: `verify` is run as `npm run verify -- ...`. */
  readonly name: string;
  /** How a user runs it, when that is not `npm run <name> --`. @default `npm run <name> --` */
  readonly runAs?: string;
  /** What it does, a few lines. */
  readonly summary: string;
  readonly positionals: readonly PositionalSpec[];
  readonly options: O;
  /**
   * Arguments after the positionals go unchanged to another program; says which.
   * @default none: an extra argument is bad usage
   */
  readonly passThrough?: string;
  /** Environment variables it reads, and what for. @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default STANDARD_EXITS */
  readonly exits?: ExitCodes;
  /** Where to read more. @default nothing */
  readonly more?: string;
}

/** The parsed value of each option: a string, a list of them, a boolean, or undefined when not given. */
export type OptionValues<O extends Options> = {
  readonly [K in keyof O]: O[K]["type"] extends "boolean" ? boolean | undefined : O[K]["multiple"] extends true ? string[] | undefined : string | undefined;
};

export interface ParsedArgs<O extends Options> {
  readonly values: OptionValues<O>;
  /** Each positional by its name. */
  readonly positionals: Readonly<Record<string, string>>;
  /** The pass-through arguments, or a variadic positional's values after its first, in order. */
  readonly rest: readonly string[];
}

/** What a command may touch of the process: its output streams, its environment and its folder. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The project folder (npm runs scripts there). */
  readonly cwd: string;
  /** Whether standard input is a terminal someone can answer a prompt on. */
  readonly interactive: boolean;
}

export interface Command<O extends Options = Options> {
  readonly spec: CommandSpec<O>;
  /** Runs the command; resolves to its exit code. May throw UsageError (bad usage) or anything else (failed). */
  run(args: ParsedArgs<O>, io: CommandIo): Promise<number>;
}

/** A command line that does not fit the spec. */
export class UsageError extends Error {}

export function defineCommand<O extends Options>(spec: CommandSpec<O>, run: (args: ParsedArgs<O>, io: CommandIo) => Promise<number>): Command<O> {
  return { spec, run };
}

const HELP: OptionSpec = { type: "boolean", short: "h", description: "print this help and exit" };

/** How a user runs the command: `npm run <name> --`, or its `runAs`. */
const invocation = (spec: CommandSpec<Options>) => spec.runAs ?? `npm run ${spec.name} --`;

/** The usage line: the command, its arguments, and whether it takes options. */
export function synopsis(spec: CommandSpec<Options>): string {
  const args = spec.positionals.map((p) => `<${p.name}>${p.variadic ? "..." : ""}`).join(" ");
  return `Usage: ${invocation(spec)}${args ? ` ${args}` : ""}${Object.keys(spec.options).length ? " [options]" : ""}${spec.passThrough ? ` [${spec.passThrough}]` : ""}`;
}

/** The usage text, written from the spec alone. */
export function usageText(spec: CommandSpec<Options>): string {
  const lines = [synopsis(spec), "", spec.summary];
  const table = (rows: Array<[string, string]>) => {
    const width = Math.max(...rows.map(([left]) => left.length));
    return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
  };
  if (spec.positionals.length) lines.push("", "Arguments:", ...table(spec.positionals.map((p) => [`<${p.name}>${p.variadic ? "..." : ""}`, p.description])));
  const options = { ...spec.options, help: HELP };
  lines.push(
    "",
    "Options:",
    ...table(
      Object.entries(options).map(([name, o]) => [
        `${o.short ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`,
        `${o.description}${o.multiple ? " (repeatable)" : ""}`,
      ]),
    ),
  );
  if (spec.passThrough) lines.push("", `Any further arguments are ${spec.passThrough}, passed on unchanged.`);
  if (spec.environment && Object.keys(spec.environment).length) lines.push("", "Environment:", ...table(Object.entries(spec.environment)));
  lines.push("", "Exit codes:", ...table((spec.exits ?? STANDARD_EXITS).meanings.map(([code, meaning]) => [String(code), meaning])));
  if (spec.more) lines.push("", spec.more);
  return `${lines.join("\n")}\n`;
}

/**
 * Parses `argv` against the spec: "help" for -h/--help, otherwise the values.
 * @throws UsageError with one sentence saying what is wrong
 */
export function parseCommand<O extends Options>(spec: CommandSpec<O>, argv: readonly string[]): ParsedArgs<O> | "help" {
  const count = spec.positionals.length;
  // With pass-through arguments, the command's own options and positionals come first; the rest is not parsed.
  const split = spec.passThrough ? passThroughStart(spec, argv) : argv.length;
  const own = argv.slice(0, split);
  const options = { ...spec.options, help: HELP } as NonNullable<ParseArgsConfig["options"]>;
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...own], options, allowPositionals: true, strict: true });
  } catch (e) {
    // node goes on to explain `--` for positionals that start with a dash: noise here.
    throw new UsageError((e as Error).message.replace(/(?<=')\. .*$/s, ""));
  }
  if (parsed.values.help === true) return "help";
  if (parsed.positionals.length < count) throw new UsageError(`missing <${spec.positionals[parsed.positionals.length].name}>`);
  const variadic = spec.positionals.at(-1)?.variadic === true;
  if (parsed.positionals.length > count && !variadic) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[count])}`);
  const { help: _help, ...values } = parsed.values;
  return {
    values: values as OptionValues<O>,
    positionals: Object.fromEntries(spec.positionals.map((p, i) => [p.name, parsed.positionals[i]])),
    rest: variadic ? parsed.positionals.slice(count) : argv.slice(split),
  };
}

/** Where pass-through arguments begin: after the positionals, and the command's own options before them. */
function passThroughStart(spec: CommandSpec<Options>, argv: readonly string[]): number {
  let positionals = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") continue;
    const own = Object.entries(spec.options).find(([name, o]) => arg === `--${name}` || arg.startsWith(`--${name}=`) || (o.short && arg === `-${o.short}`));
    if (own) {
      if (own[1].type === "string" && !arg.includes("=")) i++;
      continue;
    }
    // An option of another program: the pass-through starts here (a positional still missing is then reported as missing).
    if (arg.startsWith("-")) return i;
    if (positionals === spec.positionals.length) return i;
    positionals++;
  }
  return argv.length;
}

/**
 * A user error prints its message only; anything else adds how to get the
 * trace. `command` names what failed (`Synth`, `verify`, `adopt`).
 */
export function describeFailure(e: unknown, debug: boolean, command = "Synth"): string {
  if (e instanceof UserError) return `${e.message}\n`;
  const error = e instanceof Error ? e : new Error(String(e));
  if (debug) return `${error.stack}\n`;
  return `${command} failed: ${error.message}\n(set REDSHIFT_ENDPOINTS_DEBUG=1 for the stack trace)\n`;
}

/** Runs `command` on `argv` under the convention: usage on -h, the usage code on a bad command line, the failed code on an error. */
export async function runCommand<O extends Options>(command: Command<O>, argv: readonly string[], io: CommandIo): Promise<number> {
  const exits = command.spec.exits ?? STANDARD_EXITS;
  const usage = (e: Error) => {
    io.stderr(`${command.spec.name}: ${e.message}\n${synopsis(command.spec)}\nRun ${invocation(command.spec)} --help for the options.\n`);
    return exits.usage;
  };
  let args: ParsedArgs<O> | "help";
  try {
    args = parseCommand(command.spec, argv);
  } catch (e) {
    if (e instanceof UsageError) return usage(e);
    throw e;
  }
  if (args === "help") {
    io.stdout(usageText(command.spec));
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) return usage(e);
    io.stderr(describeFailure(e, io.env.REDSHIFT_ENDPOINTS_DEBUG === "1", command.spec.name));
    return exits.failed;
  }
}

/** The process's own io: its streams, environment and folder. */
export function processIo(): CommandIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    interactive: process.stdin.isTTY === true,
  };
}

/**
 * A script's one line: runs the command on the process's arguments and sets
 * its exit code. Given several commands by name, the first argument names the
 * one to run (`scripts/environment.ts deploy <env>`).
 */
export function runMain(commands: Command | Readonly<Record<string, Command>>): void {
  const argv = process.argv.slice(2);
  const io = processIo();
  let command: Command<Options>;
  if (isCommand(commands)) command = commands;
  else {
    const chosen = Object.hasOwn(commands, argv[0] ?? "") ? commands[argv.shift() as string] : undefined;
    if (chosen === undefined) {
      io.stderr(`unknown command ${JSON.stringify(argv[0] ?? "")}: expected one of ${Object.keys(commands).join(", ")}\n`);
      process.exitCode = STANDARD_EXITS.usage;
      return;
    }
    command = chosen;
  }
  runCommand(command, argv, io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = (command.spec.exits ?? STANDARD_EXITS).failed;
    },
  );
}

function isCommand(value: object): value is Command {
  return "spec" in value && "run" in value;
}
