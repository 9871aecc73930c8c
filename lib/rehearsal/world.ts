/**
 * What the emulator holds in one environment's accounts: one line per
 * resource (clusters, subnet groups, authorizations, endpoints, security
 * groups and their rules, network interfaces, VPC endpoints, hosted zones and
 * records), asked through the AWS SDK for Python by `emulator/world.py`, each
 * account through its stack's role. Two snapshots that are equal mean a
 * destroy left nothing behind, or a refused deploy created nothing.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { emulatorVenvBin } from "../rehearsal/emulator";

/** Sorted lines, e.g. `222222222222 redshift endpoint lake-dev-bi cluster=lake-dev status=active`. */
export type WorldSnapshot = readonly string[];

/** Takes a snapshot of environment `environment` of `configFile` from the emulator at `endpoint`. */
export function snapshotWorld(
  repoRoot: string,
  configFile: string,
  environment: string,
  endpoint: string,
  env: Record<string, string | undefined>,
  /** A read-only role name to ask each account through instead of the stack's role. @default the stack's role */
  inspectAs?: string,
): Promise<WorldSnapshot> {
  return new Promise((resolve, reject) => {
    execFile(
      // The emulator's virtualenv has boto3.
      emulatorVenvBin("python", repoRoot),
      [
        path.join(repoRoot, "emulator", "world.py"),
        "--config",
        configFile,
        "--environment",
        environment,
        "--endpoint",
        endpoint,
        ...(inspectAs ? ["--inspect-as", inspectAs] : []),
      ],
      { env: env as NodeJS.ProcessEnv, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`emulator/world.py failed: ${stderr.trim() || error.message}`));
        else resolve(JSON.parse(stdout) as string[]);
      },
    );
  });
}

/** `+ line` for what `after` holds and `before` did not, `- line` for what it lost. */
export function diffSnapshots(before: WorldSnapshot, after: WorldSnapshot): string[] {
  const was = new Set(before);
  const is = new Set(after);
  return [...after.filter((l) => !was.has(l)).map((l) => `+ ${l}`), ...before.filter((l) => !is.has(l)).map((l) => `- ${l}`)];
}
