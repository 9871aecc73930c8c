/**
 * Wiring only: read the environment, then load and validate the
 * configuration once, build the stacks and synthesize them all-or-nothing
 * (lib/cli.ts). Bad input exits 1 with a readable message, no stack trace.
 */
import { synthCommand } from "./lib/cli";
import { DEFAULT_CONFIG_FILE } from "./lib/config";

const result = synthCommand({
  configFile: process.env.REDSHIFT_ENDPOINTS_CONFIG ?? DEFAULT_CONFIG_FILE,
  outdir: process.env.CDKTF_OUTDIR ?? "cdktf.out",
  stateDir: process.cwd(),
  debug: process.env.REDSHIFT_ENDPOINTS_DEBUG === "1",
});
process.stderr.write(result.stderr);
process.exitCode = result.exitCode;
