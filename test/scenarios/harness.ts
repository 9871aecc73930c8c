/**
 * Shared set-up of the deploy tier: a Rehearsal on the real engine and the
 * real emulator, in a scratch folder removed after the test file (kept when
 * REHEARSE_KEEP=1). A missing toolchain fails the tier; it never skips.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { EC2Client } from "@aws-sdk/client-ec2";
import { RedshiftClient } from "@aws-sdk/client-redshift";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY, type EmulatorOptions, startEmulator } from "../../lib/rehearsal/emulator";
import { findEngine, toolchainCacheDir } from "../../lib/rehearsal/engine";
import { Rehearsal, StepFailure } from "../../lib/rehearsal/rehearse";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const FIXTURES = path.join(__dirname, "fixtures");

const scratchDirs: string[] = [];
afterAll(() => {
  for (const dir of scratchDirs) keepCallLog(dir);
  if (process.env.REHEARSE_KEEP === "1") return;
  for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Where each enforced rehearsal leaves its generated documents, synthesized
 * stacks and call log for the granted-vs-called report, which runs after the
 * scenarios (scripts/ci/test-scenarios.sh). Cleared by that script first.
 */
export const CALLS_DIR = path.join(__dirname, ".calls");

/** Rehearsals whose documents a test broke on purpose: their calls say nothing about the generated policies. */
const editedPolicies = new Set<string>();

/** Copies an enforced rehearsal's documents, stacks and call log into CALLS_DIR. */
function keepCallLog(dir: string): void {
  if (editedPolicies.has(dir)) return;
  {
    const iam = path.join(dir, "iam");
    if (!fs.existsSync(path.join(iam, "calls.jsonl"))) return;
    const dest = path.join(CALLS_DIR, path.basename(dir));
    fs.mkdirSync(dest, { recursive: true });
    fs.cpSync(iam, dest, { recursive: true });
    const stacks = path.join(dir, "cdktf.out", "stacks");
    if (fs.existsSync(stacks)) for (const id of fs.readdirSync(stacks)) fs.copyFileSync(path.join(stacks, id, "cdk.tf.json"), path.join(dest, `${id}.tf.json`));
  }
}

/** A rehearsal of `environment` of `configFile`, not started yet; the tier rehearses under the generated policies. */
export function newRehearsal(
  configFile: string,
  environment: string,
  emulator: Omit<EmulatorOptions, "seedConfigFile" | "port"> = {},
  iam: { enforceIam?: boolean; editPolicies?: (iamDir: string) => void } = {},
): Rehearsal {
  const engine = findEngine(toolchainCacheDir(process.env.XDG_CACHE_HOME, os.homedir()));
  if (typeof engine === "string") throw new Error(`The deploy tier cannot run: ${engine}`);
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), `rehearse-${environment}-`));
  scratchDirs.push(scratchDir);
  if (iam.editPolicies) editedPolicies.add(scratchDir);
  return new Rehearsal({
    repoRoot: REPO_ROOT,
    configFile,
    environment,
    engine,
    scratchDir,
    launchEmulator: (seedConfigFile, files) => startEmulator({ ...emulator, ...files, seedConfigFile, port: 0 }),
    baseEnv: process.env,
    enforceIam: iam.enforceIam ?? true,
    editPolicies: iam.editPolicies,
  });
}

/** `npm run --silent <args>` in the project folder, as a user runs it, with exactly `env`; its exit code and output without colours. */
export function npmRun(args: readonly string[], env: Record<string, string | undefined>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", ...args], { cwd: REPO_ROOT, env });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, output: stripVTControlCharacters(output) }));
  });
}

/** Runs `fn` and returns the StepFailure it throws; fails the test when it throws nothing or something else. */
export async function stepFailure(fn: () => Promise<unknown>): Promise<StepFailure> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof StepFailure) return e;
    throw e;
  }
  throw new Error("expected the step to fail, and it passed");
}

/** Seconds since `started` (Date.now()). */
export function since(started: number): number {
  return (Date.now() - started) / 1000;
}

/** Redshift and EC2 clients acting through `roleArn` against the rehearsal's emulator. */
export function awsClients(rehearsal: Rehearsal, roleArn: string, region: string): { redshift: RedshiftClient; ec2: EC2Client } {
  const credentials = fromTemporaryCredentials({
    params: { RoleArn: roleArn, RoleSessionName: "redshift-endpoints-test" },
    masterCredentials: { accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY },
    clientConfig: { region, endpoint: rehearsal.url },
  });
  const config = { region, endpoint: rehearsal.url, credentials };
  const clients = { redshift: new RedshiftClient(config), ec2: new EC2Client(config) };
  clientsToDestroy.push(clients.redshift, clients.ec2);
  return clients;
}

const clientsToDestroy: { destroy(): void }[] = [];
afterAll(() => {
  for (const c of clientsToDestroy.splice(0)) c.destroy();
});
