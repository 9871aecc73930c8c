/**
 * `npm run adopt -- <env>`: wiring only. Reads REDSHIFT_ENDPOINTS_CONFIG,
 * looks for what was built by hand (lib/operations/adopt.ts) with verify's
 * role assumption, prints the table, and writes the adoption file
 * (`adopted/<env>.json` next to the config) when nothing was refused.
 * Exit codes: 0 adopted or nothing to adopt, 1 something refused, 2 the
 * command could not run (usage, config, crash).
 */
import { describeFailure } from "../lib/synth/command";
import { DEFAULT_CONFIG_FILE, loadConfig } from "../lib/config";
import { adoptionFile } from "../lib/config/layout";
import { ADOPT_SESSION_NAME, adoptEnvironment, adoptExitCode, formatAdoptTable, writeAdoptionFile } from "../lib/operations/adopt";
import { awsClientFactory } from "../lib/aws/clients";
import { selectEnvironment } from "../lib/operations/verify";

const USAGE = `Usage: npm run adopt -- <environment>

Finds the endpoint authorizations, endpoints, subnet groups, security groups
and ingress rules that already exist for the environment (built by hand),
prints what will be imported, kept or created, and writes
adopted/<environment>.json next to the config for synth to import them.
Refuses, writing nothing, anything it cannot adopt without replacing an endpoint.

Environment:
  REDSHIFT_ENDPOINTS_CONFIG  config file (default ${DEFAULT_CONFIG_FILE})

Exit codes: 0 adopted (or nothing to adopt), 1 something refused, 2 the command could not run.
`;

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (argv.length !== 1 || argv[0].startsWith("-")) {
    process.stderr.write(`adopt: expected one environment, got ${argv.length ? argv.join(" ") : "none"}\n${USAGE}`);
    return 2;
  }
  const environment = argv[0];
  const file = process.env.REDSHIFT_ENDPOINTS_CONFIG ?? DEFAULT_CONFIG_FILE;
  const config = loadConfig(file);
  selectEnvironment(config, environment, file);
  const report = await adoptEnvironment({ environment, config, clients: awsClientFactory({ roleSessionName: ADOPT_SESSION_NAME }) });
  const target = adoptionFile(file, environment);
  if (report.adoption) writeAdoptionFile(target, report.adoption);
  process.stdout.write(formatAdoptTable(report, target));
  return adoptExitCode(report);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(describeFailure(e, process.env.REDSHIFT_ENDPOINTS_DEBUG === "1", "Adopt"));
    process.exitCode = 2;
  },
);
