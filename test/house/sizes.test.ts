/**
 * The house's proportions, held by a test so they stay true: no source folder
 * holds more than 10 files, no folder holds more than 20% of the code, and no
 * TypeScript or JavaScript script is over 150 lines (a script parses nothing
 * and decides nothing: it runs a command of lib/).
 *
 * Code is every TypeScript, JavaScript, Python and shell file of the sources
 * (main.ts, lib/, stacks/, modules/, scripts/, emulator/); tests, fixtures,
 * examples and generated files are not code here.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const SOURCES = ["main.ts", "lib", "stacks", "modules", "scripts", "emulator"];
const CODE = /\.(ts|js|cjs|py|sh)$/;

/** Every code file under the sources, with its line count, as a path from the root. */
function codeFiles(): Array<{ file: string; lines: number }> {
  const found: Array<{ file: string; lines: number }> = [];
  const visit = (rel: string) => {
    const abs = path.join(ROOT, rel);
    if (fs.statSync(abs).isDirectory()) {
      for (const entry of fs.readdirSync(abs)) if (entry !== "__pycache__" && !entry.startsWith(".")) visit(path.join(rel, entry));
    } else if (CODE.test(rel)) found.push({ file: rel, lines: fs.readFileSync(abs, "utf8").split("\n").length - 1 });
  };
  for (const source of SOURCES) visit(source);
  return found;
}

const files = codeFiles();
const total = files.reduce((n, f) => n + f.lines, 0);
const byFolder = new Map<string, Array<{ file: string; lines: number }>>();
for (const f of files) byFolder.set(path.dirname(f.file), [...(byFolder.get(path.dirname(f.file)) ?? []), f]);

test("reads the whole house", () => {
  expect(files.map((f) => f.file)).toEqual(expect.arrayContaining(["main.ts", "lib/cli/command.ts", "emulator/server.py", "scripts/toolchain.sh"]));
  expect(total).toBeGreaterThan(10_000);
});

test("no source folder holds more than 10 files", () => {
  const crowded = [...byFolder].filter(([, f]) => f.length > 10).map(([folder, f]) => `${folder}: ${f.length} files`);
  expect(crowded).toEqual([]);
});

test("no folder holds more than 20% of the code", () => {
  const heavy = [...byFolder]
    .map(([folder, f]) => ({ folder, share: f.reduce((n, x) => n + x.lines, 0) / total }))
    .filter((f) => f.share > 0.2)
    .map((f) => `${f.folder}: ${(f.share * 100).toFixed(1)}%`);
  expect(heavy).toEqual([]);
});

test("no TypeScript or JavaScript script is over 150 lines", () => {
  const long = files.filter((f) => /^scripts\/.*\.(ts|js)$/.test(f.file) && f.lines > 150).map((f) => `${f.file}: ${f.lines} lines`);
  expect(long).toEqual([]);
});
