/**
 * Shared set-up of the deploy tier: a Rehearsal on the real engine and the
 * real emulator, in a scratch folder removed after the test file (kept when
 * REHEARSE_KEEP=1). A missing toolchain fails the tier; it never skips.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EC2Client } from "@aws-sdk/client-ec2";
import { RedshiftClient } from "@aws-sdk/client-redshift";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY, type EmulatorOptions, startEmulator } from "../../lib/operations/emulator";
import { findEngine, toolchainCacheDir } from "../../lib/operations/engine";
import { Rehearsal, StepFailure } from "../../lib/operations/rehearse";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const FIXTURES = path.join(__dirname, "fixtures");

const scratchDirs: string[] = [];
afterAll(() => {
  if (process.env.REHEARSE_KEEP === "1") return;
  for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A rehearsal of `environment` of `configFile`, not started yet. */
export function newRehearsal(configFile: string, environment: string, emulator: Omit<EmulatorOptions, "seedConfigFile" | "port"> = {}): Rehearsal {
  const engine = findEngine(toolchainCacheDir(process.env.XDG_CACHE_HOME, os.homedir()));
  if (typeof engine === "string") throw new Error(`The deploy tier cannot run: ${engine}`);
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), `rehearse-${environment}-`));
  scratchDirs.push(scratchDir);
  return new Rehearsal({
    repoRoot: REPO_ROOT,
    configFile,
    environment,
    engine,
    scratchDir,
    launchEmulator: (seedConfigFile) => startEmulator({ ...emulator, seedConfigFile, port: 0 }),
    baseEnv: process.env,
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
