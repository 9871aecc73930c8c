/**
 * `npm run environments -- [--json] [--backend TYPE]... [--config FILE]`: the
 * environments a config defines, in the order the file lists them. A pipeline
 * builds its matrix from it (examples/github-actions/), so that adding an
 * environment to the config needs no edit of the pipeline.
 *
 * `--backend` keeps the environments whose state lives where it says and
 * names each one it leaves out on standard error: a pipeline's runner keeps
 * no files between jobs, so an environment on local state is no environment
 * a pipeline may deploy, and one on Terraform Cloud runs there
 * (docs/terraform-cloud.md).
 *
 * It lives in lib/cli, the lowest layer that holds the command pattern, since
 * it needs nothing but the config.
 */
import { type BackendConfig, type Config, loadConfig } from "../config";
import { UsageError, defineCommand } from "./command";
import { CONFIG_VARIABLES, configFileOf } from "./environment";

/** Where an environment's state lives: its `backend.type`, `local` when it names none. */
export type BackendType = BackendConfig["type"];

/** Every backend type the config schema knows, in the order the usage text lists them. */
export const BACKEND_TYPES: readonly BackendType[] = ["local", "s3", "cloud"];

/** One environment, as a pipeline's matrix gets it (one object of `--json`'s list). */
export interface EnvironmentRow {
  /** The environment's name: its key under `environments`. */
  readonly environment: string;
  /** Its AWS region (`environments.<env>.region`). */
  readonly region: string;
  /** Where its stacks keep their state. */
  readonly backend: BackendType;
}

/** Every environment of `config`, in the order the file lists them. */
export function environmentRows(config: Config): EnvironmentRow[] {
  return Object.entries(config.environments).map(([environment, env]) => ({
    environment,
    region: env.region,
    backend: env.backend?.type ?? "local",
  }));
}

/** The environments a `--backend` filter keeps, and those it leaves out. */
export interface BackendSelection {
  readonly kept: readonly EnvironmentRow[];
  readonly leftOut: readonly EnvironmentRow[];
}

/**
 * Keeps the rows whose backend is one of `backends`; no filter keeps them all.
 * @throws UsageError naming a value that is no backend type
 */
export function selectByBackend(rows: readonly EnvironmentRow[], backends: readonly string[] | undefined): BackendSelection {
  if (backends === undefined || backends.length === 0) return { kept: rows, leftOut: [] };
  const unknown = backends.find((b) => !(BACKEND_TYPES as readonly string[]).includes(b));
  if (unknown !== undefined) throw new UsageError(`--backend must be one of ${BACKEND_TYPES.join(", ")}; got ${JSON.stringify(unknown)}`);
  return { kept: rows.filter((r) => backends.includes(r.backend)), leftOut: rows.filter((r) => !backends.includes(r.backend)) };
}

/** The line standard error gets for an environment `--backend` leaves out. */
export function leftOutLine(row: EnvironmentRow, backends: readonly string[]): string {
  return `left out ${row.environment}: its state is ${row.backend}, not ${backends.join(" or ")}`;
}

export const environmentsCommand = defineCommand(
  {
    name: "environments",
    summary:
      "Lists the environments of the config, one name a line, in the order the file lists them; with --json, one line of JSON:\n" +
      'a list of {"environment", "region", "backend"} (backend: local, s3 or cloud), the matrix a pipeline runs over.',
    positionals: [],
    options: {
      json: { type: "boolean", description: "print a JSON list of {environment, region, backend} instead of names" },
      backend: {
        type: "string",
        multiple: true,
        value: "TYPE",
        description: `only environments whose state lives there (${BACKEND_TYPES.join(", ")}); each one left out is named on standard error`,
      },
      config: { type: "string", value: "FILE", description: "config file (default: REDSHIFT_ENDPOINTS_CONFIG or config/environments.json)" },
    },
    environment: CONFIG_VARIABLES,
    more: "See examples/github-actions/README.md.",
  },
  async ({ values }, io) => {
    const rows = environmentRows(loadConfig(values.config ?? configFileOf(io)));
    const { kept, leftOut } = selectByBackend(rows, values.backend);
    for (const row of leftOut) io.stderr(`${leftOutLine(row, values.backend ?? [])}\n`);
    io.stdout(values.json ? `${JSON.stringify(kept)}\n` : kept.map((r) => `${r.environment}\n`).join(""));
    return 0;
  },
);
