/**
 * Deploys, diffs or destroys one environment: its producer, then its
 * consumers (destroy: the consumers, then the producer). Before a deploy
 * applies the consumers, it checks their state for an endpoint an
 * interrupted deploy left tainted (lib/operations/taint-guard.ts).
 *
 *   npm run deploy -- <environment> [cdktf deploy options, e.g. --auto-approve]
 *   npm run diff -- <environment> [cdktf diff options]
 *   npm run destroy -- <environment> [cdktf destroy options, e.g. --auto-approve]
 *
 * With AWS_ENDPOINT_URL set (a running emulator: npm run emulator) and no
 * TERRAFORM_BINARY_NAME of the user's own, cdktf drives the offline engine of
 * `npm run toolchain` when it is installed (lib/operations/engine.ts).
 *
 * Wiring only: the stack ids and command lines come from
 * lib/operations/environment-stacks.ts. cdktf runs with this terminal attached and shows
 * its own progress; its exit code becomes this script's.
 */
import { spawn } from "node:child_process";
import { constants, homedir } from "node:os";
import { DEFAULT_CONFIG_FILE } from "../lib/config";
import type { EngineRunner } from "../lib/operations/adoption-guard";
import { EMULATOR_WORK_DIR_VAR, emulatorCdktf, emulatorEngine, providerNotice, toolchainCacheDir } from "../lib/rehearsal/engine";
import { type Spawner, environmentCommand } from "../lib/operations/environment";
import { awsEndpointStatus } from "../lib/operations/taint-guard";

const spawnInherited: Spawner = (command, args, env) =>
  new Promise((resolve) => {
    // Ctrl-C reaches cdktf too, which stops Terraform cleanly; wait for it instead of dying first.
    const ignoreInterrupt = () => undefined;
    process.on("SIGINT", ignoreInterrupt);
    const child = spawn(command, [...args], { stdio: "inherit", shell: process.platform === "win32", env: { ...process.env, ...env } });
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

/** Runs the engine with its output captured: the checks of tainted and adopted endpoints. */
const runEngine =
  (env: Readonly<Record<string, string>>): EngineRunner =>
  (command, args, cwd) =>
    new Promise((resolve) => {
      const child = spawn(command, [...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (d: Buffer) => out.push(d));
      child.stderr.on("data", (d: Buffer) => err.push(d));
      child.on("error", (e) => resolve({ exitCode: 127, stdout: "", stderr: `could not run ${command}: ${e.message}` }));
      child.on("close", (code) => resolve({ exitCode: code ?? 1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
    });

const engine = emulatorEngine(process.env, toolchainCacheDir(process.env.XDG_CACHE_HOME, homedir()));
if (engine) {
  const notice = providerNotice(engine);
  if (notice) process.stderr.write(`${notice}\n`);
}

// npm runs scripts in the project folder.
const emulated = engine ? emulatorCdktf(engine, process.cwd(), process.env[EMULATOR_WORK_DIR_VAR]) : undefined;

environmentCommand({
  argv: process.argv.slice(2),
  configFile: process.env.REDSHIFT_ENDPOINTS_CONFIG ?? DEFAULT_CONFIG_FILE,
  spawn: spawnInherited,
  announce: (line) => process.stderr.write(`${line}\n`),
  engine: emulated,
  runEngine: runEngine(emulated?.env ?? {}),
  endpointStatus: awsEndpointStatus,
  terraformBinary: engine?.terraformBinary ?? process.env.TERRAFORM_BINARY_NAME,
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
