/**
 * Wiring only: load and validate the configuration once, build the stacks,
 * synthesize them all-or-nothing. Bad input exits 1 with a readable message
 * and no stack trace.
 */
import * as path from "node:path";
import { buildStacks } from "./lib/app";
import { DEFAULT_CONFIG_FILE, UserError, loadConfig } from "./lib/config";
import { synthesizeAtomically } from "./lib/synth";

function main(): void {
  const configFile = process.env.REDSHIFT_ENDPOINTS_CONFIG ?? DEFAULT_CONFIG_FILE;
  const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out");
  const config = loadConfig(configFile);
  synthesizeAtomically(outdir, (app) => buildStacks(app, config, { stateDir: process.cwd(), outdir }));
}

try {
  main();
} catch (e) {
  if (e instanceof UserError || !process.env.REDSHIFT_ENDPOINTS_DEBUG) {
    process.stderr.write(`${e instanceof UserError ? "" : "Synth failed: "}${(e as Error).message}\n`);
    if (!(e instanceof UserError)) process.stderr.write("(set REDSHIFT_ENDPOINTS_DEBUG=1 for the stack trace)\n");
  } else {
    process.stderr.write(`${(e as Error).stack}\n`);
  }
  process.exitCode = 1;
}
