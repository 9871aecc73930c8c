/** Unit tier: @swc/jest transpiles without type-checking; `npm run typecheck` checks types once. */
const { availableParallelism } = require("node:os");

module.exports = {
  // One worker per core, not jest's default of one fewer: `npm test` runs
  // tsc beside jest, and once tsc is done (about 9 s of about 25) jest would
  // otherwise leave a core idle. Measured on 2 cores: 29.4 s -> 25.4 s.
  maxWorkers: availableParallelism(),
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // The emulator's API tests and the deploy scenarios need Python, the emulator and the engine:
  // jest.emulator.config.js and jest.scenarios.config.js.
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/emulator/", "<rootDir>/test/scenarios/"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
  testTimeout: 30000,
};
