#!/usr/bin/env bash
# Proves that the package installs and loads like any other dependency:
#   1. npm pack (runs `prepare` = `npm run build`, so dist/ is fresh);
#   2. checks the tarball holds dist/ with declarations and no sources or tests,
#      and no file outside what package.json exports and what those import
#      (the package report of scripts/ci/report.ts);
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

step "npm pack (builds dist/ through prepare)"
tarball="$(cd "$ROOT" && npm pack --silent --pack-destination "$WORK" | tail -n 1)"
[[ -f "$WORK/$tarball" ]] || fail "npm pack did not produce a tarball (got '$tarball')"

step "checking the contents of $tarball"
contents="$(tar -tzf "$WORK/$tarball")"
for required in package/package.json package/dist/modules/redshift-endpoint/index.js package/dist/modules/redshift-endpoint/index.d.ts \
  package/dist/stacks/producer-stack.d.ts package/dist/stacks/consumer-stack.d.ts package/dist/stacks/tfc-bootstrap-stack.d.ts \
  package/config/environments.schema.json; do
  grep -qx "$required" <<<"$contents" || fail "$required is missing from the tarball"
done
if unexpected="$(grep -E '^package/(test|scripts|examples|node_modules|cdktf\.out)/|^package/[^/]+\.ts$|^package/(lib|stacks|modules)/.*\.ts$' <<<"$contents")"; then
  fail "the tarball holds files that are not meant to ship:"$'\n'"$unexpected"
fi
mkdir -p "$WORK/unpacked"
tar -xzf "$WORK/$tarball" -C "$WORK/unpacked"
node "$ROOT/scripts/run-ts.js" "$ROOT/scripts/ci/report.ts" package "$WORK/unpacked/package" ||
  fail "the tarball holds files outside its exports and their imports"

step "installing the tarball into an empty project"
mkdir -p "$WORK/app"
cd "$WORK/app"
npm init -y >/dev/null
npm install --prefer-offline --no-audit --no-fund --loglevel=error "$WORK/$tarball" >/dev/null
[[ -d node_modules/redshift-managed-endpoints && ! -L node_modules/redshift-managed-endpoints ]] || fail "the package was not installed as a real folder"

step "requiring the package by name"
node -e '
  const assert = require("node:assert");
  const root = require("redshift-managed-endpoints");
  assert.strictEqual(typeof root.RedshiftManagedEndpoint, "function", "RedshiftManagedEndpoint is not exported");
  assert.strictEqual(typeof require("redshift-managed-endpoints/stacks/producer-stack").ProducerStack, "function");
  assert.strictEqual(typeof require("redshift-managed-endpoints/stacks/consumer-stack").ConsumerStack, "function");
  assert.strictEqual(typeof require("redshift-managed-endpoints/stacks/tfc-bootstrap-stack").TfcBootstrapStack, "function");
  assert.strictEqual(require("redshift-managed-endpoints/package.json").name, "redshift-managed-endpoints");
  assert.strictEqual(require("redshift-managed-endpoints/environments.schema.json").type, "object");
  assert.throws(() => require("redshift-managed-endpoints/dist/stacks/backend.js"), { code: "ERR_PACKAGE_PATH_NOT_EXPORTED" });
'

step "type-checking a consumer against the installed declarations"
cat >consumer.ts <<'EOF'
import { RedshiftManagedEndpoint, RedshiftManagedEndpointProps } from "redshift-managed-endpoints";
import { ProducerStack } from "redshift-managed-endpoints/stacks/producer-stack";
const props: Partial<RedshiftManagedEndpointProps> = { endpointName: "team-x-lake", subnetIds: ["subnet-0123abcd"] };
export const used = [RedshiftManagedEndpoint, ProducerStack, props];
EOF
for resolution in node16 node10; do
  module="$([[ $resolution == node16 ]] && echo node16 || echo commonjs)"
  "$ROOT/node_modules/.bin/tsc" --noEmit --strict --skipLibCheck --module "$module" --moduleResolution "$resolution" consumer.ts ||
    fail "the installed declarations do not type-check with moduleResolution $resolution"
done

step "OK: $tarball installs, loads and type-checks"
