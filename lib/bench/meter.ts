/**
 * Measuring one command: its wall time and the peak memory of its process
 * tree, each run in its own process (see Meter and RssMethod).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface Sample {
  readonly wallMs: number;
  /** Peak resident set in KiB (see rssMethod); undefined when it could not be read. */
  readonly peakRssKiB?: number;
  readonly exitCode: number;
  readonly output: string;
}

/**
 * How peak memory is read.
 * - "gnu-time": /usr/bin/time -f %M, which reports the kernel's ru_maxrss of
 *   the child and every descendant it waited for: the peak of the largest
 *   single process in the tree (not the sum of processes alive together).
 * - "node-preload": without /usr/bin/time, every node process of the tree is
 *   started with `--require` a preload (through NODE_OPTIONS) that appends its
 *   own process.resourceUsage().maxRSS to a file at exit; the largest is kept.
 *   Same meaning as above, but non-node processes and processes killed by a
 *   signal are not seen.
 */
export type RssMethod = "gnu-time" | "node-preload";

const GNU_TIME = "/usr/bin/time";

export function detectRssMethod(): RssMethod {
  // BENCH_RSS_METHOD=node-preload forces the fallback, to check it on a machine that has GNU time.
  if (process.env.BENCH_RSS_METHOD === "node-preload") return "node-preload";
  const r = spawnSync("sh", ["-c", `command -v ${GNU_TIME}`], { encoding: "utf8" });
  if (r.status !== 0) return "node-preload";
  const probe = spawnSync(GNU_TIME, ["-f", "%M", "true"], { encoding: "utf8" });
  return probe.status === 0 && /^\d+\s*$/m.test(probe.stderr) ? "gnu-time" : "node-preload";
}

export interface RunSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
}

export class Meter {
  private readonly preload: string;
  private counter = 0;

  constructor(
    readonly method: RssMethod,
    private readonly scratch: string,
  ) {
    this.preload = path.join(scratch, "max-rss-preload.js");
    if (method === "node-preload") {
      fs.writeFileSync(
        this.preload,
        `"use strict";\nprocess.on("exit", () => {\n  try { require("node:fs").appendFileSync(process.env.BENCH_MAX_RSS_FILE, process.resourceUsage().maxRSS + "\\n"); } catch {}\n});\n`,
      );
    }
  }

  run(spec: RunSpec): Sample {
    const report = path.join(this.scratch, `rss-${++this.counter}.txt`);
    let env: NodeJS.ProcessEnv = { ...process.env, ...spec.env };
    let command = spec.command;
    let args = [...spec.args];
    if (this.method === "gnu-time") {
      args = ["-f", "%M", "-o", report, command, ...args];
      command = GNU_TIME;
    } else {
      env = { ...env, BENCH_MAX_RSS_FILE: report, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ""} --require ${JSON.stringify(this.preload)}`.trim() };
    }
    const start = process.hrtime.bigint();
    const r = spawnSync(command, args, { cwd: spec.cwd, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.error) throw new Error(`could not start ${spec.command}: ${r.error.message}`);
    let peakRssKiB: number | undefined;
    try {
      // GNU time writes "Command exited with non-zero status N" before %M; every number line is a maxRSS.
      const values = fs
        .readFileSync(report, "utf8")
        .split("\n")
        .filter((l) => /^\d+$/.test(l.trim()))
        .map(Number);
      if (values.length) peakRssKiB = Math.max(...values);
      fs.rmSync(report, { force: true });
    } catch {
      peakRssKiB = undefined;
    }
    return { wallMs, peakRssKiB, exitCode: r.status ?? 128, output: `${r.stdout}${r.stderr}` };
  }
}

/**
 * Flushes what the last run wrote (`sync`, untimed), so that the next run does
 * not pay for the previous one's disk writeback. Without it, on a slow disk the
 * synth rows measure the bench's own writes as much as the synth: on the
 * reference machine 999 stacks varied from 3.6 s to 4.5 s in three
 * back-to-back runs.
 *
 * Run folders are not deleted until the bench is done, for the same reason:
 * that disk is mounted with `discard`, and deleting thousands of files slows
 * every file created in the next tens of seconds. Measured there, creating
 * 1000 folders with one 6.7 KB file each took 102 to 127 ms in a series with
 * no deletions, and 0.9 to 2.0 s right after deleting a few thousand files.
 */
export function settleDisk(): void {
  spawnSync("sync", [], { stdio: "ignore" });
}
