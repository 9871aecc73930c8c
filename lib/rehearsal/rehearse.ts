/**
 * A rehearsal: one environment deployed, verified, planned again, destroyed
 * and checked, for real, through the cdktf CLI, the toolchain's OpenTofu and
 * the real AWS provider, against the two-account emulator on loopback.
 *
 * `Rehearsal` holds the pieces (a scratch folder, a seeded emulator, the
 * engine's environment) and offers each step as a method, so the deploy tier
 * composes its own scenarios from them; `rehearse` runs the standard sequence
 * and returns a table of steps with their times. State never leaves the
 * scratch folder (a `cloud` backend is rehearsed on local state there) or
 * the emulator (an `s3` backend's bucket is seeded in it).
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { type Config, type EnvironmentConfig, loadConfig } from "../config";
import {
  EMULATOR_ACCESS_KEY_ID,
  EMULATOR_SECRET_ACCESS_KEY,
  type FaultCount,
  type RunningEmulator,
  fetchFaultCount,
  startEmulator,
  withEmulatorEnv,
} from "./emulator";
import { EMULATOR_WORK_DIR_VAR, type Engine, engineEnvironment, findEngine, providerNotice, toolchainCacheDir } from "./engine";
import { rehearseFlagOptions, rehearseFlagValues } from "./emulator-options";
import { defineCommand } from "../cli/command";
import { CONFIG_VARIABLES, configFileOf } from "../cli/environment";
import type { DriftReport } from "../operations/drift-report";
import { environmentStackIds } from "../operations/environment";
import { CALL_LOG_FILE, type CallRecord, INSPECTOR_ROLE_NAME, deniedCalls, parseCallLog, verifyConfig, writeRoleManifest } from "./iam-enforcement";
import { type WorldSnapshot, diffSnapshots, snapshotWorld } from "./world";

/** What an emulator enforcing IAM is started with (EmulatorOptions' fields of the same names). */
export interface IamEnforcementFiles {
  readonly rolePoliciesDir: string;
  readonly recordCallsFile: string;
}

/** Starts an emulator seeded from `seedConfigFile` (startEmulator with the rehearsal's options bound), enforcing IAM when `iam` is given. */
export type EmulatorLauncher = (seedConfigFile: string, iam?: IamEnforcementFiles) => Promise<RunningEmulator>;

export interface RehearsalOptions {
  /** The project folder: main.ts, node_modules, scripts. */
  readonly repoRoot: string;
  /** The user's config file; it is read, never written. */
  readonly configFile: string;
  /** The environment to rehearse. */
  readonly environment: string;
  /** The offline engine (lib/rehearsal/engine.ts). */
  readonly engine: Engine;
  /** An empty folder for the scratch config, the synthesized stacks, local state and logs. */
  readonly scratchDir: string;
  /** Starts the emulator, with whatever options break or slow its world. */
  readonly launchEmulator: EmulatorLauncher;
  /** The variables every child process starts from (PATH, HOME); AWS_* are replaced. */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  /**
   * Rehearse under the generated policies: `start()` runs `npm run iam-policies`
   * for the scratch config into `<scratch>/iam`, and the emulator gives each
   * role exactly its documents (lib/rehearsal/iam-enforcement.ts), authorizes
   * every request and records it in `<scratch>/iam/calls.jsonl`.
   * @default false (every request is allowed, as moto does by default)
   */
  readonly enforceIam?: boolean;
  /**
   * Under `enforceIam`, called with the folder of generated documents before
   * the emulator reads them: a test removes an action here to prove the
   * rehearsal then fails naming it.
   * @default the documents are used as generated
   */
  readonly editPolicies?: (iamDir: string) => void;
  /**
   * Receives the engine's output as it comes.
   * @default discarded (it is always in the step's log file)
   */
  readonly echo?: (text: string) => void;
}

/** The outcome of one command. */
export interface CommandOutcome {
  readonly exitCode: number;
  /** stdout and stderr, interleaved, without terminal colours. */
  readonly output: string;
  readonly seconds: number;
}

/** Raised by a step that failed; `rehearse` prints it as the reason. */
export class StepFailure extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`${step}: ${message}`);
    this.name = "StepFailure";
  }
}

/**
 * The engine's error messages: each `Error: …` line with the lines that
 * belong to it. In cdktf's output an error is boxed (`╷ │ ╵`) and prefixed
 * with the stack's name; both are removed, and the box's end ends the error.
 * Without the box (`tofu … -no-color`), an error runs until the next
 * `Error:` or `Warning:` line, or the end of the output.
 */
export function engineErrors(output: string): string[] {
  const lines = stripVTControlCharacters(output).split("\n");
  const errors: string[] = [];
  let current: string[] | undefined;
  let currentBoxed = false;
  const end = () => {
    if (current) errors.push(current.join("\n").trim());
    current = undefined;
  };
  for (const raw of lines) {
    const line = raw
      .replace(/^\S+\s{2,}/, "")
      .replace(/^\s*[│╷╵]\s?/, "")
      .trimEnd();
    const boxed = /^\s*(\S+\s{2,})?\s*[│╷╵]/.test(raw);
    if (/^\s*Error: /.test(line)) {
      end();
      current = [line.trim()];
      currentBoxed = boxed;
    } else if (current && !currentBoxed && /^(Warning|Error): /.test(raw)) {
      end();
    } else if (current && (boxed || !currentBoxed)) {
      current.push(currentBoxed ? line : raw.trimEnd());
    } else {
      end();
    }
  }
  end();
  return [...new Set(errors.filter((e) => e !== ""))];
}

/** The role a rehearsal assumes for a stack that has no `roleArn`, standing in for the ambient credentials of its account. */
export const REHEARSAL_ROLE_NAME = "redshift-endpoints-rehearsal";

/**
 * The config that the rehearsal synthesizes: the user's environment, with two
 * stand-ins, each announced by a notice:
 * - a `cloud` backend becomes local state in the scratch folder (Terraform
 *   Cloud is not emulated); local and S3 backends stay (local state lands in
 *   the scratch folder, S3 state in the emulator's bucket);
 * - a stack with no `roleArn` deploys with the ambient credentials of its
 *   account, and a rehearsal has one set of ambient credentials for all
 *   stacks (the emulator's base account), so it assumes
 *   `arn:aws:iam::<accountId>:role/redshift-endpoints-rehearsal` instead,
 *   which the emulator seeds like any other role.
 */
export function rehearsalConfig(config: Config, environment: string): { config: Config; notices: string[] } {
  const env = config.environments[environment];
  const notices: string[] = [];
  let backend = env.backend;
  if (backend?.type === "cloud") {
    notices.push(`NOTICE: ${environment} keeps its state in Terraform Cloud, which is not emulated; the rehearsal keeps it locally in the scratch folder.`);
    backend = { type: "local" };
  }
  const withRole = <T extends { accountId: string; roleArn?: string }>(stack: T, what: string): T => {
    if (stack.roleArn !== undefined) return stack;
    const roleArn = `arn:aws:iam::${stack.accountId}:role/${REHEARSAL_ROLE_NAME}`;
    notices.push(`NOTICE: ${what} has no roleArn (ambient credentials); the rehearsal assumes ${roleArn} in its place.`);
    return { ...stack, roleArn };
  };
  const rehearsed = {
    ...env,
    ...(backend ? { backend } : {}),
    producer: withRole(env.producer, `${environment}'s producer`),
    consumers: env.consumers.map((c) => withRole(c, `${environment}'s consumer ${c.name}`)),
  };
  return { config: { ...config, environments: { [environment]: rehearsed } }, notices };
}

/** A command that runs: its process, and its outcome once it ends. */
export interface StartedCommand {
  /** The child; with `ownGroup`, the leader of its own process group (signal `-child.pid` to reach its children too). */
  readonly child: ChildProcess;
  readonly done: Promise<CommandOutcome>;
}

/** Runs a command, collecting its output into `logFile` and, when given, `echo`. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string | undefined>; logFile: string; echo?: (text: string) => void },
): Promise<CommandOutcome> {
  return startCommand(command, args, options).done;
}

/**
 * Starts a command as `runCommand` does, and hands back its process too, so a
 * test can signal it as a CI runner or a closed laptop would. `ownGroup`
 * starts it in its own process group.
 */
export function startCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string | undefined>; logFile: string; echo?: (text: string) => void; ownGroup?: boolean },
): StartedCommand {
  const started = Date.now();
  const log = fs.createWriteStream(options.logFile, { flags: "a" });
  log.write(`$ ${[command, ...args].join(" ")}\n`);
  const chunks: string[] = [];
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: options.env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.ownGroup ?? false,
  });
  const done = new Promise<CommandOutcome>((resolve) => {
    const collect = (data: Buffer) => {
      const text = data.toString("utf8");
      chunks.push(text);
      log.write(text);
      options.echo?.(text);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    let finished = false;
    // A child that cannot start (a missing cwd, say) emits 'error' and then 'close': finish once.
    const finish = (exitCode: number) => {
      if (finished) return;
      finished = true;
      log.end(`\n[exit ${exitCode}]\n`);
      resolve({ exitCode, output: stripVTControlCharacters(chunks.join("")), seconds: (Date.now() - started) / 1000 });
    };
    child.on("error", (e) => {
      chunks.push(`could not run ${command}: ${e.message}\n`);
      finish(127);
    });
    child.on("close", (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
  return { child, done };
}

/** What `npm run drift -- <env> --json` prints. */
export type DriftJson = DriftReport & { readonly drift: boolean };

/** One environment's rehearsal: the scratch folder, the emulator and the engine, and each step as a method. */
export class Rehearsal {
  /** The validated user config. */
  readonly config: Config;
  /** The config the stacks are synthesized from (`rehearsalConfig`), written into the scratch folder. */
  readonly scratchConfigFile: string;
  readonly notices: readonly string[];
  readonly stacks: { readonly producer: string; readonly consumers: readonly string[] };
  private emulator?: RunningEmulator;
  private logIndex = 0;

  constructor(readonly options: RehearsalOptions) {
    this.config = loadConfig(options.configFile);
    // Throws UnknownEnvironmentError, naming the environments the file defines.
    const [producer, ...consumers] = environmentStackIds(this.config, options.environment, options.configFile);
    this.stacks = { producer, consumers };
    const { config, notices } = rehearsalConfig(this.config, options.environment);
    this.notices = notices;
    fs.mkdirSync(options.scratchDir, { recursive: true });
    this.scratchConfigFile = path.join(options.scratchDir, "environments.json");
    fs.writeFileSync(this.scratchConfigFile, `${JSON.stringify(config, null, 2)}\n`);
    fs.writeFileSync(
      path.join(options.scratchDir, "cdktf.json"),
      `${JSON.stringify(
        {
          language: "typescript",
          app: `node ${JSON.stringify(path.join(options.repoRoot, "scripts", "run-ts.js"))} ${JSON.stringify(path.join(options.repoRoot, "main.ts"))}`,
          output: "cdktf.out",
          projectId: "redshift-managed-endpoints-rehearsal",
          sendCrashReports: "false",
          terraformProviders: [],
          terraformModules: [],
          context: {},
        },
        null,
        2,
      )}\n`,
    );
  }

  /**
   * Rewrites the environment in the scratch config, as a user edits the
   * config between two deploys (the AZ runbook's swap of subnets).
   */
  editEnvironment(edit: (env: EnvironmentConfig) => EnvironmentConfig): void {
    const config = JSON.parse(fs.readFileSync(this.scratchConfigFile, "utf8")) as Config;
    config.environments[this.options.environment] = edit(config.environments[this.options.environment]);
    fs.writeFileSync(this.scratchConfigFile, `${JSON.stringify(config, null, 2)}\n`);
  }

  /** Every stack id, producer first. */
  get allStacks(): string[] {
    return [this.stacks.producer, ...this.stacks.consumers];
  }

  /** The emulator's address; the rehearsal must have been started. */
  get url(): string {
    if (!this.emulator) throw new Error("the emulator is not running: call start() first");
    return this.emulator.url;
  }

  /** The environment of every child process: the base, the engine, the emulator and the scratch config. */
  childEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
    const base: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(this.options.baseEnv)) if (!k.startsWith("TF_")) base[k] = v;
    return {
      // Without a running emulator (a step that needs no AWS), the base environment without AWS_* is enough.
      ...(this.emulator ? withEmulatorEnv(base, this.emulator.url) : Object.fromEntries(Object.entries(base).filter(([k]) => !k.startsWith("AWS_")))),
      ...engineEnvironment(this.options.engine),
      REDSHIFT_ENDPOINTS_CONFIG: this.scratchConfigFile,
      CI: "1",
      ...extra,
    };
  }

  /** Starts the emulator, seeded from the scratch config; under `enforceIam`, generates the policies first. */
  async start(): Promise<void> {
    if (!(this.options.enforceIam ?? false)) {
      this.emulator = await this.options.launchEmulator(this.scratchConfigFile);
      return;
    }
    const dir = this.iamDir;
    fs.mkdirSync(dir, { recursive: true });
    const logDir = path.join(this.options.scratchDir, "logs");
    fs.mkdirSync(logDir, { recursive: true });
    this.logIndex += 1;
    const generate = await runCommand("npm", ["run", "--silent", "iam-policies", "--", "--out", dir, "--config", this.scratchConfigFile], {
      cwd: this.options.repoRoot,
      env: this.options.baseEnv,
      logFile: path.join(logDir, `${String(this.logIndex).padStart(2, "0")}-iam-policies.log`),
    });
    if (generate.exitCode !== 0) throw new StepFailure("iam-policies", `npm run iam-policies exited ${generate.exitCode}:\n${generate.output.trim()}`);
    this.options.editPolicies?.(dir);
    writeRoleManifest(dir, loadConfig(this.scratchConfigFile), this.options.environment);
    this.emulator = await this.options.launchEmulator(this.scratchConfigFile, { rolePoliciesDir: dir, recordCallsFile: this.callLogFile });
  }

  /** The folder of the generated policies and the call log (under `enforceIam`). */
  get iamDir(): string {
    return path.join(this.options.scratchDir, "iam");
  }

  /** The emulator's call log (under `enforceIam`). */
  get callLogFile(): string {
    return path.join(this.iamDir, CALL_LOG_FILE);
  }

  /** Every call the emulator recorded so far; empty when IAM is not enforced. */
  calls(): CallRecord[] {
    if (!(this.options.enforceIam ?? false) || !fs.existsSync(this.callLogFile)) return [];
    return parseCallLog(fs.readFileSync(this.callLogFile, "utf8"), this.callLogFile);
  }

  /** Throws StepFailure naming each call the emulator refused (an action missing from a policy). */
  expectNoDenials(stepName = "IAM: no denials"): void {
    const denied = deniedCalls(this.calls());
    if (denied.length > 0)
      throw new StepFailure(stepName, `the emulator refused ${denied.length} call(s) under the generated policies:\n  ${denied.join("\n  ")}`);
  }

  /** A failed step's message, with the calls IAM refused so far (each names the missing action). */
  private withDenials(text: string): string {
    const denied = deniedCalls(this.calls());
    return denied.length > 0 ? `${text}\nIAM denied: ${denied.join("; ")}` : text;
  }

  /** Stops the emulator (idempotent). */
  async stop(): Promise<void> {
    const emulator = this.emulator;
    this.emulator = undefined;
    await emulator?.stop();
  }

  /** Runs the cdktf CLI in the scratch folder; `stepName` names its log file. */
  cdktf(stepName: string, args: readonly string[]): Promise<CommandOutcome> {
    return this.run(stepName, path.join(this.options.repoRoot, "node_modules", ".bin", "cdktf"), args, this.options.scratchDir);
  }

  /** Runs a command with the rehearsal's environment, logging into `<scratch>/logs/NN-<step>.log`. */
  run(stepName: string, command: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<CommandOutcome> {
    return startCommand(command, args, { cwd, env: this.childEnv(env), logFile: this.logFile(stepName), echo: this.options.echo }).done;
  }

  /**
   * Starts the cdktf CLI in the scratch folder in its own process group and
   * hands back the process, to be signalled as a CI runner's timeout does.
   */
  startCdktf(stepName: string, args: readonly string[]): StartedCommand {
    return startCommand(path.join(this.options.repoRoot, "node_modules", ".bin", "cdktf"), args, {
      cwd: this.options.scratchDir,
      env: this.childEnv(),
      logFile: this.logFile(stepName),
      echo: this.options.echo,
      ownGroup: true,
    });
  }

  /** The emulator's count of injected faults so far (emulator/faults.py). */
  faultCount(): Promise<FaultCount> {
    return fetchFaultCount(this.url);
  }

  /** The next log file, `<scratch>/logs/NN-<step>.log`. */
  private logFile(stepName: string): string {
    const logDir = path.join(this.options.scratchDir, "logs");
    fs.mkdirSync(logDir, { recursive: true });
    this.logIndex += 1;
    return path.join(logDir, `${String(this.logIndex).padStart(2, "0")}-${stepName.replace(/[^a-z0-9-]+/gi, "-")}.log`);
  }

  /** `cdktf deploy` of `stacks` (default: all), auto-approved; throws StepFailure quoting the engine on failure. */
  async deploy(stepName = "deploy", stacks: readonly string[] = this.allStacks): Promise<CommandOutcome> {
    const outcome = await this.cdktf(stepName, ["deploy", ...stacks, "--auto-approve", "--skip-provider-lock"]);
    if (outcome.exitCode !== 0) throw new StepFailure(stepName, this.withDenials(failureText(outcome)));
    return outcome;
  }

  /** `cdktf destroy` of `stacks` (default: all), auto-approved, with `extraArgs`. */
  async destroy(stepName = "destroy", stacks: readonly string[] = this.allStacks, extraArgs: readonly string[] = []): Promise<CommandOutcome> {
    const outcome = await this.cdktf(stepName, ["destroy", ...stacks, "--auto-approve", "--skip-provider-lock", ...extraArgs]);
    if (outcome.exitCode !== 0) throw new StepFailure(stepName, this.withDenials(failureText(outcome)));
    return outcome;
  }

  /**
   * `npm run verify -- <env>` against the emulator; must exit 0. Under
   * `enforceIam` it assumes each stack's verify role, which holds only the
   * read-only verify policy (`verifyConfig`).
   */
  async verify(stepName = "verify"): Promise<CommandOutcome> {
    const env: Record<string, string> = {};
    if (this.options.enforceIam ?? false) {
      const file = path.join(this.options.scratchDir, "environments.verify.json");
      const current = JSON.parse(fs.readFileSync(this.scratchConfigFile, "utf8")) as Config;
      fs.writeFileSync(file, `${JSON.stringify(verifyConfig(current, this.options.environment), null, 2)}\n`);
      env.REDSHIFT_ENDPOINTS_CONFIG = file;
    }
    const outcome = await this.run(stepName, "npm", ["run", "--silent", "verify", "--", this.options.environment], this.options.repoRoot, env);
    if (outcome.exitCode !== 0) throw new StepFailure(stepName, this.withDenials(`npm run verify exited ${outcome.exitCode}:\n${outcome.output.trim()}`));
    return outcome;
  }

  /**
   * `npm run --silent <args>` from the project folder, as a user runs it
   * against the emulator: AWS_ENDPOINT_URL set, no engine of their own, and
   * the rehearsal's scratch folder as the work folder, so the command's synth
   * output and local state are the rehearsal's.
   */
  npm(stepName: string, args: readonly string[], env: Record<string, string> = {}): Promise<CommandOutcome> {
    const childEnv = this.childEnv({ [EMULATOR_WORK_DIR_VAR]: this.options.scratchDir, ...env });
    delete childEnv.TERRAFORM_BINARY_NAME;
    return startCommand("npm", ["run", "--silent", ...args], {
      cwd: this.options.repoRoot,
      env: childEnv,
      logFile: this.logFile(stepName),
      echo: this.options.echo,
    }).done;
  }

  /**
   * `npm run drift -- <env> --json` as a user runs it: under each stack's
   * readOnlyRoleArn (under `enforceIam`, roles that hold the drift documents
   * only). Returns its exit code and its report; throws StepFailure when it
   * printed no report.
   */
  async drift(stepName = "drift"): Promise<{ exitCode: number; report: DriftJson; output: string }> {
    const outcome = await this.npm(stepName, ["drift", "--", this.options.environment, "--json"]);
    const start = outcome.output.indexOf("{\n");
    try {
      return { exitCode: outcome.exitCode, report: JSON.parse(outcome.output.slice(start)) as DriftJson, output: outcome.output };
    } catch {
      throw new StepFailure(stepName, this.withDenials(`npm run drift exited ${outcome.exitCode} with no report:\n${outcome.output.trim()}`));
    }
  }

  /** The folder cdktf synthesized stack `stackId` into. */
  stackDir(stackId: string): string {
    return path.join(this.options.scratchDir, "cdktf.out", "stacks", stackId);
  }

  /**
   * `tofu plan -detailed-exitcode` in every stack's folder: throws StepFailure
   * listing the planned changes unless every stack plans none.
   */
  async planNoChanges(stepName = "plan: no changes"): Promise<void> {
    // The stacks' plans are independent (each reads the others' state, never writes it): run them side by side.
    const outcomes = await Promise.all(
      this.allStacks.map((stack) =>
        this.run(
          `${stepName} ${stack}`,
          this.options.engine.terraformBinary,
          ["plan", "-detailed-exitcode", "-input=false", "-lock=false", "-no-color"],
          this.stackDir(stack),
        ),
      ),
    );
    const changed: string[] = [];
    for (const [i, outcome] of outcomes.entries()) {
      const stack = this.allStacks[i];
      if (outcome.exitCode === 1) throw new StepFailure(stepName, `${stack}: ${failureText(outcome)}`);
      if (outcome.exitCode === 2)
        changed.push(
          `${stack}:\n${plannedChanges(outcome.output)
            .map((a) => `    ${a}`)
            .join("\n")}`,
        );
    }
    if (changed.length > 0) throw new StepFailure(stepName, `the stacks are not converged; a plan would still change:\n  ${changed.join("\n  ")}`);
  }

  /** What the emulator holds in the environment's accounts (lib/rehearsal/world.ts). */
  snapshot(): Promise<WorldSnapshot> {
    return snapshotWorld(
      this.options.repoRoot,
      this.scratchConfigFile,
      this.options.environment,
      this.url,
      this.childEnv(),
      (this.options.enforceIam ?? false) ? INSPECTOR_ROLE_NAME : undefined,
    );
  }

  /** The object keys in `bucket`, read through `roleArn` as the S3 backend reads them. */
  async s3Keys(bucket: string, roleArn: string, region = "us-east-1"): Promise<string[]> {
    const base = { accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY };
    const credentials = fromTemporaryCredentials({
      params: { RoleArn: roleArn, RoleSessionName: "redshift-endpoints-rehearsal" },
      masterCredentials: base,
      clientConfig: { region, endpoint: this.url },
    });
    const s3 = new S3Client({ region, endpoint: this.url, forcePathStyle: true, credentials });
    try {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      return (listed.Contents ?? []).map((o) => o.Key ?? "").sort();
    } finally {
      s3.destroy();
    }
  }

  /** Throws StepFailure when the emulator holds anything `before` did not, or lost anything it did. */
  async expectWorld(stepName: string, before: WorldSnapshot): Promise<void> {
    const differences = diffSnapshots(before, await this.snapshot());
    if (differences.length > 0) throw new StepFailure(stepName, `the emulator differs from before:\n  ${differences.join("\n  ")}`);
  }
}

/**
 * Bytes under `dir`, counting each symbolic link as itself, not what it
 * points to: what a stack's `.terraform` folder costs on disk.
 */
export function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    total += fs.lstatSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** What a plan would change: each resource action line, and each output named under "Changes to Outputs". */
export function plannedChanges(planOutput: string): string[] {
  const lines = planOutput.split("\n");
  const changes = lines.filter((l) => /^\s*# \S+ (will|must) be /.test(l)).map((l) => l.trim());
  const outputs = lines.findIndex((l) => l.startsWith("Changes to Outputs:"));
  if (outputs >= 0) {
    for (const line of lines.slice(outputs + 1)) {
      const match = /^ {2}([~+-]) (\S+)/.exec(line);
      if (match) changes.push(`output ${match[2]} (${match[1]})`);
      else if (line.trim() !== "" && !line.startsWith(" ")) break;
    }
  }
  return changes;
}

/** A failed command's reason: the engine's error messages, or the end of its output. */
export function failureText(outcome: CommandOutcome): string {
  const errors = engineErrors(outcome.output);
  if (errors.length > 0) return `exit ${outcome.exitCode}:\n${errors.join("\n\n")}`;
  const tail = outcome.output.trim().split("\n").slice(-15).join("\n");
  return `exit ${outcome.exitCode}:\n${tail}`;
}

/** One row of the rehearsal's table. */
export interface StepRow {
  readonly step: string;
  readonly seconds: number;
  readonly result: "ok" | "FAILED" | "not run";
}

export interface RehearsalResult {
  readonly rows: readonly StepRow[];
  /** The emulator's fault count at the end (undefined when it could not be read). */
  readonly faults?: FaultCount;
  /** The first failure, or undefined when every step passed. */
  readonly failure?: StepFailure;
}

/**
 * The standard sequence: start the emulator, deploy, verify, plan again (no
 * changes), deploy again, destroy, and check that the emulator holds exactly
 * what it was seeded with. Stops at the first failure; always stops the
 * emulator.
 */
export async function rehearse(rehearsal: Rehearsal): Promise<RehearsalResult> {
  const rows: StepRow[] = [];
  let seeded: WorldSnapshot = [];
  const steps: [string, () => Promise<unknown>][] = [
    [
      "emulator",
      async () => {
        await rehearsal.start();
        seeded = await rehearsal.snapshot();
      },
    ],
    ["deploy", () => rehearsal.deploy("deploy")],
    ["verify", () => rehearsal.verify("verify")],
    ["plan: no changes", () => rehearsal.planNoChanges("plan: no changes")],
    ["deploy again", () => rehearsal.deploy("deploy again")],
    ["destroy", () => rehearsal.destroy("destroy")],
    ["nothing left", () => rehearsal.expectWorld("nothing left", seeded)],
    ...((rehearsal.options.enforceIam ?? false)
      ? [["IAM: no denials", async () => rehearsal.expectNoDenials("IAM: no denials")] as [string, () => Promise<unknown>]]
      : []),
  ];
  let failure: StepFailure | undefined;
  let faults: FaultCount | undefined;
  try {
    for (const [step, run] of steps) {
      if (failure) {
        rows.push({ step, seconds: 0, result: "not run" });
        continue;
      }
      const started = Date.now();
      try {
        await run();
        rows.push({ step, seconds: (Date.now() - started) / 1000, result: "ok" });
      } catch (e) {
        failure = e instanceof StepFailure ? e : new StepFailure(step, e instanceof Error ? e.message : String(e));
        rows.push({ step, seconds: (Date.now() - started) / 1000, result: "FAILED" });
      }
    }
  } finally {
    faults = await rehearsal.faultCount().catch(() => undefined);
    await rehearsal.stop();
  }
  return { rows, failure, faults };
}

/** The line `npm run rehearse` prints after the table when faults were injected. */
export function formatFaults(faults: FaultCount | undefined): string {
  if (faults === undefined || faults.rate === 0) return "";
  return `faults: ${faults.injected} of ${faults.calls} Redshift and EC2 calls answered with a throttle or a 5xx (rate ${faults.rate})\n`;
}

/** The table `npm run rehearse` prints. */
export function formatSteps(rows: readonly StepRow[]): string {
  const width = Math.max(4, ...rows.map((r) => r.step.length));
  const lines = [`${"step".padEnd(width)}  ${"seconds".padStart(7)}  result`, `${"-".repeat(width)}  -------  ------`];
  for (const r of rows) lines.push(`${r.step.padEnd(width)}  ${r.result === "not run" ? "".padStart(7) : r.seconds.toFixed(1).padStart(7)}  ${r.result}`);
  const total = rows.reduce((sum, r) => sum + r.seconds, 0);
  lines.push(`${"total".padEnd(width)}  ${total.toFixed(1).padStart(7)}`);
  return `${lines.join("\n")}\n`;
}

/** `npm run rehearse -- <environment> [--config FILE] [--keep] [--verbose] [--enforce-iam] [emulator flags]`. */
export const rehearseCommand = defineCommand(
  {
    name: "rehearse",
    summary: [
      "Deploys the environment for real against a two-account AWS emulator on 127.0.0.1, seeded with exactly the world the",
      "config names: cdktf deploy, npm run verify, a plan that must change nothing, deploy again, cdktf destroy, and a check",
      "that the emulator holds nothing of the stacks. State stays in a scratch folder (or the emulator's S3 bucket); your",
      "state files are not touched. The emulator flags break or slow the seeded world as it was broken by hand.",
      "Needs: npm run toolchain (OpenTofu and the provider mirror), Python 3.",
    ].join("\n"),
    positionals: [{ name: "environment", description: "an environment of the config" }],
    options: {
      config: { type: "string", value: "FILE", description: "config file (default: REDSHIFT_ENDPOINTS_CONFIG or config/environments.json)" },
      keep: { type: "boolean", description: "keep the scratch folder (logs, state) even when every step passed" },
      verbose: { type: "boolean", description: "print the engine's output as it runs" },
      "enforce-iam": {
        type: "boolean",
        description: "run every step under exactly the policies npm run iam-policies generates; a call they do not allow fails the step",
      },
      ...rehearseFlagOptions(),
    },
    environment: { ...CONFIG_VARIABLES, XDG_CACHE_HOME: "where npm run toolchain keeps OpenTofu and the provider mirror (default ~/.cache)" },
    exits: {
      usage: 2,
      failed: 1,
      meanings: [
        [0, "every step passed"],
        [1, "a step failed (named, with the engine's message; the scratch folder is kept), or no toolchain"],
        [2, "bad usage"],
      ],
    },
    more: "See docs/rehearsal.md.",
  },
  async ({ positionals, values }, io) => {
    const flags = rehearseFlagValues(values);
    const configFile = path.resolve(io.cwd, values.config ?? configFileOf(io));
    const engine = findEngine(toolchainCacheDir(io.env.XDG_CACHE_HOME, os.homedir()));
    if (typeof engine === "string") throw new Error(`cannot rehearse: ${engine}`);
    const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), `redshift-endpoints-rehearse-${positionals.environment}-`));
    let rehearsal: Rehearsal;
    try {
      rehearsal = new Rehearsal({
        repoRoot: io.cwd,
        configFile,
        environment: positionals.environment,
        engine,
        scratchDir,
        launchEmulator: (seedConfigFile, iam) => startEmulator({ flags, ...iam, seedConfigFile, port: 0, projectDir: io.cwd }),
        enforceIam: values["enforce-iam"] ?? false,
        baseEnv: io.env,
        echo: values.verbose ? io.stderr : undefined,
      });
    } catch (e) {
      fs.rmSync(scratchDir, { recursive: true, force: true });
      throw e;
    }
    for (const notice of [providerNotice(engine), ...rehearsal.notices]) if (notice) io.stderr(`${notice}\n`);
    io.stderr(`Rehearsing ${rehearsal.allStacks.join(", ")} in ${scratchDir}\n`);
    const result = await rehearse(rehearsal);
    io.stdout(formatSteps(result.rows));
    io.stdout(formatFaults(result.faults));
    if (result.failure) {
      io.stderr(`\nRehearsal failed at step "${result.failure.step}":\n${result.failure.message.replace(/^[^:]+: /, "")}\n`);
      io.stderr(`Logs and state are kept in ${scratchDir}/\n`);
      return 1;
    }
    if (values.keep) io.stderr(`Logs and state are kept in ${scratchDir}/\n`);
    else fs.rmSync(scratchDir, { recursive: true, force: true });
    return 0;
  },
);
