/**
 * Deploy tier (`npm run test:deploy`): rehearsals through the real cdktf CLI,
 * OpenTofu and the AWS provider against the emulator (test/deploy/*, but the
 * emulator's own API tests, which `npm run test:emulator` runs). Each file
 * starts its own emulator on a free port and works in its own scratch folder,
 * so files run side by side: most of a rehearsal is the provider waiting for
 * endpoints, not the CPU.
 *
 * No test here is timed. How much the side-by-side deploy of consumers saves
 * is `npm run bench:deploy`, which `npm run test:deploy` runs afterwards on
 * its own, so that no other rehearsal competes for the two cores while it
 * measures.
 */
const deploy = require("./jest.deploy.config.js");

module.exports = {
  ...deploy,
  // Run by scripts/test-deploy.sh. The emulator's API tests are `npm run test:emulator`; test/deploy/slow is
  // `npm run test:deploy:slow`; granted-vs-called, which reads the call logs the scenarios leave, runs last.
  testPathIgnorePatterns: [
    "/node_modules/",
    "<rootDir>/test/deploy/emulator\\.test\\.ts$",
    "<rootDir>/test/deploy/slow/",
    "<rootDir>/test/deploy/granted-vs-called\\.test\\.ts$",
  ],
  maxWorkers: 3,
  // A rehearsal waits at least 30 s per endpoint create and delete (the provider's first poll).
  testTimeout: 20 * 60 * 1000,
};
