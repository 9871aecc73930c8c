/**
 * The npm commands of the example GitHub Actions workflow
 * (examples/github-actions/redshift-endpoints.yml), per job and in order, for
 * one environment: what test/pipeline/workflow.test.ts holds against
 * package.json and the commands' specs, and what a deploy-tier scenario runs
 * against the emulator, so that every command the workflow runs is one the
 * emulator has run.
 *
 * The YAML is parsed with js-yaml 3 (in node_modules through jest; the
 * project declares no YAML parser of its own). The shell of each `run:` is
 * read narrowly, which is all this workflow needs: a command starts a line or
 * follows `|`, `||`, `&&`, `;`, `{`, `(`, `then`, `do` or `else`; its words
 * end at an operator or a redirection; quotes and backslashes are honoured;
 * `$VAR`, `${VAR}` and `"$VAR"` are replaced from the step's `env:`, whose
 * `${{ matrix.<key> }}` are the environment's. A word this cannot resolve
 * fails loudly rather than being guessed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { safeLoad } from "js-yaml";
import type { EnvironmentRow } from "../../lib/cli/environments";

export const WORKFLOW_FILE = path.join(__dirname, "..", "..", "examples", "github-actions", "redshift-endpoints.yml");

/** One step of a job, as far as these tests read it. */
export interface WorkflowStep {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly env?: Readonly<Record<string, string | number | boolean>>;
  readonly with?: Readonly<Record<string, string | number | boolean>>;
}

/** One job, as far as these tests read it. */
export interface WorkflowJob {
  readonly name?: string;
  readonly needs?: string | readonly string[];
  readonly if?: string;
  readonly environment?: string;
  readonly permissions?: Readonly<Record<string, string>>;
  readonly strategy?: { readonly "fail-fast"?: boolean; readonly "max-parallel"?: number; readonly matrix?: unknown };
  readonly concurrency?: { readonly group: string; readonly "cancel-in-progress"?: boolean };
  readonly steps: readonly WorkflowStep[];
}

export interface Workflow {
  readonly name: string;
  readonly on: Readonly<Record<string, unknown>>;
  readonly permissions?: unknown;
  readonly env?: Readonly<Record<string, string>>;
  readonly jobs: Readonly<Record<string, WorkflowJob>>;
}

/** Reads and parses a workflow file. */
export function readWorkflow(file = WORKFLOW_FILE): Workflow {
  return safeLoad(fs.readFileSync(file, "utf8"), { filename: file }) as Workflow;
}

/** One npm command of a `run:` step. */
export interface WorkflowNpmCommand {
  /** The job's id: `environments`, `plan`, `comment`, `deploy` or `drift`. */
  readonly job: string;
  /** The step's name, or the first line of its `run:`. */
  readonly step: string;
  /** `install` for `npm ci`, `script` for `npm run <script>`, `other` for anything else (which the tests refuse). */
  readonly kind: "install" | "script" | "other";
  /** The package.json script `npm run` runs; undefined unless `kind` is `script`. */
  readonly script?: string;
  /** The script's arguments: the words after `--` (all words after the script when there is no `--`). */
  readonly args: readonly string[];
  /** The whole command, with the environment filled in: `["npm", "run", "--silent", "drift", "--", "dev", "--json"]`. */
  readonly argv: readonly string[];
}

/** Stands for a `$` that was quoted (single quotes, or `\$`), so variables() leaves it alone; put back as `$` after. */
const LITERAL_DOLLAR = "\u0000";

const OPERATORS = new Set(["|", "||", "&&", ";", "&"]);
const COMMAND_START = new Set([...OPERATORS, "{", "(", "then", "do", "else"]);
const REDIRECTION = /^\d*(>>?|<)(&\d+)?$/;

/** A shell word, or an operator: `{ op }` for `|`, `>` and friends. */
type Token = { readonly word: string; readonly quoted: boolean } | { readonly op: string };

/** Splits one line of shell into words and operators (quotes and backslashes honoured, `#` comments dropped). */
export function shellTokens(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if (c === "#") break;
    const op = /^(\|\||&&|\d*>>?(&\d+)?|\d*<|[|;&(){}])/.exec(line.slice(i));
    if (op) {
      tokens.push({ op: op[0] });
      i += op[0].length;
      continue;
    }
    let word = "";
    let quoted = false;
    while (i < line.length && !/[\s|;&<>(){}]/.test(line[i])) {
      const ch = line[i];
      if (ch === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) throw new Error(`unterminated ' in: ${line}`);
        word += line.slice(i + 1, end).replaceAll("$", LITERAL_DOLLAR);
        quoted = true;
        i = end + 1;
      } else if (ch === '"') {
        // Inside double quotes a backslash escapes only ", \, $ and `.
        i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === "\\" && '"\\$`'.includes(line[i + 1] ?? "")) {
            word += line[i + 1] === "$" ? LITERAL_DOLLAR : line[i + 1];
            i += 2;
          } else word += line[i++];
        }
        if (i >= line.length) throw new Error(`unterminated " in: ${line}`);
        quoted = true;
        i++;
      } else if (ch === "\\") {
        word += line[i + 1] ?? "";
        i += 2;
      } else {
        word += ch;
        i++;
      }
    }
    tokens.push({ word, quoted });
  }
  return tokens;
}

/** Replaces `${{ matrix.<key> }}` with the environment's value; any other expression is refused. */
function expression(value: string, env: EnvironmentRow, where: string): string {
  return value.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
    const key = /^matrix\.(\w+)$/.exec(expr)?.[1];
    if (key === undefined || !Object.hasOwn(env, key)) throw new Error(`${where}: cannot resolve \${{ ${expr} }} for an npm command`);
    return String(env[key as keyof EnvironmentRow]);
  });
}

/** Replaces `$VAR` and `${VAR}` from the step's env (its expressions resolved by `resolve`); a variable it does not set is refused. */
function variables(word: string, stepEnv: Readonly<Record<string, string>>, resolve: (value: string) => string, where: string): string {
  const resolved = word.replace(/\$(?:\{(\w+)\}|(\w+))/g, (_, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare) as string;
    if (!Object.hasOwn(stepEnv, name)) throw new Error(`${where}: $${name} is not set by the step's env, so its npm command cannot be known`);
    return resolve(stepEnv[name]);
  });
  return resolved.split(LITERAL_DOLLAR).join("$");
}

/** Reads `npm ...` words into a command. */
function npmCommand(job: string, step: string, argv: string[]): WorkflowNpmCommand {
  const [, sub, ...rest] = argv;
  if (sub === "ci") return { job, step, kind: "install", args: [], argv };
  if (sub !== "run") return { job, step, kind: "other", args: [], argv };
  // npm's own flags (--silent) come before the script's name.
  let i = 0;
  while (i < rest.length && rest[i].startsWith("-")) i++;
  const script = rest[i];
  if (script === undefined) return { job, step, kind: "other", args: [], argv };
  const after = rest.slice(i + 1);
  return { job, step, kind: "script", script, args: after[0] === "--" ? after.slice(1) : after, argv };
}

/**
 * Every npm command of the workflow's `run:` steps, per job in the workflow's
 * order, steps in order, for `environment` (a row of `npm run environments -- --json`).
 * @throws Error naming the job and step of a command whose words it cannot resolve
 */
export function workflowNpmCommands(environment: EnvironmentRow, file = WORKFLOW_FILE): Readonly<Record<string, readonly WorkflowNpmCommand[]>> {
  const workflow = readWorkflow(file);
  const result: Record<string, WorkflowNpmCommand[]> = {};
  for (const [job, definition] of Object.entries(workflow.jobs)) {
    const commands: WorkflowNpmCommand[] = [];
    for (const [index, step] of definition.steps.entries()) {
      if (step.run === undefined) continue;
      const name = step.name ?? step.run.split("\n")[0];
      const where = `${job} step ${index + 1} (${name})`;
      // Resolved when an npm command uses it: other variables of the step may hold other expressions.
      const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, String(v)]));
      for (const line of step.run.split("\n").filter((l) => /\bnpm\b/.test(l))) {
        const tokens = shellTokens(line);
        tokens.forEach((token, i) => {
          if (!("word" in token) || token.word !== "npm" || token.quoted) return;
          const before = tokens[i - 1];
          const atStart = before === undefined || ("op" in before ? COMMAND_START.has(before.op) : COMMAND_START.has(before.word));
          if (!atStart) return;
          const argv: string[] = [];
          for (const next of tokens.slice(i)) {
            if ("op" in next && (OPERATORS.has(next.op) || REDIRECTION.test(next.op) || next.op === "}" || next.op === ")")) break;
            if ("word" in next) argv.push(variables(expression(next.word, environment, where), stepEnv, (v) => expression(v, environment, where), where));
          }
          commands.push(npmCommand(job, name, argv));
        });
      }
    }
    result[job] = commands;
  }
  return result;
}
