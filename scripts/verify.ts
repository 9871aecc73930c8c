/**
 * `npm run verify -- <env> [--connect] [--timeout-ms N] [--json]`: wiring
 * only. Parses argv, reads REDSHIFT_ENDPOINTS_CONFIG, loads the config, runs
 * lib/operations/verify.ts with the real AWS clients, prints, and sets the exit code:
 * 0 healthy, 1 unhealthy, 2 the check could not run (usage, config, crash).
 */
import { awsClientFactory } from "../lib/aws/clients";
import { parseCommandLine } from "../lib/cli/command";
import { describeFailure } from "../lib/synth/command";
import { DEFAULT_CONFIG_FILE, UserError, loadAdoptions, loadConfig } from "../lib/config";
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  VERIFY_MAX_ATTEMPTS,
  VERIFY_SESSION_NAME,
  exitCodeFor,
  formatJson,
  formatTable,
  selectEnvironment,
  verifyEnvironment,
} from "../lib/operations/verify";

const USAGE = `Usage: npm run verify -- <environment> [options]

Checks a deployed environment against the config: the producer's endpoint
authorizations, and each consumer's Redshift-managed VPC endpoint.

Options:
  --connect          also open a TCP connection to each endpoint's address and port
  --timeout-ms <ms>  how long each --connect attempt may take (default ${DEFAULT_CONNECT_TIMEOUT_MS})
  --json             print the report as JSON instead of a table
  -h, --help         print this help and exit

Environment:
  REDSHIFT_ENDPOINTS_CONFIG  config file (default ${DEFAULT_CONFIG_FILE})
  REDSHIFT_ENDPOINTS_DEBUG   set to 1 to print stack traces of unexpected errors

Exit codes: 0 healthy, 1 something is unhealthy, 2 the check could not run.
See docs/verify.md.
`;

/** Bad command line: printed with a pointer to --help, exit 2. */
class UsageError extends UserError {}

interface Args {
  readonly help: boolean;
  readonly environment: string;
  readonly connect: boolean;
  readonly json: boolean;
  readonly timeoutMs: number;
}

/** This command's options; a bad command line becomes a UsageError. */
function parseVerifyCommandLine(argv: readonly string[]) {
  try {
    return parseCommandLine(argv, {
      help: { type: "boolean", short: "h" },
      connect: { type: "boolean" },
      json: { type: "boolean" },
      "timeout-ms": { type: "string" },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function parse(argv: readonly string[]): Args {
  const { values, positionals } = parseVerifyCommandLine(argv);
  const help = values.help ?? false;
  if (help) return { help, environment: "", connect: false, json: false, timeoutMs: DEFAULT_CONNECT_TIMEOUT_MS };
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0 ? "Missing the environment to verify, e.g. npm run verify -- dev" : `Expected one environment, got ${positionals.join(" ")}`,
    );
  }
  const timeoutText = values["timeout-ms"];
  const timeoutMs = timeoutText === undefined ? DEFAULT_CONNECT_TIMEOUT_MS : Number(timeoutText);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout-ms must be a positive whole number of milliseconds; got ${timeoutText}`);
  return { help, environment: positionals[0], connect: values.connect ?? false, json: values.json ?? false, timeoutMs };
}

async function main(argv: readonly string[]): Promise<number> {
  let args: Args;
  try {
    args = parse(argv);
  } catch (e) {
    process.stderr.write(`verify: ${(e as Error).message}\nRun npm run verify -- --help for usage.\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const file = process.env.REDSHIFT_ENDPOINTS_CONFIG ?? DEFAULT_CONFIG_FILE;
  const config = loadConfig(file);
  const env = selectEnvironment(config, args.environment, file);
  const report = await verifyEnvironment({
    environment: args.environment,
    config: env,
    clients: awsClientFactory({ roleSessionName: VERIFY_SESSION_NAME, maxAttempts: VERIFY_MAX_ATTEMPTS }),
    connect: args.connect,
    connectTimeoutMs: args.timeoutMs,
    adoption: loadAdoptions(file, config)[args.environment],
  });
  process.stdout.write(args.json ? formatJson(report) : formatTable(report));
  return exitCodeFor(report);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(describeFailure(e, process.env.REDSHIFT_ENDPOINTS_DEBUG === "1", "Verify"));
    process.exitCode = 2;
  },
);
