/**
 * The command lines of the operations commands, read one way: node's
 * `util.parseArgs`, strict, with positionals, and a bad command line turned
 * into a one-sentence error; and how a script's `main` ends the process.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";

/** What `parseCommandLine` hands to `parseArgs` for `options`. */
type StrictConfig<O extends Options> = { args: string[]; allowPositionals: true; strict: true; options: O };
type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses `argv` against `options`. Throws Error with node's first sentence
 * only: node's message goes on to explain `--` for positionals starting with
 * a dash, which is noise here.
 */
export function parseCommandLine<O extends Options>(argv: readonly string[], options: O): ReturnType<typeof parseArgs<StrictConfig<O>>> {
  try {
    return parseArgs<StrictConfig<O>>({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (e) {
    throw new Error((e as Error).message.replace(/(?<=')\. .*$/s, ""));
  }
}

/**
 * Runs a script's `main`: the number it resolves to becomes the exit code; an
 * error it did not expect prints its stack and exits 2.
 */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
