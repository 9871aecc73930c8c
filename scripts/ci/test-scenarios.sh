#!/usr/bin/env bash
# The deploy scenarios (npm run test:scenarios): rehearsals through the real
# cdktf CLI, OpenTofu and the AWS provider against the emulator, in three
# steps:
#   1. the scenarios, side by side (jest.scenarios.config.js); each enforced
#      rehearsal records its documents, stacks and IAM call log into
#      test/scenarios/.calls;
#   2. granted-vs-called, a report over those records (lib/rehearsal/
#      granted-vs-called.ts): every call granted, every grant called in some
#      scenario or explained in lib/iam/grants.ts; the stacks named below must
#      be among the records;
#   3. npm run bench:deploy: three consumers against one, measured alone so
#      that no other rehearsal competes for the cores, in interleaved rounds,
#      judged on the medians (lib/bench/deploy.ts); it fails the tier when the
#      target (within 1.5x) is missed.
# Installs what it needs first (the toolchain and the emulator's venv are
# idempotent). Any failure fails the tier.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/toolchain.sh
bash scripts/emulator.sh --setup-only
rm -rf test/scenarios/.calls
npx jest -c jest.scenarios.config.js
required=(dev-producer dev-consumer-bi trio-consumer-dns s3-consumer-bi runbook-consumer-bi zoneid-consumer-fin)
node scripts/run-ts.js scripts/ci/report.ts grants test/scenarios/.calls "${required[@]/#/--require=}"
npm run --silent bench:deploy
