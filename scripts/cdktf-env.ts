/**
 * Deploys or diffs one environment: its producer, then its consumers.
 *
 *   npm run deploy -- <environment> [cdktf deploy options, e.g. --auto-approve]
 *   npm run diff -- <environment> [cdktf diff options]
 *
 * Wiring only: the stack ids and command lines come from
 * lib/operations/environment-stacks.ts. cdktf runs with this terminal attached and shows
 * its own progress; its exit code becomes this script's.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { DEFAULT_CONFIG_FILE } from "../lib/config";
import { type Spawner, environmentCommand } from "../lib/operations/environment-stacks";

const spawnInherited: Spawner = (command, args) =>
  new Promise((resolve) => {
    // Ctrl-C reaches cdktf too, which stops Terraform cleanly; wait for it instead of dying first.
    const ignoreInterrupt = () => undefined;
    process.on("SIGINT", ignoreInterrupt);
    const child = spawn(command, [...args], { stdio: "inherit", shell: process.platform === "win32" });
    const done = (code: number) => {
      process.off("SIGINT", ignoreInterrupt);
      resolve(code);
    };
    child.on("error", (e) => {
      process.stderr.write(`Could not run ${command}: ${e.message}\n`);
      done(127);
    });
    child.on("exit", (code, signal) => done(code ?? (signal ? 128 + constants.signals[signal] : 1)));
  });

environmentCommand({
  argv: process.argv.slice(2),
  configFile: process.env.REDSHIFT_ENDPOINTS_CONFIG ?? DEFAULT_CONFIG_FILE,
  spawn: spawnInherited,
  announce: (line) => process.stderr.write(`${line}\n`),
}).then(
  (result) => {
    process.stderr.write(result.stderr);
    process.exitCode = result.exitCode;
  },
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
