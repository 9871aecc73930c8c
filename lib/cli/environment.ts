/**
 * What the commands of one environment share: the config file they read
 * (REDSHIFT_ENDPOINTS_CONFIG), and picking the environment out of it, where a
 * name the file does not define is bad usage.
 */
import { type Adoption, type Config, DEFAULT_CONFIG_FILE, type EnvironmentConfig, loadAdoptions, loadConfig } from "../config";
import { type CommandIo, UsageError } from "./command";

/** The environment variables every command of an environment reads. */
export const CONFIG_VARIABLES: Readonly<Record<string, string>> = {
  REDSHIFT_ENDPOINTS_CONFIG: `the config file (default ${DEFAULT_CONFIG_FILE})`,
  REDSHIFT_ENDPOINTS_DEBUG: "1 prints the stack trace of an unexpected error",
};

/** The config file a command reads. */
export function configFileOf(io: CommandIo): string {
  return io.env.REDSHIFT_ENDPOINTS_CONFIG || DEFAULT_CONFIG_FILE;
}

/** One environment of a loaded config. */
export interface SelectedEnvironment {
  readonly file: string;
  readonly config: Config;
  readonly name: string;
  readonly environment: EnvironmentConfig;
  /** Its adoption file (adopted/<env>.json next to the config), when there is one. */
  readonly adoption?: Adoption;
}

/**
 * Picks environment `name` out of `config`.
 * @throws UsageError naming the environments the file defines, when `name` is not one of them
 */
export function selectEnvironment(config: Config, name: string, file: string): EnvironmentConfig {
  if (!Object.hasOwn(config.environments, name)) {
    const known = Object.keys(config.environments);
    throw new UsageError(`unknown environment "${name}": ${file} defines ${known.map((k) => `"${k}"`).join(", ")}`);
  }
  return config.environments[name];
}

/**
 * Loads the config (a refused file throws UserError: the command failed) and
 * picks environment `name` (an unknown name throws UsageError).
 */
export function loadEnvironment(io: CommandIo, name: string): SelectedEnvironment {
  const file = configFileOf(io);
  const config = loadConfig(file);
  const environment = selectEnvironment(config, name, file);
  return { file, config, name, environment, adoption: loadAdoptions(file, config)[name] };
}
