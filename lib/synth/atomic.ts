/**
 * All-or-nothing synthesis.
 *
 * cdktf writes each stack's files as it goes and runs the app-level
 * validations only afterwards, so a failure in a later stack can leave new
 * files for earlier stacks beside old ones. Here every validation in the
 * whole tree runs first, then the app is synthesized into a staging folder
 * (see stagingParentFor), and only a complete, valid result is moved into
 * place. A failure leaves the output folder exactly as it was. State files
 * live outside the output folder and are never touched.
 */
import { App } from "cdktf";
import type { IConstruct } from "constructs";
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../config/errors";

export class SynthError extends UserError {
  constructor(readonly problems: readonly string[]) {
    super(`Synth refused; nothing was written (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "SynthError";
  }
}

/** Every validation message in the tree, as `[construct path] message`. */
export function validationErrors(root: IConstruct): string[] {
  return root.node.findAll().flatMap((c) => c.node.validate().map((m) => `[${c.node.path}] ${m}`));
}

/**
 * Builds the app with `build` and synthesizes it into `outdir`, atomically.
 * Throws SynthError (a UserError) when any validation fails.
 */
export function synthesizeAtomically(outdir: string, build: (app: App) => void): void {
  withStaging(outdir, (staging) => {
    const problems = synthesizeInto(staging, build);
    if (problems.length) throw new SynthError(problems);
  });
}

/**
 * Builds an app with `build` and synthesizes it into `dir`, after running
 * every validation of the whole tree. Returns the problems; empty on success.
 */
export function synthesizeInto(dir: string, build: (app: App) => void): string[] {
  const restoreStackTraces = skipTokenCreationStacks();
  try {
    const app = new App({ outdir: dir, stackTraces: false });
    build(app);
    const before = validationErrors(app);
    if (before.length) return before;
    try {
      app.synth();
    } catch (e) {
      return cleanCdktfMessage((e as Error).message);
    }
    return [];
  } finally {
    restoreStackTraces();
  }
}

/**
 * Gives `fill` a fresh staging folder; when `fill` returns, moves the staged
 * synth into `outdir`. When it throws, `outdir` is left as it was. The staging
 * folder is removed either way.
 *
 * @param stagingParent where the staging folder is made. @default stagingParentFor(outdir)
 */
export function withStaging(outdir: string, fill: (staging: string) => void, stagingParent?: string): void {
  const finalDir = path.resolve(outdir);
  fs.mkdirSync(path.dirname(finalDir), { recursive: true });
  const staging = fs.mkdtempSync(path.join(stagingParent ?? stagingParentFor(finalDir), `.${path.basename(finalDir)}.staging-`));
  try {
    fill(staging);
    commit(staging, finalDir);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** A RAM file system that most Linux machines have. */
export const RAM_STAGING_PARENT = "/dev/shm";
const TMPFS_MAGIC = 0x01021994;
/** Free space /dev/shm must have to be used: a 999-stack synth stages about 7 MiB. */
const RAM_STAGING_MIN_FREE = 256 * 1024 * 1024;

/**
 * Where to stage a synth into `finalDir`. A first synth (no manifest there
 * yet) stages beside `finalDir`: the files are written while the stacks are
 * synthesized, and the finished folder moves in with one rename. A re-synth
 * stages in /dev/shm when it is a writable tmpfs with room to spare, otherwise
 * beside `finalDir` too.
 *
 * Staging a re-synth in RAM means stacks that did not change write nothing to
 * the disk: every staged file is compared with the one in place and dropped.
 * Staged beside the output, the same re-synth created and deleted 2000 files
 * and folders. On the reference machine's disk, slow on metadata and mounted
 * with `discard`, that made re-synthesizing 999 unchanged stacks take 4.6 to
 * 4.9 s (3.7 to 4.1 s staged in RAM) and slowed the disk for the runs after.
 * A first synth staged in RAM was slower (3.4 to 4.3 s, against 3.3 to 3.6 s
 * beside), since its 2000 files were then written at the end, by one thread.
 */
export function stagingParentFor(finalDir: string): string {
  if (!fs.existsSync(path.join(finalDir, "manifest.json"))) return path.dirname(finalDir);
  try {
    const ram = fs.statfsSync(RAM_STAGING_PARENT);
    if (ram.type === TMPFS_MAGIC && ram.bavail * ram.bsize >= RAM_STAGING_MIN_FREE) {
      fs.accessSync(RAM_STAGING_PARENT, fs.constants.W_OK);
      return RAM_STAGING_PARENT;
    }
  } catch {
    // no /dev/shm, or not writable: stage on the output's own disk
  }
  return path.dirname(finalDir);
}

/**
 * cdktf records where every token was created by capturing a full stack trace
 * (`Error.captureStackTrace` on a plain object, with no depth limit, even with
 * `stackTraces: false`), and only ever shows it when a token fails to resolve.
 * At hundreds of stacks that is a large share of synth time and memory. While
 * synthesizing, captures into plain objects are skipped; Error objects keep
 * their traces. Returns the undo.
 */
function skipTokenCreationStacks(): () => void {
  const original = Error.captureStackTrace;
  Error.captureStackTrace = (target: object, constructorOpt?: Parameters<typeof Error.captureStackTrace>[1]) => {
    if (target instanceof Error) original(target, constructorOpt);
  };
  return () => {
    Error.captureStackTrace = original;
  };
}

/** cdktf's own validation messages, without its advice to skip validation. */
function cleanCdktfMessage(message: string): string[] {
  return message
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/skipValidation|^Validations allow|^(App-level )?[Vv]alidation failed with the following errors:?$/.test(l));
}

/**
 * Moves a finished synth from `staging` into `finalDir` file by file, keeping
 * what Terraform put there (`.terraform/`, lock files, plans) and dropping
 * stack folders that the new manifest no longer lists. The manifest goes last.
 * A file whose bytes did not change stays as it was (same inode and mtime):
 * re-synthesizing 999 unchanged stacks then commits in about 0.1 s instead of
 * 0.3 to 0.5 s on the reference machine's disk.
 *
 * On the same file system files are renamed into place. From another one (a
 * RAM staging folder), a new file is copied in, and a changed file is copied
 * beside its old version and renamed over it, so no file is ever half-written.
 */
function commit(staging: string, finalDir: string): void {
  fs.mkdirSync(finalDir, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(staging, "manifest.json"), "utf8")) as { stacks: Record<string, unknown> };
  const stacksDir = path.join(finalDir, "stacks");
  if (fs.existsSync(stacksDir)) {
    for (const entry of fs.readdirSync(stacksDir)) {
      if (!(entry in manifest.stacks)) fs.rmSync(path.join(stacksDir, entry), { recursive: true, force: true });
    }
  }
  const sameFileSystem = fs.statSync(staging).dev === fs.statSync(finalDir).dev;
  moveTree(staging, finalDir, (rel) => rel !== "manifest.json", sameFileSystem);
  placeFile(path.join(staging, "manifest.json"), path.join(finalDir, "manifest.json"), sameFileSystem);
}

function moveTree(from: string, to: string, include: (relative: string) => boolean, sameFileSystem: boolean, prefix = ""): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (!include(rel)) continue;
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) {
      if (!fs.existsSync(dst)) {
        if (sameFileSystem) {
          fs.renameSync(src, dst); // nothing there to keep: move the whole folder at once
          continue;
        }
        fs.mkdirSync(dst);
      }
      moveTree(src, dst, include, sameFileSystem, rel);
    } else if (!sameBytes(src, dst)) {
      placeFile(src, dst, sameFileSystem);
    }
  }
}

/** Puts `src` at `dst`, replacing any file there in one step. */
function placeFile(src: string, dst: string, sameFileSystem: boolean): void {
  if (sameFileSystem) {
    fs.renameSync(src, dst);
  } else if (!fs.existsSync(dst)) {
    fs.copyFileSync(src, dst);
  } else {
    const beside = `${dst}.new-${process.pid}`;
    fs.copyFileSync(src, beside);
    fs.renameSync(beside, dst);
  }
}

/** Whether both files exist with the same content. */
function sameBytes(a: string, b: string): boolean {
  try {
    return fs.readFileSync(a).equals(fs.readFileSync(b));
  } catch {
    return false;
  }
}
