#!/usr/bin/env node
/**
 * `npm test`: the type check (`tsc --noEmit`, once for the whole project) and
 * the jest unit tier, run side by side: tsc takes one core while jest starts,
 * and jest (one worker per core, jest.config.js) has them all once tsc is
 * done. jest's output streams live; tsc's is printed when it ends. Fails when
 * either fails. Arguments go to jest (`npm test -- test/modules/redshift-endpoint.test.ts`).
 */

const { spawn } = require("node:child_process");
const path = require("node:path");

const bin = (name) => path.join(__dirname, "..", "..", "node_modules", ".bin", name);
const started = Date.now();

const tsc = spawn(bin("tsc"), ["--noEmit", "-p", "."], { stdio: ["ignore", "pipe", "pipe"] });
let tscOutput = "";
tsc.stdout.on("data", (d) => (tscOutput += d));
tsc.stderr.on("data", (d) => (tscOutput += d));
const tscDone = new Promise((resolve) => tsc.on("close", (code) => resolve(code ?? 1)));

const jest = spawn(bin("jest"), process.argv.slice(2), { stdio: "inherit" });
const jestDone = new Promise((resolve) => jest.on("close", (code) => resolve(code ?? 1)));

Promise.all([tscDone, jestDone]).then(([tscCode, jestCode]) => {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (tscCode === 0) {
    process.stdout.write(`typecheck (tsc --noEmit): passed\n`);
  } else {
    process.stdout.write(`typecheck (tsc --noEmit): FAILED\n${tscOutput}`);
  }
  process.stdout.write(`npm test: ${seconds}s, typecheck ${tscCode === 0 ? "ok" : "failed"}, jest ${jestCode === 0 ? "ok" : "failed"}\n`);
  process.exitCode = tscCode === 0 && jestCode === 0 ? 0 : 1;
});
