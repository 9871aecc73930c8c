#!/usr/bin/env bash
# IAM policy lint: parliament (pinned, from PyPI, in a project-local virtualenv
# that this script creates) over every policy `npm run iam-policies` writes for
# the shipped config, deploy and verify documents alike, community auditors
# included. Fails on any finding that no suppression in lib/iam-policies.ts
# (LINT_SUPPRESSIONS, each with its reason) covers, and on a suppression that
# matched nothing. Before that, a canary policy with a misspelt action must be
# flagged, so a parliament that checks nothing cannot pass.
set -euo pipefail
cd "$(dirname "$0")/.."
PARLIAMENT_VERSION=1.6.4
VENV=.venv/iam-lint
start=$SECONDS

if ! "$VENV/bin/parliament" --version 2>/dev/null | grep -q "$PARLIAMENT_VERSION"; then
  echo "[iam-lint +$((SECONDS - start))s] installing parliament $PARLIAMENT_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "parliament==$PARLIAMENT_VERSION"
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# --directory, as --file refuses to run when stdin is not a terminal (as in CI).
lint() { "$VENV/bin/parliament" --include-community-auditors --json "$@" 2> "$out/stderr" || true; }

mkdir "$out/canary"
echo '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"redshift:DescribeClusterz","Resource":"*"}]}' > "$out/canary/canary.json"
lint --directory "$out/canary" > "$out/canary-findings.json"
if ! grep -q '"UNKNOWN_ACTION"' "$out/canary-findings.json"; then
  echo "iam-lint: parliament did not flag the canary's unknown action; it is not checking anything" >&2
  cat "$out/stderr" >&2
  exit 1
fi

echo "[iam-lint +$((SECONDS - start))s] generating policies"
node scripts/run-ts.js scripts/iam-policies.ts --out "$out/iam" > /dev/null

echo "[iam-lint +$((SECONDS - start))s] parliament $PARLIAMENT_VERSION over $(ls "$out/iam" | wc -l) documents"
lint --directory "$out/iam" > "$out/findings.json"
if [ -s "$out/stderr" ]; then
  echo "iam-lint: parliament wrote to stderr:" >&2
  cat "$out/stderr" >&2
  exit 1
fi
node scripts/run-ts.js scripts/iam-lint-report.ts "$out/iam" < "$out/findings.json"
