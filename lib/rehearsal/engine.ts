/**
 * The offline Terraform engine that `npm run toolchain` installs, as the
 * environment a cdktf run needs to use it: OpenTofu through
 * `TERRAFORM_BINARY_NAME`, the filesystem mirror through `TF_CLI_CONFIG_FILE`,
 * no plugin cache (each stack links the mirror's unpacked provider), and the
 * provider version the mirror really holds.
 *
 * Pure: the caller passes the cache folder and reads nothing else from the
 * process; only `findEngine` touches the file system, to see what is there.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EngineSelection } from "../operations/environment";

/** What `scripts/toolchain.sh` left in its cache folder. */
export interface Engine {
  /** The tofu binary. */
  readonly terraformBinary: string;
  /** The CLI config: providers from the filesystem mirror only. */
  readonly cliConfigFile: string;
  /** The hashicorp/aws version the bindings were generated for. */
  readonly providerVersionWanted: string;
  /** The hashicorp/aws version the mirror holds; differs from the wanted one when that cannot be had here. */
  readonly providerVersionUsed: string;
}

/** The toolchain's cache folder: `$XDG_CACHE_HOME/redshift-endpoints`, else `~/.cache/redshift-endpoints`. */
export function toolchainCacheDir(xdgCacheHome: string | undefined, home: string): string {
  return path.join(xdgCacheHome && xdgCacheHome !== "" ? xdgCacheHome : path.join(home, ".cache"), "redshift-endpoints");
}

/** Reads `KEY=value` lines, as `scripts/toolchain.sh` writes `provider.env`. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) values[match[1]] = match[2];
  }
  return values;
}

/**
 * The engine in `cacheDir`, or a sentence saying what is missing. A provider
 * that `provider.env` records as used but that is empty means the toolchain
 * found no binary at all.
 */
export function findEngine(cacheDir: string): Engine | string {
  const terraformBinary = path.join(cacheDir, "bin", "tofu");
  const cliConfigFile = path.join(cacheDir, "tofurc");
  const providerEnv = path.join(cacheDir, "provider.env");
  for (const file of [terraformBinary, cliConfigFile, providerEnv]) {
    if (!fs.existsSync(file)) return `${file} does not exist: run \`npm run toolchain\` first`;
  }
  const recorded = parseEnvFile(fs.readFileSync(providerEnv, "utf8"));
  const providerVersionWanted = recorded.AWS_PROVIDER_WANTED ?? "";
  const providerVersionUsed = recorded.AWS_PROVIDER_USED ?? "";
  if (providerVersionUsed === "") {
    return `the toolchain found no hashicorp/aws provider binary (${providerEnv} records none); see docs/terraform-tier.md`;
  }
  return { terraformBinary, cliConfigFile, providerVersionWanted, providerVersionUsed };
}

/**
 * The variables that make the cdktf CLI drive `engine` offline:
 * - `TERRAFORM_BINARY_NAME`: OpenTofu instead of `terraform` on PATH;
 * - `TF_CLI_CONFIG_FILE`: providers from the mirror only;
 * - `CDKTF_DISABLE_PLUGIN_CACHE_ENV`: no plugin cache. OpenTofu links each
 *   stack's provider to the unpacked mirror (about 20 KB per stack's
 *   `.terraform`, measured by the deploy tier), so the 675 MB binary exists
 *   once per machine anyway; and a cache shared by stacks that cdktf
 *   initializes side by side is not safe: OpenTofu rewrites an entry it cannot
 *   check against a lock file while another init links it ("could not read
 *   package directory", seen in CI);
 * - `CHECKPOINT_DISABLE`: no version check calls home;
 * - `REDSHIFT_ENDPOINTS_AWS_PROVIDER_VERSION`: when the mirror holds another
 *   provider version than the bindings', synth pins that one instead (main.ts).
 */
export function engineEnvironment(engine: Engine): Record<string, string> {
  const env: Record<string, string> = {
    TERRAFORM_BINARY_NAME: engine.terraformBinary,
    TF_CLI_CONFIG_FILE: engine.cliConfigFile,
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1",
    CHECKPOINT_DISABLE: "1",
  };
  if (engine.providerVersionUsed !== engine.providerVersionWanted) env.REDSHIFT_ENDPOINTS_AWS_PROVIDER_VERSION = engine.providerVersionUsed;
  return env;
}

/** The NOTICE printed when the engine's provider is not the bindings' version, or undefined when it is. */
export function providerNotice(engine: Engine): string | undefined {
  if (engine.providerVersionUsed === engine.providerVersionWanted) return undefined;
  return (
    `NOTICE: hashicorp/aws ${engine.providerVersionWanted} (the version @cdktf/provider-aws was generated for) cannot be had here; ` +
    `the stacks are synthesized for ${engine.providerVersionUsed}, the newest real binary in the mirror (docs/terraform-tier.md).`
  );
}

/**
 * The engine `npm run deploy|diff|destroy` use: the toolchain's, when
 * AWS_ENDPOINT_URL points at an emulator, the user names no engine of their
 * own (TERRAFORM_BINARY_NAME), and `npm run toolchain` has run; otherwise
 * none, and cdktf runs `terraform` from PATH as usual.
 */
export function emulatorEngine(env: Readonly<Record<string, string | undefined>>, cacheDir: string): Engine | undefined {
  if (!env.AWS_ENDPOINT_URL || env.TERRAFORM_BINARY_NAME) return undefined;
  const engine = findEngine(cacheDir);
  return typeof engine === "string" ? undefined : engine;
}

/** Where `npm run deploy|diff|destroy` keep everything of a run against an emulator, under the project folder. */
export const EMULATOR_WORK_DIR = ".emulator-state";

/** The variable that moves EMULATOR_WORK_DIR elsewhere (an absolute path, or one relative to the project folder). */
export const EMULATOR_WORK_DIR_VAR = "REDSHIFT_ENDPOINTS_EMULATOR_WORK_DIR";

/**
 * How `npm run deploy|diff|destroy` run cdktf against an emulator: the
 * engine's environment, and the synth output and local state in
 * `<projectDir>/.emulator-state` (or `$REDSHIFT_ENDPOINTS_EMULATOR_WORK_DIR`),
 * so that the user's own `cdktf.out` and `terraform.<stack>.tfstate` files
 * are never touched by a rehearsal. `--skip-provider-lock` because
 * `providers lock` would ask the registry.
 */
export function emulatorCdktf(engine: Engine, projectDir: string, workDirVar?: string): { env: Record<string, string>; args: string[] } {
  const workDir = path.resolve(projectDir, workDirVar || EMULATOR_WORK_DIR);
  return {
    env: { ...engineEnvironment(engine), REDSHIFT_ENDPOINTS_STATE_DIR: workDir },
    args: ["--skip-provider-lock", "--output", path.join(workDir, "cdktf.out")],
  };
}

/**
 * What scripts/environment.ts wires into `npm run deploy|diff|destroy`: the
 * toolchain's engine and a scratch work folder when AWS_ENDPOINT_URL points at
 * an emulator (`emulatorEngine`), with the provider notice; otherwise none.
 */
export function emulatorEngineSelection(env: Readonly<Record<string, string | undefined>>, projectDir: string): EngineSelection | undefined {
  const engine = emulatorEngine(env, toolchainCacheDir(env.XDG_CACHE_HOME, os.homedir()));
  if (engine === undefined) return undefined;
  const { env: engineEnv, args } = emulatorCdktf(engine, projectDir, env[EMULATOR_WORK_DIR_VAR]);
  return { env: engineEnv, args, terraformBinary: engine.terraformBinary, notice: providerNotice(engine) };
}
