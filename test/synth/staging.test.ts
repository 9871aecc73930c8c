/**
 * The commit step of the all-or-nothing synth (lib/synth/atomic.ts), from a staging
 * folder on the output's own file system and from one in RAM (/dev/shm).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { RAM_STAGING_PARENT, stagingParentFor, withStaging } from "../../lib/synth/atomic";
import { listFiles, runSynth, tempDir, validConfig } from "../helpers";

const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
};

/** Writes a cdktf-shaped output: a manifest listing `stacks`, and one cdk.tf.json per stack. */
function writeOutput(dir: string, stacks: Record<string, string>): void {
  for (const [id, text] of Object.entries(stacks)) write(path.join(dir, "stacks", id, "cdk.tf.json"), text);
  write(path.join(dir, "manifest.json"), JSON.stringify({ version: "0.21.0", stacks: Object.fromEntries(Object.keys(stacks).map((id) => [id, {}])) }));
}

const hasRam = fs.existsSync(RAM_STAGING_PARENT) && fs.statSync(RAM_STAGING_PARENT).isDirectory();
const parents: Array<[string, (dir: string) => string]> = [["beside the output", (dir) => dir]];
if (hasRam) parents.push(["in RAM, on another file system", () => RAM_STAGING_PARENT]);

describe.each(parents)("commit from a staging folder %s", (_name, parentOf) => {
  test("keeps unchanged files and Terraform's files, replaces changed ones, adds new stacks, drops gone ones, manifest last", () => {
    const dir = tempDir();
    const outdir = path.join(dir, "cdktf.out");
    writeOutput(outdir, { same: "same", changed: "old", gone: "gone" });
    write(path.join(outdir, "stacks", "same", ".terraform.lock.hcl"), "# lock");
    const file = (id: string) => path.join(outdir, "stacks", id, "cdk.tf.json");
    const sameInode = fs.statSync(file("same")).ino;

    let staged = "";
    withStaging(
      outdir,
      (staging) => {
        staged = staging;
        writeOutput(staging, { same: "same", changed: "new", added: "added" });
      },
      parentOf(dir),
    );

    expect(fs.statSync(file("same")).ino).toBe(sameInode);
    expect(fs.readFileSync(file("changed"), "utf8")).toBe("new");
    expect(fs.readFileSync(file("added"), "utf8")).toBe("added");
    expect(fs.existsSync(path.join(outdir, "stacks", "gone"))).toBe(false);
    expect(fs.readFileSync(path.join(outdir, "stacks", "same", ".terraform.lock.hcl"), "utf8")).toBe("# lock");
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).stacks)).toEqual(["same", "changed", "added"]);
    expect(listFiles(outdir).filter((f) => f.includes(".new-"))).toEqual([]);
    expect(path.dirname(staged)).toBe(parentOf(dir));
    expect(fs.existsSync(staged)).toBe(false);
  });

  test("a failing fill leaves the output as it was and removes the staging folder", () => {
    const dir = tempDir();
    const outdir = path.join(dir, "cdktf.out");
    writeOutput(outdir, { a: "a" });
    const before = listFiles(outdir).map((f) => [f, fs.readFileSync(path.join(outdir, f), "utf8")]);
    let staged = "";
    expect(() =>
      withStaging(
        outdir,
        (staging) => {
          staged = staging;
          writeOutput(staging, { a: "changed" });
          throw new Error("validation failed");
        },
        parentOf(dir),
      ),
    ).toThrow("validation failed");
    expect(listFiles(outdir).map((f) => [f, fs.readFileSync(path.join(outdir, f), "utf8")])).toEqual(before);
    expect(staged).not.toBe("");
    expect(fs.existsSync(staged)).toBe(false);
  });
});

describe("where a synth is staged", () => {
  test("a first synth beside cdktf.out, so the finished folder moves in with one rename", () => {
    const dir = tempDir();
    expect(stagingParentFor(path.join(dir, "cdktf.out"))).toBe(dir);
  });

  test("a re-synth in /dev/shm when it is a tmpfs with room, so unchanged stacks write nothing to the disk", () => {
    const dir = tempDir();
    const run = runSynth(validConfig(), dir);
    expect(run.exitCode).toBe(0);
    const parent = stagingParentFor(run.outdir);
    if (!hasRam) {
      expect(parent).toBe(dir);
      return;
    }
    const ram = fs.statfsSync(RAM_STAGING_PARENT);
    const roomy = ram.type === 0x01021994 && ram.bavail * ram.bsize >= 256 * 1024 * 1024;
    expect(parent).toBe(roomy ? RAM_STAGING_PARENT : dir);
  });
});
