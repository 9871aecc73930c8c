/** Small fixtures and a way to run the real synth command in-process against them. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { CommandIo } from "../lib/cli/command";
import { synthCommand } from "../lib/synth/command";

/** One environment, one cross-account consumer: the smallest valid config. */
export function validConfig(): any {
  return {
    environments: {
      dev: {
        region: "ap-northeast-1",
        tags: { team: "data-platform" },
        producer: {
          accountId: "111111111111",
          roleArn: "arn:aws:iam::111111111111:role/deploy",
          clusterIdentifier: "lake-dev",
          port: 5439,
        },
        consumers: [
          {
            name: "bi",
            accountId: "222222222222",
            roleArn: "arn:aws:iam::222222222222:role/deploy",
            vpcId: "vpc-0a1b2c3d4e5f60718",
            subnetIds: ["subnet-0a1b2c3d4e5f60718"],
            endpointName: "lake-dev-bi",
            allowedCidrs: ["10.20.0.0/16"],
          },
        ],
      },
    },
  };
}

const created: string[] = [];

/** A fresh temporary folder, removed after the test file (see test/setup.ts). */
export function tempDir(prefix = "rme-"): string {
  return removeAfterFile(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** Removes `dir` after the test file, with the folders of tempDir(). */
export function removeAfterFile(dir: string): string {
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export interface SynthRun {
  readonly exitCode: number;
  readonly stderr: string;
  readonly dir: string;
  readonly outdir: string;
  /** Every file under outdir, relative, sorted. */
  readonly files: string[];
}

/** Writes `config` (an object, or raw text) to a temp project and runs the synth command there. */
export function runSynth(config: unknown, dir = tempDir()): SynthRun {
  const configFile = path.join(dir, "environments.json");
  fs.writeFileSync(configFile, typeof config === "string" ? config : JSON.stringify(config, null, 2));
  return runSynthFile(configFile, dir);
}

export function runSynthFile(configFile: string, dir: string): SynthRun {
  const outdir = path.join(dir, "cdktf.out");
  const { exitCode, stderr } = synthCommand({ configFile, outdir, stateDir: dir });
  return { exitCode, stderr, dir, outdir, files: listFiles(outdir) };
}

export function listFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

export function readStack(outdir: string, stackId: string): any {
  return JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stackId, "cdk.tf.json"), "utf8"));
}

/** A stack trace line as node prints them. */
export const STACK_TRACE = /^\s+at .+\(?.+:\d+:\d+\)?$/m;

/** A CommandIo that records what a command prints, with `env`, `cwd` and `interactive` as given; nothing of the process is touched. */
export function recordingIo(overrides: Partial<Pick<CommandIo, "env" | "cwd" | "interactive">> = {}): {
  io: CommandIo;
  out: () => string;
  err: () => string;
} {
  let stdout = "";
  let stderr = "";
  const io: CommandIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: overrides.env ?? {},
    cwd: overrides.cwd ?? tempDir(),
    interactive: overrides.interactive ?? false,
  };
  return { io, out: () => stdout, err: () => stderr };
}
