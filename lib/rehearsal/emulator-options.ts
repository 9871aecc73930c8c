/**
 * The emulator's command-line flags, from the one table both sides read:
 * emulator/options.json. emulator/server.py builds `npm run emulator`'s parser
 * and usage from it; here it gives `npm run rehearse` its emulator options
 * (the entries marked `rehearse`), their usage lines and their checks, and
 * turns chosen values back into the emulator's command line. A new flag is
 * one entry in the table and its implementation in the emulator.
 */
import table from "../../emulator/options.json";
import { type OptionSpec, UsageError } from "../cli/command";

/** One entry of emulator/options.json. */
export interface EmulatorFlag {
  /** The flag without its dashes (`endpoint-delay`). */
  readonly name: string;
  readonly type: "number" | "integer" | "string" | "boolean" | "strings";
  readonly default: unknown;
  readonly min?: number;
  readonly max?: number;
  /** A string flag's allowed values. */
  readonly choices?: readonly string[];
  readonly metavar: string | null;
  readonly help: string;
  /** Whether `npm run rehearse` passes it to the emulator (the flags that break or slow the seeded world). */
  readonly rehearse: boolean;
}

/** A chosen value: a number, a string, a list of strings, or `true` for a boolean flag. */
export type EmulatorFlagValue = number | string | boolean | readonly string[];

/** Chosen flag values, by flag name. */
export type EmulatorFlags = Readonly<Record<string, EmulatorFlagValue>>;

export const EMULATOR_FLAGS: readonly EmulatorFlag[] = table as EmulatorFlag[];

const flag = (name: string): EmulatorFlag => {
  const found = EMULATOR_FLAGS.find((f) => f.name === name);
  if (found === undefined) throw new Error(`emulator/options.json has no flag --${name}`);
  return found;
};

/** The rehearse flags as options of a command spec: their usage lines come from the table's help texts. */
export function rehearseFlagOptions(): Record<string, OptionSpec> {
  return Object.fromEntries(
    EMULATOR_FLAGS.filter((f) => f.rehearse).map((f) => [
      f.name,
      f.type === "boolean"
        ? { type: "boolean", description: f.help }
        : { type: "string", value: f.metavar ?? "VALUE", description: f.help.replace(/ \(repeatable\)$/, ""), multiple: f.type === "strings" },
    ]),
  );
}

/**
 * The rehearse flags among parsed option values, checked against the table's
 * types and bounds, as EmulatorFlags.
 * @throws UsageError naming the flag, the value and the rule
 */
export function rehearseFlagValues(values: Readonly<Record<string, unknown>>): EmulatorFlags {
  const chosen: Record<string, EmulatorFlagValue> = {};
  for (const f of EMULATOR_FLAGS.filter((e) => e.rehearse)) {
    const value = values[f.name];
    if (value === undefined || value === false) continue;
    chosen[f.name] = checkedValue(f, value);
  }
  return chosen;
}

function checkedValue(f: EmulatorFlag, value: unknown): EmulatorFlagValue {
  if (f.type === "string" && f.choices && !f.choices.includes(String(value)))
    throw new UsageError(`--${f.name} must be one of ${f.choices.join(", ")}; got ${JSON.stringify(value)}`);
  if (f.type === "boolean" || f.type === "strings" || f.type === "string") return value as EmulatorFlagValue;
  const text = String(value);
  const n = Number(text);
  const whole = f.type === "integer";
  const ok =
    text.trim() !== "" && Number.isFinite(n) && (!whole || Number.isInteger(n)) && (f.min === undefined || n >= f.min) && (f.max === undefined || n <= f.max);
  if (!ok) {
    const bounds = f.min !== undefined && f.max !== undefined ? ` from ${f.min} to ${f.max}` : f.min !== undefined ? ` of at least ${f.min}` : "";
    throw new UsageError(`--${f.name} must be ${whole ? "a whole number" : "a number"}${bounds}; got ${JSON.stringify(text)}`);
  }
  return n;
}

/** The emulator's command-line arguments for chosen flags, in the table's order. */
export function emulatorFlagArgs(flags: EmulatorFlags): string[] {
  for (const name of Object.keys(flags)) flag(name);
  const args: string[] = [];
  for (const f of EMULATOR_FLAGS) {
    const value = flags[f.name];
    if (value === undefined || value === false) continue;
    if (f.type === "boolean") args.push(`--${f.name}`);
    else if (Array.isArray(value)) for (const v of value) args.push(`--${f.name}`, v);
    else args.push(`--${f.name}`, String(value));
  }
  return args;
}
