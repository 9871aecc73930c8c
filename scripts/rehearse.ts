/**
 * `npm run rehearse -- <env> [--config FILE] [options]`: wiring only. Parses
 * argv, finds the toolchain's engine, runs lib/operations/rehearse.ts with the
 * real emulator, prints the table of steps, and sets the exit code: 0 every
 * step passed, 1 a step failed (named, with the engine's message), 2 usage.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_CONFIG_FILE, UserError } from "../lib/config";
import { runMain } from "../lib/cli/command";
import { startEmulator } from "../lib/rehearsal/emulator";
import { findEngine, providerNotice, toolchainCacheDir } from "../lib/rehearsal/engine";
import { REHEARSE_USAGE, Rehearsal, formatFaults, formatSteps, parseRehearseArgs, rehearse } from "../lib/rehearsal/rehearse";

async function main(): Promise<number> {
  let args: ReturnType<typeof parseRehearseArgs>;
  try {
    args = parseRehearseArgs(process.argv.slice(2), process.env.REDSHIFT_ENDPOINTS_CONFIG ?? DEFAULT_CONFIG_FILE);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${REHEARSE_USAGE}`);
    return 2;
  }
  if (args === "help") {
    process.stdout.write(REHEARSE_USAGE);
    return 0;
  }
  // npm runs scripts in the project folder; __dirname would be run-ts.js's bundle cache.
  const repoRoot = process.cwd();
  const engine = findEngine(toolchainCacheDir(process.env.XDG_CACHE_HOME, os.homedir()));
  if (typeof engine === "string") {
    process.stderr.write(`Cannot rehearse: ${engine}\n`);
    return 2;
  }
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), `redshift-endpoints-rehearse-${args.environment}-`));
  let rehearsal: Rehearsal;
  try {
    rehearsal = new Rehearsal({
      repoRoot,
      configFile: path.resolve(args.configFile),
      environment: args.environment,
      engine,
      scratchDir,
      launchEmulator: (seedConfigFile, iam) => startEmulator({ ...args.emulator, ...iam, seedConfigFile, port: 0, projectDir: repoRoot }),
      enforceIam: args.enforceIam,
      baseEnv: process.env,
      echo: args.verbose ? (text) => process.stderr.write(text) : undefined,
    });
  } catch (e) {
    fs.rmSync(scratchDir, { recursive: true, force: true });
    if (e instanceof UserError) {
      process.stderr.write(`${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
  for (const notice of [providerNotice(engine), ...rehearsal.notices]) if (notice) process.stderr.write(`${notice}\n`);
  process.stderr.write(`Rehearsing ${rehearsal.allStacks.join(", ")} in ${scratchDir}\n`);
  const result = await rehearse(rehearsal);
  process.stdout.write(formatSteps(result.rows));
  process.stdout.write(formatFaults(result.faults));
  if (result.failure) {
    process.stderr.write(`\nRehearsal failed at step "${result.failure.step}":\n${result.failure.message.replace(/^[^:]+: /, "")}\n`);
    process.stderr.write(`Logs and state are kept in ${scratchDir}/\n`);
    return 1;
  }
  if (args.keep) process.stderr.write(`Logs and state are kept in ${scratchDir}/\n`);
  else fs.rmSync(scratchDir, { recursive: true, force: true });
  return 0;
}

runMain(main);
