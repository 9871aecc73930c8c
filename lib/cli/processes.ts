/**
 * Running another program from a command: with the terminal attached (cdktf
 * showing its own progress), or with its output captured (the engine's plan
 * and state reads that the deploy guards and drift make).
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";

/** Runs `command args...` with the terminal attached and `env` added to the environment; resolves to its exit code. */
export type Spawner = (command: string, args: readonly string[], env: Readonly<Record<string, string>>) => Promise<number>;

/** The outcome of a program run with its output captured. */
export interface CapturedRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command args...` in `cwd` with its output captured. */
export type CapturedRunner = (command: string, args: readonly string[], cwd: string) => Promise<CapturedRun>;

/** The real Spawner. Ctrl-C reaches the child too, which stops Terraform cleanly: this process waits for it instead of dying first. */
export function inheritedSpawner(baseEnv: Readonly<Record<string, string | undefined>>): Spawner {
  return (command, args, env) =>
    new Promise((resolve) => {
      const ignoreInterrupt = () => undefined;
      process.on("SIGINT", ignoreInterrupt);
      const child = spawn(command, [...args], { stdio: "inherit", shell: process.platform === "win32", env: { ...baseEnv, ...env } });
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
}

/** The real CapturedRunner, with `env` added to `baseEnv`. Never rejects: a program that cannot start ends with 127. */
export function capturedRunner(baseEnv: Readonly<Record<string, string | undefined>>, env: Readonly<Record<string, string>> = {}): CapturedRunner {
  return (command, args, cwd) =>
    new Promise((resolve) => {
      const child = spawn(command, [...args], { cwd, env: { ...baseEnv, ...env }, stdio: ["ignore", "pipe", "pipe"] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (d: Buffer) => out.push(d));
      child.stderr.on("data", (d: Buffer) => err.push(d));
      child.on("error", (e) => resolve({ exitCode: 127, stdout: "", stderr: `could not run ${command}: ${e.message}` }));
      child.on("close", (code) => resolve({ exitCode: code ?? 1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
    });
}
