/**
 * The deploy scenarios (`npm run test:scenarios`): test/scenarios, rehearsals
 * through the real cdktf CLI, OpenTofu and the AWS provider against the
 * emulator, each file with its own emulator on a free port and its own scratch
 * folder, so files run side by side: most of a rehearsal is the provider
 * waiting for endpoints, not the CPU. test/scenarios/slow is
 * jest.scenarios-slow.config.js.
 *
 * No test here is timed: how much the side-by-side deploy of consumers saves
 * is `npm run bench:deploy`, run after the scenarios on its own.
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test/scenarios"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/scenarios/slow/"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  maxWorkers: 3,
  // A rehearsal waits at least 30 s per endpoint create and delete (the provider's first poll).
  testTimeout: 20 * 60 * 1000,
};
