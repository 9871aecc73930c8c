/**
 * The slow deploy scenario (`npm run test:scenarios:slow`, REHEARSE_SLOW=1):
 * an endpoint past the provider's 10-minute wait. Not in CI, whose budget it
 * exceeds; without the flag the test fails, it never skips.
 */
const scenarios = require("./jest.scenarios.config.js");

module.exports = {
  ...scenarios,
  roots: ["<rootDir>/test/scenarios/slow"],
  testPathIgnorePatterns: ["/node_modules/"],
  maxWorkers: 1,
  testTimeout: 30 * 60 * 1000,
};
