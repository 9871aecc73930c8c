/**
 * One environment's stacks, in the order they deploy, and the cdktf command
 * lines that deploy, diff or destroy them: the commands `npm run deploy -- <env>`,
 * `npm run diff -- <env>` and `npm run destroy -- <env>` (scripts/environment.ts).
 * Everything here but the commands' wiring runs on injected spawners, so it is
 * tested without running cdktf.
 */
import * as path from "node:path";
import type { StackTarget } from "../aws/clients";
import { type Command, UsageError, defineCommand } from "../cli/command";
import { CONFIG_VARIABLES, configFileOf, selectEnvironment } from "../cli/environment";
import { type Spawner, capturedRunner, inheritedSpawner } from "../cli/processes";
import { type Adoption, type Config, type EnvironmentConfig, type StackRoles, loadAdoptions, loadConfig } from "../config";
import { adoptionFile, consumerStackId, producerStackId } from "../config/layout";
import { type EngineRunner, adoptedEndpointReplacements, planStack, refusalMessage } from "./adoption-guard";
import { type RevokeLookups, awsRevokeLookups, resolveRevokes } from "./revoke-guard";
import { type EndpointStatusLookup, awsEndpointStatus, resolveTaintedEndpoints } from "./taint-guard";

/**
 * The stack ids of environment `envName`, producer first, then its consumers
 * in config order: every consumer reads the producer's state, so the producer
 * deploys first.
 */
export function environmentStackIds(config: Config, envName: string, configFile = "<config>"): string[] {
  const env = selectEnvironment(config, envName, configFile);
  return [producerStackId(envName), ...env.consumers.map((c) => consumerStackId(envName, c.name))];
}

export type CdktfCommand = "deploy" | "diff" | "destroy";

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

export interface EnvironmentCommandOptions {
  readonly command: CdktfCommand;
  readonly environment: string;
  /** Further arguments for cdktf (for example `--auto-approve`), unchanged. */
  readonly extraArgs: readonly string[];
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
   * How cdktf drives another engine than `terraform` from PATH: variables for
   * its environment, and arguments added to every run (the scripts wire the
   * offline toolchain's engine against an emulator; nothing here knows one).
   * @default none: cdktf runs `terraform` from PATH as configured by the user
   */
  readonly engine?: {
    readonly env: Readonly<Record<string, string>>;
    readonly args: readonly string[];
  };
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
   * Which role each stack's provider assumes (lib/config withReadOnlyRoles).
   * @default "deploy"
   */
  readonly roles?: StackRoles;
  /**
   * Reads what uses an authorization in AWS, for the check that no revoke
   * cuts an endpoint off (lib/operations/revoke-guard.ts): with `runEngine`, a
   * deploy checks before applying the producer, and a destroy destroys the
   * consumers, checks, then destroys the producer.
   * @default none: no check, and the command is one cdktf run
   */
  readonly revokeLookups?: RevokeLookups;
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
type Step =
  | { readonly cdktf: string[] }
  | { readonly taint: readonly StackTarget[] }
  | { readonly guard: readonly AdoptedEndpoint[] }
  | { readonly revoke: "deploy" | "destroy" };

/**
 * Loads and validates the config, resolves the environment's stacks and runs
 * cdktf on them, stopping at the first run that fails; resolves to cdktf's
 * exit code, or 1 when a check refused (its message on `announce`).
 * @throws UsageError for an unknown environment; UserError for a refused config
 */
export async function environmentCommand(options: EnvironmentCommandOptions): Promise<number> {
  const { command, environment: envName, extraArgs } = options;
  const config = loadConfig(options.configFile);
  selectEnvironment(config, envName, options.configFile);
  const engineArgs = (options.engine?.args ?? []).filter((a) => !extraArgs.includes(a));
  const stackIds = environmentStackIds(config, envName);
  const args = options.roles === "read-only" ? readOnlyOutput([...extraArgs, ...engineArgs]) : [...extraArgs, ...engineArgs];
  const adoption = loadAdoptions(options.configFile, config)[envName];
  const env = config.environments[envName];
  const guarded = env.consumers
    .filter((c) => adoption?.consumers?.[c.name]?.endpointName !== undefined)
    .map((c) => ({
      stack: consumerStackId(envName, c.name),
      endpointName: c.endpointName,
    }));
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
  const revoke = options.runEngine !== undefined && options.revokeLookups !== undefined;
  const steps: Step[] =
    command === "deploy" && (guarded.length > 0 || taint.length > 0 || revoke)
      ? guardedDeploy(stackIds, args, guarded, taint, revoke)
      : command === "destroy" && revoke
        ? guardedDestroy(stackIds, args)
        : cdktfInvocations(command, stackIds, args).map((cdktf) => ({ cdktf }));
  const outdir = outputArg(args) ?? "cdktf.out";
  const refuse = (refusal: string) => {
    options.announce?.(refusal);
    return 1;
  };
  for (const step of steps) {
    if ("revoke" in step) {
      const refusal = await checkRevokes(options, step.revoke, outdir, config.environments[envName], adoption);
      if (refusal !== undefined) return refuse(refusal);
      continue;
    }
    if ("taint" in step) {
      const refusal = await checkTaintedEndpoints(options, envName, outdir, step.taint);
      if (refusal !== undefined) return refuse(refusal);
      continue;
    }
    if ("guard" in step) {
      const refusal = await checkAdoptedEndpoints(options, envName, outdir, step.guard);
      if (refusal !== undefined) return refuse(refusal);
      continue;
    }
    options.announce?.(`> npx ${step.cdktf.join(" ")}`);
    const exitCode = await options.spawn("npx", step.cdktf, {
      ...options.engine?.env,
      // A read-only plan takes no lock: its role may only read state (TF_CLI_ARGS_plan, the engine's own way to add plan arguments).
      ...(options.roles === "read-only" ? { REDSHIFT_ENDPOINTS_ROLES: "read-only", TF_CLI_ARGS_plan: "-lock=false" } : {}),
    });
    if (exitCode !== 0) return exitCode;
  }
  return 0;
}

/** How the commands reach an engine other than `terraform` from PATH: the scripts pick it (an emulator's engine, in lib/rehearsal). */
export interface EngineSelection {
  readonly env: Readonly<Record<string, string>>;
  readonly args: readonly string[];
  readonly terraformBinary: string;
  /** Printed before the command runs, when set. */
  readonly notice?: string;
}

/** What `environmentCommands` takes from its script. */
export interface EnvironmentWiring {
  /**
   * The engine to run, given the command's environment variables.
   * @default none: cdktf runs the user's `terraform`
   */
  readonly engineFor?: (env: Readonly<Record<string, string | undefined>>, projectDir: string) => EngineSelection | undefined;
  /** Runs cdktf. @default the real spawner, with the terminal attached */
  readonly spawn?: Spawner;
  /** Runs the engine with its output captured, for the deploy's checks. @default the real one */
  readonly runEngine?: EngineRunner;
  /** Reads an endpoint's status in AWS; null runs no check of tainted endpoints. @default awsEndpointStatus */
  readonly endpointStatus?: EndpointStatusLookup | null;
  /** Reads what uses an authorization in AWS; null runs no check of revokes. @default awsRevokeLookups */
  readonly revokeLookups?: RevokeLookups | null;
}

const CDKTF_SUMMARY: Readonly<Record<CdktfCommand, string>> = {
  deploy:
    "cdktf deploy of every stack of the environment, producer first. Before applying the producer it refuses any revoke an\n" +
    "endpoint still uses; before applying the consumers it untaints an endpoint an interrupted deploy left tainted once AWS\n" +
    "reports it active (and refuses while it is still creating), and plans each consumer whose endpoint was adopted,\n" +
    "refusing to replace it.",
  diff: "cdktf diff of every stack of the environment, producer first (one run per stack).",
  destroy:
    "cdktf destroy of every stack of the environment: the consumers, then, unless an endpoint still uses an authorization\n" +
    "the producer would revoke, the producer.",
};

/** `npm run diff`'s own option: the plan a pipeline's read-only job makes. */
const DIFF_OPTIONS = {
  "read-only": {
    type: "boolean",
    description: "each stack's provider (and the S3 backend) assumes its readOnlyRoleArn instead of roleArn, and the plan takes no lock",
  },
} as const;

/** `npm run deploy|diff|destroy -- <environment> [cdktf options]`, one command each. */
export function environmentCommands(wiring: EnvironmentWiring = {}): Readonly<Record<CdktfCommand, Command>> {
  const command = (name: CdktfCommand): Command =>
    defineCommand(
      {
        name,
        summary: CDKTF_SUMMARY[name],
        positionals: [{ name: "environment", description: "an environment of the config" }],
        options: name === "diff" ? DIFF_OPTIONS : {},
        passThrough: `cdktf ${name} options${name === "diff" ? "" : ", such as --auto-approve"}`,
        environment: {
          ...CONFIG_VARIABLES,
          TERRAFORM_BINARY_NAME: "the engine cdktf runs (default terraform)",
        },
        exits: {
          usage: 2,
          failed: 1,
          meanings: [
            [0, "done"],
            [1, "a check refused (nothing of the consumers applied), the config was refused, or cdktf failed (its own exit code)"],
            [2, name === "diff" ? "bad usage" : "bad usage, or no terminal to confirm on and no --auto-approve"],
          ],
        },
        more: "See docs/backends-and-deploy.md.",
      },
      async ({ positionals, values, rest }, io) => {
        // cdktf asks before it applies; with no terminal, Ink dies on raw mode instead of asking. Refuse before anything runs.
        if (name !== "diff" && !io.interactive && !rest.includes("--auto-approve"))
          throw new UsageError(`no terminal to confirm the ${name} on: pass --auto-approve (a pipeline), or run it from a terminal`);
        const engine = wiring.engineFor?.(io.env, io.cwd);
        if (engine?.notice) io.stderr(`${engine.notice}\n`);
        return environmentCommand({
          command: name,
          environment: positionals.environment,
          extraArgs: rest,
          configFile: configFileOf(io),
          spawn: wiring.spawn ?? inheritedSpawner(io.env),
          announce: (line) => io.stderr(`${line}\n`),
          engine,
          runEngine: wiring.runEngine ?? capturedRunner(io.env, engine?.env),
          endpointStatus: wiring.endpointStatus === null ? undefined : (wiring.endpointStatus ?? awsEndpointStatus),
          revokeLookups: wiring.revokeLookups === null ? undefined : (wiring.revokeLookups ?? awsRevokeLookups),
          terraformBinary: engine?.terraformBinary ?? io.env.TERRAFORM_BINARY_NAME,
          roles: (values as { "read-only"?: boolean })["read-only"] === true ? "read-only" : "deploy",
        });
      },
    );
  return {
    deploy: command("deploy"),
    diff: command("diff"),
    destroy: command("destroy"),
  };
}

/**
 * A deploy with checks: with `revoke`, a synth and the check that no revoke
 * of the producer cuts an endpoint off (lib/operations/revoke-guard.ts)
 * before the producer is applied; then the producer (the consumers read its
 * state), the check of tainted endpoints in the consumers' state (`taint`,
 * when given), the plan check of each adopted endpoint (`guarded`, when
 * given), then the consumers from the same synth (the producer they depend on
 * was applied by an earlier step, hence --ignore-missing-stack-dependencies).
 * The consumers still deploy side by side: the last step is one cdktf run
 * over all of them.
 */
export function guardedDeploy(
  stackIds: readonly string[],
  args: readonly string[],
  guarded: readonly AdoptedEndpoint[],
  taint: readonly StackTarget[] = [],
  revoke = false,
): Step[] {
  const [producer, ...consumers] = stackIds;
  return [
    ...(revoke ? [{ cdktf: ["cdktf", "synth", ...synthArgs(args)] }, { revoke: "deploy" as const }] : []),
    {
      cdktf: ["cdktf", "deploy", producer, ...(revoke ? ["--skip-synth"] : []), ...args],
    },
    ...(taint.length > 0 ? [{ taint }] : []),
    ...(guarded.length > 0 ? [{ guard: guarded }] : []),
    {
      cdktf: ["cdktf", "deploy", ...consumers, "--skip-synth", "--ignore-missing-stack-dependencies", ...args],
    },
  ];
}

/**
 * A destroy with the check: the consumers first (one cdktf run), then the
 * check that no authorization the producer's destroy revokes is still used by
 * an endpoint (one the consumers' state did not hold, say), then the producer
 * from the same synth.
 */
export function guardedDestroy(stackIds: readonly string[], args: readonly string[]): Step[] {
  const [producer, ...consumers] = stackIds;
  return [
    { cdktf: ["cdktf", "destroy", ...consumers, ...args] },
    { revoke: "destroy" },
    {
      cdktf: ["cdktf", "destroy", producer, "--skip-synth", "--ignore-missing-stack-dependencies", ...args],
    },
  ];
}

/** The arguments of `args` that `cdktf synth` takes too: the output folder. */
function synthArgs(args: readonly string[]): string[] {
  const out = outputArg(args);
  return out === undefined ? [] : ["--output", out];
}

/** Checks that no revoke of the producer cuts an endpoint off (lib/operations/revoke-guard.ts); returns the refusal message, if any. */
async function checkRevokes(
  options: EnvironmentCommandOptions,
  command: "deploy" | "destroy",
  outdir: string,
  env: EnvironmentConfig,
  adoption: Adoption | undefined,
): Promise<string | undefined> {
  const { runEngine, revokeLookups } = options;
  if (runEngine === undefined || revokeLookups === undefined) return undefined;
  const producer = producerStackId(options.environment);
  options.announce?.(`> checking that ${command === "deploy" ? "deploying" : "destroying"} ${producer} revokes no authorization an endpoint still uses`);
  try {
    return await resolveRevokes({
      command,
      envName: options.environment,
      env,
      adoption,
      stackDir: path.join(outdir, "stacks", producer),
      terraformBinary: engineBinary(options),
      run: runEngine,
      lookups: revokeLookups,
    });
  } catch (e) {
    return `Refusing to ${command} ${producer}: checking what it would revoke (its state, then AWS) failed:\n${(e as Error).message.trim()}\nNothing of ${producer} was ${
      command === "deploy" ? "applied" : "destroyed"
    }.`;
  }
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
      return `Refusing to deploy ${
        target.stack
      }: reading its state to check for a tainted endpoint failed:\n${(e as Error).message.trim()}\nNothing of the consumer stacks was applied.`;
    }
  }
  return undefined;
}

/** The engine binary the checks before a deploy run: the one cdktf runs (EnvironmentCommandOptions.terraformBinary). */
function engineBinary(options: EnvironmentCommandOptions): string {
  return options.terraformBinary ?? options.engine?.env.TERRAFORM_BINARY_NAME ?? "terraform";
}

/** The folder cdktf synthesizes into: the value of `--output` among `args`, if any. */
/**
 * A read-only run synthesizes into `<output>.read-only`: its providers and
 * backend assume other roles, and the engine refuses to init a folder whose
 * backend changed (and the deploy's synth is left as it was).
 */
function readOnlyOutput(args: readonly string[]): string[] {
  const out = `${outputArg(args) ?? "cdktf.out"}.read-only`;
  const i = args.indexOf("--output");
  if (i >= 0) return [...args.slice(0, i), "--output", out, ...args.slice(i + 2)];
  return [...args.filter((a) => !a.startsWith("--output=")), "--output", out];
}

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
