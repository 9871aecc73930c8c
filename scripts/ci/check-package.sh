#!/usr/bin/env bash
# Proves that the package installs and loads like any other dependency:
#   1. npm run build: compiles the exported entry points into dist/ and makes
#      dist/ the package's root (its package.json from the root's `publish`
#      block, the module's own README); npm pack dist;
#   2. checks the tarball holds the module's README (not the app's), the
#      declarations and no sources or tests, and no file outside what its
#      package.json exports and what those import (the package report of
#      scripts/ci/report.ts);
#   3. installs the tarball (a real install, not a symlink) into an empty
#      project in a temp folder outside the repository;
#   4. requires the package by name and its stack entry points, and
#      type-checks a consumer file against the installed declarations.
#
#   bash scripts/ci/check-package.sh
#
# Dependencies come from the npm cache when it has them (--prefer-offline).
# Exit 0 when every check passes; the temp folder is removed either way.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/rme-package-check-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
start=$SECONDS
step() { printf '[check-package +%ss] %s\n' "$((SECONDS - start))" "$*"; }
fail() {
  printf '[check-package +%ss] FAILED: %s\n' "$((SECONDS - start))" "$*" >&2
  exit 1
}

step "npm run build, then npm pack dist"
(cd "$ROOT" && npm run --silent build >/dev/null)
tarball="$(cd "$ROOT" && npm pack ./dist --silent --pack-destination "$WORK" | tail -n 1)"
[[ -f "$WORK/$tarball" ]] || fail "npm pack did not produce a tarball (got '$tarball')"

step "checking the contents of $tarball"
contents="$(tar -tzf "$WORK/$tarball")"
for required in package/package.json package/README.md package/modules/redshift-endpoint/index.js package/modules/redshift-endpoint/index.d.ts \
  package/stacks/producer-stack.d.ts package/stacks/consumer-stack.d.ts package/stacks/tfc-bootstrap-stack.d.ts \
  package/environments.schema.json; do
  grep -qx "$required" <<<"$contents" || fail "$required is missing from the tarball"
done
if unexpected="$(grep -E '^package/(test|scripts|examples|node_modules|cdktf\.out|config)/|^package/[^/]+\.ts$|^package/.*[^d]\.ts$' <<<"$contents")"; then
  fail "the tarball holds files that are not meant to ship:"$'\n'"$unexpected"
fi
mkdir -p "$WORK/unpacked"
tar -xzf "$WORK/$tarball" -C "$WORK/unpacked"
cmp -s "$WORK/unpacked/package/README.md" "$ROOT/modules/redshift-endpoint/README.md" || fail "the package's README is not modules/redshift-endpoint/README.md"
node "$ROOT/scripts/run-ts.js" "$ROOT/scripts/ci/report.ts" package "$WORK/unpacked/package" ||
  fail "the tarball holds files outside its exports and their imports"

step "installing the tarball into an empty project"
mkdir -p "$WORK/app"
cd "$WORK/app"
npm init -y >/dev/null
npm install --prefer-offline --no-audit --no-fund --loglevel=error "$WORK/$tarball" >/dev/null
[[ -d node_modules/redshift-managed-endpoints && ! -L node_modules/redshift-managed-endpoints ]] || fail "the package was not installed as a real folder"

step "requiring the package by name (test/fixtures/package-consumer/load.cjs)"
cp "$ROOT/test/fixtures/package-consumer/load.cjs" "$ROOT/test/fixtures/package-consumer/consumer.ts" .
node load.cjs || fail "the installed package does not load as test/fixtures/package-consumer/load.cjs expects"

step "type-checking a consumer against the installed declarations (test/fixtures/package-consumer/consumer.ts)"
for resolution in node16 node10; do
  module="$([[ $resolution == node16 ]] && echo node16 || echo commonjs)"
  "$ROOT/node_modules/.bin/tsc" --noEmit --strict --skipLibCheck --module "$module" --moduleResolution "$resolution" consumer.ts ||
    fail "the installed declarations do not type-check with moduleResolution $resolution"
done

step "OK: $tarball installs, loads and type-checks"
