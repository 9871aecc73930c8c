/**
 * All-or-nothing synthesis.
 *
 * cdktf writes each stack's files as it goes and runs the app-level
 * validations only afterwards, so a failure in a later stack can leave new
 * files for earlier stacks beside old ones. Here every validation in the
 * whole tree runs first, then the app is synthesized into a staging folder
 * beside the output folder, and only a complete, valid result is moved into
 * place. A failure leaves the output folder exactly as it was. State files
 * live outside the output folder and are never touched.
 */
import { App } from "cdktf";
import { IConstruct } from "constructs";
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "./errors";

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
 * Gives `fill` a fresh staging folder beside `outdir`; when `fill` returns,
 * moves the staged synth into `outdir`. When it throws, `outdir` is left as it
 * was. The staging folder is removed either way.
 */
export function withStaging(outdir: string, fill: (staging: string) => void): void {
  const finalDir = path.resolve(outdir);
  fs.mkdirSync(path.dirname(finalDir), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(finalDir), `.${path.basename(finalDir)}.staging-`));
  try {
    fill(staging);
    commit(staging, finalDir);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
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
  Error.captureStackTrace = (target: object, constructorOpt?: Function) => {
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
  moveTree(staging, finalDir, (rel) => rel !== "manifest.json");
  fs.renameSync(path.join(staging, "manifest.json"), path.join(finalDir, "manifest.json"));
}

function moveTree(from: string, to: string, include: (relative: string) => boolean, prefix = ""): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (!include(rel)) continue;
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) {
      if (!fs.existsSync(dst)) {
        fs.renameSync(src, dst); // nothing there to keep: move the whole folder at once
        continue;
      }
      moveTree(src, dst, include, rel);
    } else if (!sameBytes(src, dst)) {
      fs.renameSync(src, dst);
    }
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
