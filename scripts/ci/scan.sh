#!/usr/bin/env bash
# Policy scan: checkov (pinned, from PyPI, in a project-local virtualenv that
# this script creates) over every synthesized stack, terraform_json framework.
# Fails on any failed check. Suppressions live in code, on the resource, each
# with a written reason (modules/checkov), applied by lib/reports/checkov.ts.
set -euo pipefail
cd "$(dirname "$0")/../.."
CHECKOV_VERSION=3.3.30
VENV=.venv/checkov
start=$SECONDS

if ! "$VENV/bin/checkov" --version 2>/dev/null | grep -qx "$CHECKOV_VERSION"; then
  echo "[scan +$((SECONDS - start))s] installing checkov $CHECKOV_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi

echo "[scan +$((SECONDS - start))s] synthesizing"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
CDKTF_OUTDIR="$out/cdktf.out" node scripts/run-ts.js main.ts

echo "[scan +$((SECONDS - start))s] checkov $CHECKOV_VERSION over $(ls "$out/cdktf.out/stacks" | wc -l) stacks"
# checkov exits 1 on failures; the report step below decides, after applying
# the in-code suppressions that checkov's terraform_json runner ignores.
"$VENV/bin/checkov" --directory "$out/cdktf.out/stacks" --framework terraform_json \
  --quiet --compact --skip-download --output json "$@" > "$out/checkov.json" || true
node scripts/run-ts.js scripts/ci/report.ts scan "$out/cdktf.out/stacks" < "$out/checkov.json"
