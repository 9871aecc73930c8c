#!/usr/bin/env bash
# Real-engine tier: every synthesized stack through OpenTofu and a real
# hashicorp/aws provider binary, offline. See docs/terraform-tier.md.
#
#   npm run test:terraform          (= bash scripts/ci/test-terraform.sh)
#
# 1. scripts/toolchain.sh (idempotent): tofu, the filesystem mirror, tofurc and
#    provider.env, which names the provider version to validate against.
# 2. Synthesizes the shipped config and the fixture stacks of
#    test/terraform/fixtures into a temporary folder.
# 3. Per stack, in a scratch copy: `tofu init -backend=false` through the
#    mirror, then `tofu validate`. When the exact provider version is not
#    obtainable, the copy's terraform.required_providers.aws.version is
#    rewritten to the fallback's version first, with a NOTICE.
# 4. A scratch copy with an argument the provider does not have must fail
#    validate: proof that validate checks against the real schema.
# 5. `tofu test` (mocked provider, command = plan) in each stack that has a
#    folder test/terraform/<stack>/: its *.tftest.hcl files go to the copy's
#    tests/. Every run of a plain file must pass; its `# expect-plan <run>:
#    <type>=<n> ...` comment fixes the exact resources the run plans. Every
#    expect-error-*.tftest.hcl file must fail, with each of its
#    `# expect-error: <text>` texts in its diagnostics.
#
# Every judgement on what tofu wrote, and every edit of a stack copy, is done
# by the tofu reports of scripts/ci/report.ts (logic and unit tests: lib/reports/tofu-test.ts,
# test/reports/tofu-test.test.ts); this script only runs the commands.
#
# Ends with the line "<N> passed, <M> failed" and exits 1 on any failure.
# When no hashicorp/aws binary exists at all, prints "test:terraform SKIPPED: ..."
# and exits 0, except in CI (CI=true), where it fails: a tier that cannot run
# never passes there.
#
# Environment: TEST_TERRAFORM_KEEP=1 keeps the scratch folder (its path is printed).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/redshift-endpoints"
TESTS_SRC="$REPO_ROOT/test/terraform"
# The tier's checks: `report <command> <args...>`; exit 0 ok, 1 failed (a failed check, or one that could not run: its
# message says which), 2 bad usage.
report() { node "$REPO_ROOT/scripts/run-ts.js" "$REPO_ROOT/scripts/ci/report.ts" "$@"; }
START=$EPOCHREALTIME

elapsed() { awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", b - a }'; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf '[test:terraform +%ss] %s\n' "$(elapsed)" "$*"; }

passed=0
failed=0
failures=()
pass() {
  passed=$((passed + 1))
  log "PASS $*"
}
fail() {
  failed=$((failed + 1))
  failures+=("$1")
  log "FAIL $*"
}
summary_and_exit() {
  echo
  if ((failed > 0)); then
    echo "Failed cases:"
    printf '  - %s\n' "${failures[@]}"
  fi
  echo "$passed passed, $failed failed"
  if ((failed > 0)); then exit 1; fi
  exit 0
}

# --- 1. toolchain -------------------------------------------------------------
log "toolchain (scripts/toolchain.sh)"
if ! bash "$REPO_ROOT/scripts/toolchain.sh"; then
  fail "toolchain: scripts/toolchain.sh failed"
  summary_and_exit
fi

AWS_PROVIDER_WANTED="" AWS_PROVIDER_USED="" AWS_PROVIDER_SOURCE=""
[[ -f "$CACHE/provider.env" ]] || {
  fail "toolchain: $CACHE/provider.env missing"
  summary_and_exit
}
while IFS='=' read -r key value; do
  case "$key" in
  AWS_PROVIDER_WANTED | AWS_PROVIDER_USED | AWS_PROVIDER_SOURCE) printf -v "$key" '%s' "$value" ;;
  esac
done <"$CACHE/provider.env"

if [[ -z "$AWS_PROVIDER_USED" ]]; then
  why="no hashicorp/aws provider binary available (v$AWS_PROVIDER_WANTED is not obtainable and"
  why="$why ${REDSHIFT_ENDPOINTS_AWS_PROVIDER_DIRS:-/opt/tf-plugins} holds no other version; see docs/terraform-tier.md)"
  # In CI a tier that cannot run fails: a green run must mean the stacks were checked.
  if [[ "${CI:-}" == "true" ]]; then
    echo "test:terraform FAILED: cannot run in CI: $why" >&2
    exit 1
  fi
  echo "test:terraform SKIPPED: $why"
  exit 0
fi
fallback=""
if [[ "$AWS_PROVIDER_USED" != "$AWS_PROVIDER_WANTED" ]]; then
  fallback="$AWS_PROVIDER_USED"
  echo
  echo "NOTICE: validating against hashicorp/aws $AWS_PROVIDER_USED because $AWS_PROVIDER_WANTED is not obtainable here (see docs/terraform-tier.md)"
  echo "NOTICE: binary $AWS_PROVIDER_SOURCE; why and how to point the tier at v$AWS_PROVIDER_WANTED: docs/terraform-tier.md"
  echo
else
  log "provider: hashicorp/aws $AWS_PROVIDER_USED (exact)"
fi

export TF_CLI_CONFIG_FILE="$CACHE/tofurc"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset TF_DATA_DIR TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_validate TF_CLI_ARGS_test
TOFU="$CACHE/bin/tofu"
PLATFORM="$(go env GOOS)_$(go env GOARCH)"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/test-terraform.XXXXXX")"
if [[ "${TEST_TERRAFORM_KEEP:-}" == 1 ]]; then
  log "keeping scratch folder $TMP"
else
  trap 'rm -rf "$TMP"' EXIT
fi

# --- 2. synth -----------------------------------------------------------------
t=$EPOCHREALTIME
if ! (cd "$REPO_ROOT" && env -u REDSHIFT_ENDPOINTS_CONFIG CDKTF_OUTDIR="$TMP/cdktf.out" node scripts/run-ts.js main.ts); then
  fail "synth: shipped config"
  summary_and_exit
fi
log "synthesized the shipped config in $(since "$t")s"
for fixture in "$TESTS_SRC"/fixtures/*.ts; do
  [[ -f "$fixture" ]] || continue
  name="$(basename "$fixture" .ts)"
  t=$EPOCHREALTIME
  if (cd "$REPO_ROOT" && node scripts/run-ts.js "${fixture#"$REPO_ROOT/"}" "$TMP/fixtures/$name"); then
    log "synthesized fixture $name in $(since "$t")s"
  else
    fail "synth: fixture $name"
  fi
done

# --- 3. init + validate -------------------------------------------------------
declare -A WORK=()
stacks=()
for dir in "$TMP"/cdktf.out/stacks/*/ "$TMP"/fixtures/*/stacks/*/; do
  [[ -f "$dir/cdk.tf.json" ]] || continue
  stack="$(basename "$dir")"
  work="$TMP/work/$stack"
  mkdir -p "$TMP/work"
  cp -r "$dir" "$work"
  # Rewrites only terraform.required_providers.aws.version of the copy.
  if [[ -n "$fallback" ]] && ! report pin-provider "$work/cdk.tf.json" "$fallback"; then
    fail "init $stack: could not rewrite the provider version"
    continue
  fi
  t=$EPOCHREALTIME
  if ! (cd "$work" && "$TOFU" init -backend=false -input=false -no-color >"$work.init.log" 2>&1); then
    fail "init $stack"
    sed 's/^/    /' "$work.init.log"
    continue
  fi
  how="copied"
  [[ -L "$work/.terraform/providers/registry.opentofu.org/hashicorp/aws/$AWS_PROVIDER_USED/$PLATFORM" ]] && how="linked from the mirror"
  log "init $stack: $(since "$t")s (provider $how)"
  t=$EPOCHREALTIME
  if (cd "$work" && "$TOFU" validate -no-color >"$work.validate.log" 2>&1); then
    pass "validate $stack ($(since "$t")s)"
    WORK[$stack]="$work"
    stacks+=("$stack")
  else
    fail "validate $stack"
    sed 's/^/    /' "$work.validate.log"
  fi
done

# --- 4. the engine rejects what the provider does not have ---------------------
bogus_case="validate rejects an argument aws_security_group does not have"
bogus_files=()
for stack in "${stacks[@]}"; do bogus_files+=("${WORK[$stack]}/cdk.tf.json"); done
if ((${#bogus_files[@]} == 0)) || ! bogus_file="$(report first-with-resource aws_security_group "${bogus_files[@]}")"; then
  fail "$bogus_case: no validated stack has an aws_security_group"
else
  bogus_source="$(basename "$(dirname "$bogus_file")")"
  bogus="$TMP/work/bogus-argument"
  cp -a "${WORK[$bogus_source]}" "$bogus" # keeps .terraform: no second init
  t=$EPOCHREALTIME
  if ! report add-bogus-argument "$bogus/cdk.tf.json" aws_security_group; then
    fail "$bogus_case: could not add the argument to the copy of $bogus_source"
  elif (cd "$bogus" && "$TOFU" validate -json -no-color >"$bogus.validate.json" 2>"$bogus.validate.stderr"); then
    fail "$bogus_case: validate accepted it"
  elif why="$(report bogus-rejected "$bogus.validate.json")"; then
    pass "$bogus_case (copy of $bogus_source; $why; $(since "$t")s)"
  elif [[ -n "$why" ]]; then
    fail "$bogus_case: $why"
  else
    fail "$bogus_case: could not read the output of tofu validate -json"
    sed 's/^/    /' "$bogus.validate.json" "$bogus.validate.stderr"
  fi
fi

# --- 5. tofu test -------------------------------------------------------------
for dir in "$TESTS_SRC"/*/; do
  stack="$(basename "$dir")"
  [[ "$stack" == fixtures ]] && continue
  if [[ -z "${WORK[$stack]:-}" ]]; then
    fail "tofu test $stack: no validated stack of that name (test/terraform/$stack/)"
    continue
  fi
  work="${WORK[$stack]}"
  mkdir -p "$work/tests"
  cp "$dir"*.tftest.hcl "$work/tests/"
  t=$EPOCHREALTIME
  # Exit status is judged per file and run below; an expect-error file makes it non-zero.
  # stdout is JSON lines only (the judge fails on any other line); stderr is kept apart.
  (cd "$work" && "$TOFU" test -json -verbose -no-color >"$work.test.jsonl" 2>"$work.test.stderr") || true
  log "tofu test $stack: $(ls "$work/tests" | wc -l) file(s) in $(since "$t")s"
  if [[ -s "$work.test.stderr" ]]; then
    log "tofu test $stack wrote to stderr:"
    sed 's/^/    /' "$work.test.stderr"
  fi
  # One "PASS <case>" or "FAIL <case>: why" line per case, then indented detail lines.
  judged=0
  report tofu-judge "$work.test.jsonl" "$work/tests" >"$work.judge.txt" || judged=$?
  while IFS= read -r line; do
    case "$line" in
    "PASS "*) pass "tofu test $stack: ${line#PASS }" ;;
    "FAIL "*) fail "tofu test $stack: ${line#FAIL }" ;;
    *) printf '%s\n' "$line" ;;
    esac
  done <"$work.judge.txt"
  # A failed judgement prints at least one FAIL line; a non-zero exit without one means the judge itself could not run.
  if ((judged != 0)) && ! grep -q '^FAIL ' "$work.judge.txt"; then fail "tofu test $stack: could not judge the output of tofu test (exit $judged)"; fi
done

log "done"
summary_and_exit
