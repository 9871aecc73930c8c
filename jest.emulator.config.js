/**
 * The emulator's API tests (`npm run test:emulator`): test/emulator, each
 * operation and each documented error called through the AWS SDK against the
 * real emulator (emulator/, started per file by lib/rehearsal/emulator.ts),
 * as moto tests a service. Needs python3; creates .venv/emulator on first run.
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test/emulator"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  // One emulator per file; files run one at a time so their servers never compete.
  maxWorkers: 1,
  // A first run installs the venv (about a minute) inside beforeAll.
  testTimeout: 60000,
};
