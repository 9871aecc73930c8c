#!/usr/bin/env node
/**
 * Runs one of the project's TypeScript entry points fast: esbuild bundles the
 * project's own files (not node_modules) into node_modules/.cache, then node
 * runs the result. The bundle is rebuilt only when one of its inputs changed
 * (esbuild's metafile lists them), so a warm run costs one stat per file.
 * No type check here: `npm run typecheck` (tsc --noEmit) does that once.
 *
 * Usage: node scripts/run-ts.js <entry.ts> [args...]
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const entry = path.resolve(process.argv[2] ?? path.join(root, "main.ts"));
const cacheDir = path.join(root, "node_modules", ".cache", "redshift-endpoints");
const outfile = path.join(cacheDir, `${path.relative(root, entry).replace(/[\\/]/g, "_")}.js`);
const stampFile = `${outfile}.inputs.json`;

function upToDate() {
  try {
    const stamp = JSON.parse(fs.readFileSync(stampFile, "utf8"));
    return Object.entries(stamp).every(([file, mtimeMs]) => fs.statSync(path.join(root, file)).mtimeMs === mtimeMs);
  } catch {
    return false;
  }
}

if (!upToDate()) {
  const result = require("esbuild").buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    sourcemap: "inline",
    metafile: true,
    absWorkingDir: root,
    logLevel: "warning",
  });
  const stamp = {};
  for (const input of Object.keys(result.metafile.inputs)) stamp[input] = fs.statSync(path.join(root, input)).mtimeMs;
  stamp[path.relative(root, __filename)] = fs.statSync(__filename).mtimeMs;
  fs.writeFileSync(stampFile, JSON.stringify(stamp));
}
process.argv.splice(1, 2, outfile);
require(outfile);
