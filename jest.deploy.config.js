/**
 * Deploy tier (`npm run test:emulator`): tests against the AWS emulator
 * (emulator/, started per test file by lib/operations/emulator.ts). Needs
 * python3; creates .venv/emulator on first run. Not part of `npm test`.
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test/deploy"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  // One emulator per file; files run one at a time so their servers never compete.
  maxWorkers: 1,
  // A first run installs the venv (about a minute) inside beforeAll.
  testTimeout: 60000,
};
