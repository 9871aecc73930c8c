#!/usr/bin/env bash
# The deploy tier (npm run test:deploy): rehearsals through the real cdktf CLI,
# OpenTofu and the AWS provider against the emulator, in three jest runs:
#   1. the scenarios, side by side (jest.rehearse.config.js);
#   2. the timed comparison of three consumers against one, alone, so that no
#      other rehearsal competes for the cores while it measures;
#   3. granted-vs-called, which reads the IAM call logs that 1 and 2 leave in
#      test/deploy/.calls.
# Installs what it needs first (the toolchain and the emulator's venv are
# idempotent). Any failure fails the tier.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/toolchain.sh
bash scripts/emulator.sh --setup-only
rm -rf test/deploy/.calls
npx jest -c jest.rehearse.config.js
npx jest -c jest.rehearse.config.js --testPathIgnorePatterns /node_modules/ --runTestsByPath test/deploy/rehearse-consumers.test.ts
npx jest -c jest.deploy.config.js --runTestsByPath test/deploy/granted-vs-called.test.ts
