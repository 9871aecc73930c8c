/**
 * The layers and their one direction (.dependency-cruiser.cjs; drawn in
 * docs/architecture.md): the repository keeps them, and each rule really
 * fails on a tree that breaks it (test/fixtures/layers).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.join(__dirname, "..", "..");
const depcruise = path.join(root, "node_modules", ".bin", "depcruise");
const ruleSet = path.join(root, ".dependency-cruiser.cjs");

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

/** Runs dependency-cruiser over `targets` inside `cwd` with the repository's rules; returns what it prints. */
function depcruiseOutput(cwd: string, targets: readonly string[], outputType: "json" | "err"): string {
  const r = spawnSync(depcruise, [...targets, "--config", ruleSet, "--output-type", outputType], { cwd, encoding: "utf8" });
  if (r.error) throw r.error;
  return r.stdout;
}

function violations(cwd: string, targets: readonly string[]): string[] {
  const report = JSON.parse(depcruiseOutput(cwd, targets, "json")) as { summary: { violations: Violation[] } };
  return report.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

const fixture = path.join(__dirname, "..", "fixtures", "layers");

describe("layers", () => {
  test("the repository has no circle and no upward import", () => {
    expect(violations(root, ["main.ts", "lib", "stacks", "modules", "scripts"])).toEqual([]);
  });

  test("lib/ holds folders only, one per concern", () => {
    const entries = fs.readdirSync(path.join(root, "lib"), { withFileTypes: true });
    expect(entries.filter((e) => !e.isDirectory()).map((e) => e.name)).toEqual([]);
  });

  test("fails on an upward import, real-AWS code importing the harness, a module reaching outside its folder, a circle and a package in synth-pool, naming the rule and both files", () => {
    const text = depcruiseOutput(fixture, ["."], "err");
    const found = text
      .split("\n")
      .filter((line) => line.trimStart().startsWith("error "))
      // The path to node_modules depends on where the checkout sits (a worktree links it); the package does not.
      .map((line) => line.trim().replace(/→ \S*node_modules\//, "→ node_modules/"))
      .sort();
    expect(found).toEqual([
      "error module-self-contained: modules/m/index.ts → lib/config/c.ts",
      "error no-circular: stacks/a.ts →", // the circle itself follows on the next lines
      "error no-upward-from-lib-config: lib/config/c.ts → lib/app/s.ts",
      "error no-upward-from-lib-operations: lib/operations/o.ts → lib/rehearsal/h.ts",
      "error no-upward-from-modules: modules/m/index.ts → lib/config/c.ts",
      "error real-aws-apart-from-harness: lib/operations/o.ts → lib/rehearsal/h.ts",
      "error synth-pool-built-ins-only: lib/synth/synth-pool.ts → node_modules/cdktf/lib/index.js",
    ]);
    expect(text).toMatch(/x 7 dependency violations \(7 errors, 0 warnings\)/);
  });
});
