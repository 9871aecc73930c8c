/**
 * One environment's stacks, in the order they deploy, and the cdktf command
 * lines that deploy, diff or destroy them: what `npm run deploy -- <env>`,
 * `npm run diff -- <env>` and `npm run destroy -- <env>` run
 * (scripts/cdktf-env.ts). Everything here is
 * pure except the injected spawner, so it is tested without running cdktf.
 */
import * as path from "node:path";
import type { CommandResult } from "../synth/command";
import { type Config, UserError, loadAdoptions, loadConfig } from "../config";
import { adoptionFile, consumerStackId, producerStackId } from "../config/layout";
import { type EngineRunner, adoptedEndpointReplacements, planStack, refusalMessage } from "./adoption-guard";
import { type EndpointStatusLookup, resolveTaintedEndpoints } from "./taint-guard";
import type { StackTarget } from "../aws/clients";

/** An environment name that the config does not define. Exit code 2, like any usage error. */
export class UnknownEnvironmentError extends UserError {
  constructor(
    readonly environment: string,
    readonly known: readonly string[],
    readonly configFile: string,
  ) {
    super(`Unknown environment "${environment}". Known environments in ${configFile}: ${known.join(", ")}.`);
    this.name = "UnknownEnvironmentError";
  }
}

/**
 * The stack ids of environment `envName`, producer first, then its consumers
 * in config order: every consumer reads the producer's state, so the producer
 * deploys first.
 */
export function environmentStackIds(config: Config, envName: string, configFile = "<config>"): string[] {
  if (!Object.hasOwn(config.environments, envName)) {
    throw new UnknownEnvironmentError(envName, Object.keys(config.environments), configFile);
  }
  const env = config.environments[envName];
  return [producerStackId(envName), ...env.consumers.map((c) => consumerStackId(envName, c.name))];
}

export type CdktfCommand = "deploy" | "diff" | "destroy";
export const CDKTF_COMMANDS: readonly CdktfCommand[] = ["deploy", "diff", "destroy"];

/**
 * The `npx` argument lists that run `command` on `stackIds`, in order.
 *
 * - deploy: one run over every stack; cdktf orders them by their dependencies.
 * - destroy: one run over every stack; cdktf destroys the consumers first and
 *   the producer last, since they read its state.
 * - diff: one run per stack, since `cdktf diff` takes a single stack; every run
 *   after the first reuses the first one's synth (`--skip-synth`).
 *
 * `extraArgs` (for example `--auto-approve`) go to every run, unchanged.
 */
export function cdktfInvocations(command: CdktfCommand, stackIds: readonly string[], extraArgs: readonly string[] = []): string[][] {
  if (command === "deploy" || command === "destroy") return [["cdktf", command, ...stackIds, ...extraArgs]];
  return stackIds.map((id, i) => ["cdktf", "diff", id, ...(i > 0 && !extraArgs.includes("--skip-synth") ? ["--skip-synth"] : []), ...extraArgs]);
}

/** Runs `command args...` with the terminal attached, with `env` added to the environment, and resolves to its exit code. */
export type Spawner = (command: string, args: readonly string[], env: Readonly<Record<string, string>>) => Promise<number>;

export interface EnvironmentCommandOptions {
  /** `[deploy|diff, <environment>, ...extra cdktf args]`. */
  readonly argv: readonly string[];
  /** The config file to read. */
  readonly configFile: string;
  /** Runs one command line; the real one inherits stdio so that cdktf shows its own progress. */
  readonly spawn: Spawner;
  /**
   * Receives each command line just before it runs.
   * @default no output
   */
  readonly announce?: (line: string) => void;
  /**
   * How cdktf drives the offline toolchain's engine against an emulator
   * (lib/operations/engine.ts `emulatorCdktf`): variables for its
   * environment, and arguments added to every run.
   * @default none: cdktf runs `terraform` from PATH as configured by the user
   */
  readonly engine?: { readonly env: Readonly<Record<string, string>>; readonly args: readonly string[] };
  /**
   * Runs the engine with its output captured, for the plan check before
   * applying a consumer whose endpoint was adopted (lib/operations/adoption-guard.ts).
   * @default none: no plan check (and a deploy of adopted endpoints is refused, since it cannot be checked)
   */
  readonly runEngine?: EngineRunner;
  /**
   * Reads an endpoint's status in AWS, for the check of tainted endpoints
   * before the consumers are applied (lib/operations/taint-guard.ts). With
   * `runEngine`, a deploy then runs as the producer, the check, and the
   * consumers.
   * @default none: no check, and the deploy is one cdktf run over every stack
   */
  readonly endpointStatus?: EndpointStatusLookup;
  /**
   * The engine binary the plan check runs (cdktf's TERRAFORM_BINARY_NAME).
   * @default engine.env's TERRAFORM_BINARY_NAME, else `terraform`
   */
  readonly terraformBinary?: string;
}

/** An adopted endpoint whose stack's plan is checked before it is applied. */
export interface AdoptedEndpoint {
  readonly stack: string;
  readonly endpointName: string;
}

/** One step of a command: a cdktf run, the check of tainted endpoints in the consumers' state, or the plan check of adopted endpoints. */
type Step = { readonly cdktf: string[] } | { readonly taint: readonly StackTarget[] } | { readonly guard: readonly AdoptedEndpoint[] };

const usage = (command: string) =>
  `Usage: npm run ${command} -- <environment> [cdktf ${command} options${command === "diff" ? "" : ", e.g. --auto-approve"}]\n`;

/**
 * Loads and validates the config, resolves the environment's stacks and runs
 * cdktf on them, stopping at the first run that fails.
 * Exit codes: 2 for usage errors (unknown command or environment), 1 for an
 * invalid config, otherwise cdktf's own.
 */
export async function environmentCommand(options: EnvironmentCommandOptions): Promise<CommandResult> {
  const [command, envName, ...extraArgs] = options.argv;
  if (!CDKTF_COMMANDS.includes(command as CdktfCommand)) {
    return { exitCode: 2, stderr: `Unknown command ${JSON.stringify(command ?? "")}: expected one of ${CDKTF_COMMANDS.join(", ")}.\n` };
  }
  if (envName === undefined || envName.startsWith("-")) {
    return { exitCode: 2, stderr: `Missing environment name.\n${usage(command)}` };
  }
  let steps: Step[];
  let outdir: string;
  try {
    const config = loadConfig(options.configFile);
    const engineArgs = (options.engine?.args ?? []).filter((a) => !extraArgs.includes(a));
    const stackIds = environmentStackIds(config, envName, options.configFile);
    const args = [...extraArgs, ...engineArgs];
    const adoption = loadAdoptions(options.configFile, config)[envName];
    const env = config.environments[envName];
    const guarded = env.consumers
      .filter((c) => adoption?.consumers?.[c.name]?.endpointName !== undefined)
      .map((c) => ({ stack: consumerStackId(envName, c.name), endpointName: c.endpointName }));
    const taint: StackTarget[] =
      options.runEngine && options.endpointStatus
        ? env.consumers.map((c) => ({
            stack: consumerStackId(envName, c.name),
            role: "consumer",
            accountId: c.accountId,
            roleArn: c.roleArn,
            region: env.region,
          }))
        : [];
    steps =
      command === "deploy" && (guarded.length > 0 || taint.length > 0)
        ? guardedDeploy(stackIds, args, guarded, taint)
        : cdktfInvocations(command as CdktfCommand, stackIds, args).map((cdktf) => ({ cdktf }));
    outdir = outputArg(args) ?? "cdktf.out";
  } catch (e) {
    if (e instanceof UnknownEnvironmentError) return { exitCode: 2, stderr: `${e.message}\n${usage(command)}` };
    if (e instanceof UserError) return { exitCode: 1, stderr: `${e.message}\n` };
    throw e;
  }
  for (const step of steps) {
    if ("taint" in step) {
      const refusal = await checkTaintedEndpoints(options, envName, outdir, step.taint);
      if (refusal !== undefined) return { exitCode: 1, stderr: `${refusal}\n` };
      continue;
    }
    if ("guard" in step) {
      const refusal = await checkAdoptedEndpoints(options, envName, outdir, step.guard);
      if (refusal !== undefined) return { exitCode: 1, stderr: `${refusal}\n` };
      continue;
    }
    options.announce?.(`> npx ${step.cdktf.join(" ")}`);
    const exitCode = await options.spawn("npx", step.cdktf, options.engine?.env ?? {});
    if (exitCode !== 0) return { exitCode, stderr: "" };
  }
  return { exitCode: 0, stderr: "" };
}

/**
 * A deploy with checks before the consumers are applied: the producer (the
 * consumers read its state), the check of tainted endpoints in the consumers'
 * state (`taint`, when given), the plan check of each adopted endpoint
 * (`guarded`, when given), then the consumers from the same synth (the
 * producer they depend on was applied by the first step, hence
 * --ignore-missing-stack-dependencies). The consumers still deploy side by
 * side: the last step is one cdktf run over all of them.
 */
export function guardedDeploy(
  stackIds: readonly string[],
  args: readonly string[],
  guarded: readonly AdoptedEndpoint[],
  taint: readonly StackTarget[] = [],
): Step[] {
  const [producer, ...consumers] = stackIds;
  return [
    { cdktf: ["cdktf", "deploy", producer, ...args] },
    ...(taint.length > 0 ? [{ taint }] : []),
    ...(guarded.length > 0 ? [{ guard: guarded }] : []),
    { cdktf: ["cdktf", "deploy", ...consumers, "--skip-synth", "--ignore-missing-stack-dependencies", ...args] },
  ];
}

/** Checks each consumer's state for tainted endpoints and acts on them (lib/operations/taint-guard.ts); returns the refusal message, if any. */
async function checkTaintedEndpoints(
  options: EnvironmentCommandOptions,
  envName: string,
  outdir: string,
  targets: readonly StackTarget[],
): Promise<string | undefined> {
  const { runEngine, endpointStatus } = options;
  if (runEngine === undefined || endpointStatus === undefined) return undefined;
  const terraform = engineBinary(options);
  for (const target of targets) {
    options.announce?.(`> checking the state of ${target.stack} for an endpoint an interrupted deploy left tainted`);
    try {
      const refusal = await resolveTaintedEndpoints({
        envName,
        stack: target.stack,
        target,
        stackDir: path.join(outdir, "stacks", target.stack),
        terraformBinary: terraform,
        run: runEngine,
        status: endpointStatus,
        announce: options.announce,
      });
      if (refusal !== undefined) return refusal;
    } catch (e) {
      return `Refusing to deploy ${target.stack}: reading its state to check for a tainted endpoint failed:\n${(e as Error).message.trim()}\nNothing of the consumer stacks was applied.`;
    }
  }
  return undefined;
}

/** The engine binary the checks before a deploy run: the one cdktf runs (EnvironmentCommandOptions.terraformBinary). */
function engineBinary(options: EnvironmentCommandOptions): string {
  return options.terraformBinary ?? options.engine?.env.TERRAFORM_BINARY_NAME ?? "terraform";
}

/** The folder cdktf synthesizes into: the value of `--output` among `args`, if any. */
function outputArg(args: readonly string[]): string | undefined {
  const i = args.indexOf("--output");
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith("--output="))?.slice("--output=".length);
}

/** Plans each guarded stack; returns the refusal message when one would destroy or replace its adopted endpoint. */
async function checkAdoptedEndpoints(
  options: EnvironmentCommandOptions,
  envName: string,
  outdir: string,
  guarded: readonly AdoptedEndpoint[],
): Promise<string | undefined> {
  const file = adoptionFile(options.configFile, envName);
  if (options.runEngine === undefined)
    return `Refusing to deploy: ${file} adopts endpoints, and this deploy cannot plan them first to check that none is replaced.`;
  const terraform = engineBinary(options);
  for (const { stack, endpointName } of guarded) {
    options.announce?.(`> checking that the plan of ${stack} keeps the adopted endpoint ${endpointName}`);
    let plan: unknown;
    try {
      plan = await planStack(terraform, path.join(outdir, "stacks", stack), options.runEngine);
    } catch (e) {
      return `Refusing to deploy ${stack}: it adopts endpoint ${endpointName} (${file}), and planning it to check that the endpoint is kept failed:\n${(e as Error).message.trim()}`;
    }
    const replacements = adoptedEndpointReplacements(plan, [endpointName]);
    if (replacements.length > 0) return refusalMessage(stack, file, replacements);
  }
  return undefined;
}
