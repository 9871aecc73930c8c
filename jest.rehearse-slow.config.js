/**
 * The slow deploy-tier scenarios (`npm run test:deploy:slow`): each runs
 * longer than CI's budget allows (an endpoint past the provider's 10-minute
 * wait), so `npm run test:deploy` and CI leave them out, and each fails, not
 * skips, when REHEARSE_SLOW=1 is not set. Run them before a release; their
 * last output is in README.md ("Faults survived").
 */
const rehearse = require("./jest.rehearse.config.js");

module.exports = {
  ...rehearse,
  roots: ["<rootDir>/test/deploy/slow"],
  testPathIgnorePatterns: ["/node_modules/"],
  testTimeout: 30 * 60 * 1000,
};
