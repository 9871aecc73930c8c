/**
 * `npm run deploy|diff|destroy -- <env>` against a running emulator, as a user
 * runs them: AWS_ENDPOINT_URL set, `npm run toolchain` done. cdktf then drives
 * the toolchain's OpenTofu, and everything of the run (synth output, local
 * state) stays in .emulator-state, away from the user's own state files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type RunningEmulator, startEmulator, withEmulatorEnv } from "../../lib/rehearsal/emulator";
import { EMULATOR_WORK_DIR } from "../../lib/rehearsal/engine";
import { snapshotWorld } from "../../lib/rehearsal/world";
import { REPO_ROOT, npmRun } from "./harness";

const CONFIG = path.join(REPO_ROOT, "config", "environments.json");
const WORK_DIR = path.join(REPO_ROOT, EMULATOR_WORK_DIR);

let emulator: RunningEmulator;
afterAll(() => emulator?.stop());

test("npm run deploy, diff and destroy work against a running emulator and leave the user's state files alone", async () => {
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
  const userState = () => fs.readdirSync(REPO_ROOT).filter((f) => f.endsWith(".tfstate"));
  const userStateBefore = userState();
  emulator = await startEmulator({ seedConfigFile: CONFIG, port: 0, projectDir: REPO_ROOT });
  const base: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(base)) if (key.startsWith("TF_") || key === "TERRAFORM_BINARY_NAME" || key === "REDSHIFT_ENDPOINTS_CONFIG") delete base[key];
  const env = { ...withEmulatorEnv(base, emulator.url), CI: "1" };
  const seeded = await snapshotWorld(REPO_ROOT, CONFIG, "dev", emulator.url, env);

  const deploy = await npmRun(["deploy", "--", "dev", "--auto-approve"], env);
  expect(deploy.output).toContain("OpenTofu");
  expect(deploy.code).toBe(0);
  expect(
    fs
      .readdirSync(WORK_DIR)
      .filter((f) => f.endsWith(".tfstate"))
      .sort(),
  ).toEqual(["terraform.dev-consumer-bi.tfstate", "terraform.dev-producer.tfstate"]);
  expect(userState()).toEqual(userStateBefore);
  expect((await snapshotWorld(REPO_ROOT, CONFIG, "dev", emulator.url, env)).some((l) => / redshift endpoint lake-dev-bi .*status=active/.test(l))).toBe(true);

  const diff = await npmRun(["diff", "--", "dev"], env);
  expect(diff.code).toBe(0);
  expect(diff.output.match(/No changes\. Your infrastructure matches the configuration\./g)).toHaveLength(2);

  const destroy = await npmRun(["destroy", "--", "dev", "--auto-approve"], env);
  expect(destroy.code).toBe(0);
  expect(await snapshotWorld(REPO_ROOT, CONFIG, "dev", emulator.url, env)).toEqual(seeded);
  expect(userState()).toEqual(userStateBefore);
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
});
