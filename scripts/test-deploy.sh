#!/usr/bin/env bash
# The deploy tier (npm run test:deploy): rehearsals through the real cdktf CLI,
# OpenTofu and the AWS provider against the emulator, in three runs:
#   1. the scenarios, side by side (jest.rehearse.config.js);
#   2. npm run bench:deploy: three consumers against one, measured alone so
#      that no other rehearsal competes for the cores, in interleaved rounds,
#      judged on the medians (lib/bench/deploy.ts); it fails the tier when the
#      target (within 1.5x) is missed;
#   3. granted-vs-called, which reads the IAM call logs that the scenarios of 1
#      leave in test/deploy/.calls (the bench deploys without IAM enforced:
#      it measures the deploy, nothing else).
# Installs what it needs first (the toolchain and the emulator's venv are
# idempotent). Any failure fails the tier.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/toolchain.sh
bash scripts/emulator.sh --setup-only
rm -rf test/deploy/.calls
npx jest -c jest.rehearse.config.js
npm run --silent bench:deploy
npx jest -c jest.deploy.config.js --runTestsByPath test/deploy/granted-vs-called.test.ts
