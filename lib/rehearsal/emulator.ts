/**
 * Starts and stops the project's AWS emulator (moto's server with
 * emulator/redshift_endpoints/, see emulator/README.md) for the rehearsal
 * and the deploy-tier tests.
 *
 * `startEmulator` runs `scripts/emulator.sh` (which creates the pinned venv
 * on first use), waits for its ready line, and hands back the URL and a
 * `stop()`. The child runs in its own process group, so `stop()` also ends a
 * venv install still in progress; with `--exit-with-parent` the server also
 * stops by itself if this process dies without calling `stop()`.
 *
 * `emulatorClientEnv` gives the environment a child process (terraform, the
 * AWS CLI, an SDK script) needs to talk to the emulator as the base account.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { type EmulatorFlags, emulatorFlagArgs } from "./emulator-options";

/** The project-relative folder of the emulator's Python virtualenv. */
export const EMULATOR_VENV = ".venv/emulator";

/** Static test credentials of the base account (moto's default, 123456789012). Not a real key. */
export const EMULATOR_ACCESS_KEY_ID = "AKIAEMULATOR0TESTKEY";
export const EMULATOR_SECRET_ACCESS_KEY = "emulator-test-secret-not-a-real-key";

/** The account of the base credentials; every seeded role trusts it. */
export const EMULATOR_BASE_ACCOUNT_ID = "123456789012";

/** How long `startEmulator` waits for the ready line: a first run installs the venv (about a minute). */
export const DEFAULT_START_TIMEOUT_MS = 300_000;

/** How long `stop()` waits after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;

/** At most this much of the child's stderr is kept for error messages. */
const STDERR_KEEP_CHARS = 16_000;

const READY_LINE = /emulator ready on (http:\/\/127\.0\.0\.1:(\d+))/;

export interface EmulatorOptions {
  /** A config file in the format of config/environments.json; its world is seeded. @default nothing seeded */
  readonly seedConfigFile?: string;
  /** Port on 127.0.0.1. @default 0: a free port, reported in `port` */
  readonly port?: number;
  /**
   * Flags that break or slow the seeded world (emulator/options.json: relocation off, node type, cluster port,
   * endpoint delay, faults), by flag name, such as `{ "endpoint-delay": 150 }`.
   * @default none: the world as the config names it, endpoints settling after 1 second
   */
  readonly flags?: EmulatorFlags;
  /**
   * Enforce IAM: a folder holding `role-policies.json` (lib/rehearsal/iam-enforcement.ts), which names each
   * role's only inline policies; every request is then authorized against its caller's policies.
   * @default IAM is not enforced
   */
  readonly rolePoliciesDir?: string;
  /** With `rolePoliciesDir`: append every authorized or refused call to this file, one JSON object per line. @default not recorded */
  readonly recordCallsFile?: string;
  /** How long to wait for the ready line, in milliseconds. @default DEFAULT_START_TIMEOUT_MS */
  readonly startTimeoutMs?: number;
  /** The project's root folder (holding scripts/emulator.sh). @default two folders above this file */
  readonly projectDir?: string;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:<port>`: the endpoint URL for every service. */
  readonly url: string;
  readonly port: number;
  /** Process id of the emulator (the leader of its process group). */
  readonly pid: number;
  /** The emulator's stderr so far (its request log), last 16 000 characters. */
  stderr(): string;
  /** Stops the emulator and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

/** The command-line arguments of scripts/emulator.sh for `options`. */
export function emulatorArgs(options: EmulatorOptions): string[] {
  return emulatorFlagArgs({
    port: options.port ?? 0,
    "exit-with-parent": true,
    ...(options.seedConfigFile === undefined ? {} : { seed: path.resolve(options.seedConfigFile) }),
    ...options.flags,
    ...(options.rolePoliciesDir === undefined ? {} : { "role-policies": path.resolve(options.rolePoliciesDir) }),
    ...(options.recordCallsFile === undefined ? {} : { "record-calls": path.resolve(options.recordCallsFile) }),
  });
}

/** The emulator's count of injected faults (`GET /_emulator/faults`, emulator/faults.py). */
export interface FaultCount {
  /** The fault rate the emulator runs with. */
  readonly rate: number;
  /** Redshift and EC2 calls seen. */
  readonly calls: number;
  /** Calls answered with a fault, each retried by the caller or failed. */
  readonly injected: number;
  /** "<service> <Action> <Code>" -> count. */
  readonly by: Readonly<Record<string, number>>;
}

/** Reads the running emulator's fault count. */
export async function fetchFaultCount(url: string): Promise<FaultCount> {
  const response = await fetch(`${url}/_emulator/faults`);
  if (!response.ok) throw new Error(`GET ${url}/_emulator/faults answered ${response.status}`);
  return (await response.json()) as FaultCount;
}

/** The project root: lib/operations/ is two levels below it. */
export function defaultProjectDir(): string {
  return path.resolve(__dirname, "..", "..");
}

/** Path of a program in the emulator's venv, e.g. `aws`. */
export function emulatorVenvBin(program: string, projectDir = defaultProjectDir()): string {
  return path.join(projectDir, EMULATOR_VENV, "bin", program);
}

/**
 * Starts the emulator and resolves once it serves. Rejects when it exits
 * first or does not get ready in time; the message carries its stderr.
 */
export function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const projectDir = options.projectDir ?? defaultProjectDir();
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const child = spawn("bash", [path.join(projectDir, "scripts", "emulator.sh"), ...emulatorArgs(options)], {
    cwd: projectDir,
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP_CHARS);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = stopper(child, exited);

  return new Promise<RunningEmulator>((resolve, reject) => {
    let stdout = "";
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`emulator ${why}.\n--- its stderr ---\n${stderr.trim() || "(empty)"}`)));
    };
    const timer = setTimeout(() => fail(`did not print its ready line within ${timeoutMs} ms`), timeoutMs);
    child.once("error", (error) => fail(`could not be started (${error.message})`));
    void exited.then((code) => fail(`exited with code ${code} before it was ready`));
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const ready = READY_LINE.exec(stdout);
      if (!ready || settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout?.removeAllListeners("data").resume();
      resolve({ url: ready[1], port: Number(ready[2]), pid: child.pid ?? -1, stderr: () => stderr, stop });
    });
  });
}

/** `stop()` for a child started in its own process group: SIGTERM the group, then SIGKILL after a grace period. */
function stopper(child: ChildProcess, exited: Promise<number | null>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      signalGroup(child.pid, "SIGTERM");
      const killTimer = setTimeout(() => signalGroup(child.pid ?? 0, "SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(killTimer);
      child.stdin?.destroy();
    })();
    return stopping;
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/**
 * What a child process needs in its environment to talk to the emulator as
 * the base account: every SDK, the AWS CLI and the Terraform AWS provider
 * read these. Assume a seeded role (a stack's `roleArn`) to act as its account.
 * Merge with `withEmulatorEnv`, which also drops the variables listed in
 * `EMULATOR_CLIENT_UNSET`.
 */
export function emulatorClientEnv(url: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: EMULATOR_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: EMULATOR_SECRET_ACCESS_KEY,
    AWS_EC2_METADATA_DISABLED: "true",
    // No profile or shared files of the machine may leak real credentials or endpoints in.
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  };
}

/** Variables that would override the emulator's credentials or pin every request to one account. */
export const EMULATOR_CLIENT_UNSET: readonly string[] = [
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_ROLE_ARN",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "MOTO_ACCOUNT_ID",
];

/** `base` without `EMULATOR_CLIENT_UNSET` and any `AWS_ENDPOINT_URL_<SERVICE>`, plus `emulatorClientEnv(url)`. */
export function withEmulatorEnv(base: Readonly<Record<string, string | undefined>>, url: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value === undefined || EMULATOR_CLIENT_UNSET.includes(key) || key.startsWith("AWS_ENDPOINT_URL_")) continue;
    env[key] = value;
  }
  return { ...env, ...emulatorClientEnv(url) };
}
