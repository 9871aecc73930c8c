#!/usr/bin/env bash
# Real-engine tier: every synthesized stack through OpenTofu and a real
# hashicorp/aws provider binary, offline. See docs/terraform-tier.md.
#
#   npm run test:terraform          (= bash scripts/test-terraform.sh)
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
# Ends with the line "<N> passed, <M> failed" and exits 1 on any failure.
# When no hashicorp/aws binary exists at all, prints "test:terraform SKIPPED: ..."
# and exits 0, except in CI (CI=true), where it fails: a tier that cannot run
# never passes there.
#
# Environment: TEST_TERRAFORM_KEEP=1 keeps the scratch folder (its path is printed).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/redshift-endpoints"
TESTS_SRC="$REPO_ROOT/test/terraform"
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
  echo "NOTICE: validating against hashicorp/aws $AWS_PROVIDER_USED because $AWS_PROVIDER_WANTED is not obtainable here (see README)"
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
# Rewrites only terraform.required_providers.aws.version of a stack copy.
pin_provider_version() {
  node -e '
    const fs = require("fs");
    const [file, version] = process.argv.slice(1);
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    const aws = json.terraform?.required_providers?.aws;
    if (!aws) { console.error(`${file}: no terraform.required_providers.aws`); process.exit(1); }
    aws.version = version;
    fs.writeFileSync(file, JSON.stringify(json, null, 2));
  ' "$1" "$2"
}

declare -A WORK=()
stacks=()
for dir in "$TMP"/cdktf.out/stacks/*/ "$TMP"/fixtures/*/stacks/*/; do
  [[ -f "$dir/cdk.tf.json" ]] || continue
  stack="$(basename "$dir")"
  work="$TMP/work/$stack"
  mkdir -p "$TMP/work"
  cp -r "$dir" "$work"
  if [[ -n "$fallback" ]] && ! pin_provider_version "$work/cdk.tf.json" "$fallback"; then
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
bogus_source=""
for stack in "${stacks[@]}"; do
  if node -e 'process.exit(require(process.argv[1]).resource?.aws_security_group ? 0 : 1)' "${WORK[$stack]}/cdk.tf.json"; then
    bogus_source="$stack"
    break
  fi
done
if [[ -z "$bogus_source" ]]; then
  fail "$bogus_case: no validated stack has an aws_security_group"
else
  bogus="$TMP/work/bogus-argument"
  cp -a "${WORK[$bogus_source]}" "$bogus" # keeps .terraform: no second init
  node -e '
    const fs = require("fs");
    const file = process.argv[1];
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const sg of Object.values(json.resource.aws_security_group)) sg.bogus_argument = 1;
    fs.writeFileSync(file, JSON.stringify(json, null, 2));
  ' "$bogus/cdk.tf.json"
  t=$EPOCHREALTIME
  expected='No argument or block type is named "bogus_argument".'
  if (cd "$bogus" && "$TOFU" validate -json -no-color >"$bogus.validate.json" 2>&1); then
    fail "$bogus_case: validate accepted it"
  elif node -e '
    const out = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    process.exit((out.diagnostics ?? []).some((d) => d.severity === "error" && d.detail === process.argv[2]) ? 0 : 1);
  ' "$bogus.validate.json" "$expected"; then
    pass "$bogus_case (copy of $bogus_source; tofu: '$expected'; $(since "$t")s)"
  else
    fail "$bogus_case: validate failed without the message '$expected'"
    sed 's/^/    /' "$bogus.validate.json"
  fi
fi

# --- 5. tofu test -------------------------------------------------------------
# Judges one `tofu test -json -verbose` run: prints "PASS <case>" / "FAIL <case>: why"
# lines, one per run of a plain file and one per expect-error file.
cat >"$TMP/judge.js" <<'EOF'
"use strict";
const fs = require("fs");
const path = require("path");
const [jsonFile, testsDir] = process.argv.slice(2);
const events = fs.readFileSync(jsonFile, "utf8").split("\n").filter(Boolean).map((line) => {
  try { return JSON.parse(line); } catch { return { type: "text", "@message": line }; }
});
const files = fs.readdirSync(testsDir).filter((f) => f.endsWith(".tftest.hcl")).sort();
const abstract = events.find((e) => e.type === "test_abstract")?.test_abstract ?? {};
const runs = new Map(); // "<file>\0<run>" -> { status, diagnostics, plan }
const key = (file, run) => `${file}\0${run}`;
const entry = (file, run) => {
  if (!runs.has(key(file, run))) runs.set(key(file, run), { status: undefined, diagnostics: [], plan: undefined });
  return runs.get(key(file, run));
};
const fileDiagnostics = new Map();
for (const e of events) {
  const file = e["@testfile"], run = e["@testrun"];
  if (e.type === "test_run") entry(file, run).status = e.test_run.status;
  if (e.type === "test_plan" && file && run) entry(file, run).plan = e.test_plan;
  if (e.type === "diagnostic" && e.diagnostic.severity === "error") {
    const text = `${e.diagnostic.summary}: ${e.diagnostic.detail ?? ""}`.replace(/\s+/g, " ");
    if (file && run) entry(file, run).diagnostics.push(text);
    else if (file) fileDiagnostics.set(file, [...(fileDiagnostics.get(file) ?? []), text]);
    else fileDiagnostics.set("", [...(fileDiagnostics.get("") ?? []), text]);
  }
}
const show = (list) => list.map((d) => `\n      ${d}`).join("");
const out = [];
for (const name of files) {
  const file = `tests/${name}`;
  const source = fs.readFileSync(path.join(testsDir, name), "utf8");
  const runNames = abstract[file];
  const loose = [...(fileDiagnostics.get(file) ?? []), ...(fileDiagnostics.get("") ?? [])];
  if (!runNames) {
    out.push(`FAIL ${file}: tofu did not run it${show(loose)}`);
    continue;
  }
  if (name.startsWith("expect-error-")) {
    const wanted = [...source.matchAll(/^#\s*expect-error:\s*(.+?)\s*$/gm)].map((m) => m[1].replace(/\s+/g, " "));
    const failedRuns = runNames.filter((r) => ["fail", "error"].includes(runs.get(key(file, r))?.status));
    const diagnostics = [...loose, ...runNames.flatMap((r) => runs.get(key(file, r))?.diagnostics ?? [])];
    const missing = wanted.filter((w) => !diagnostics.some((d) => d.includes(w)));
    if (!wanted.length) out.push(`FAIL ${file}: no "# expect-error: <text>" line`);
    else if (!failedRuns.length) out.push(`FAIL ${file}: expected the plan to fail, but it passed`);
    else if (missing.length) out.push(`FAIL ${file}: failed, but without ${missing.map((m) => JSON.stringify(m)).join(", ")}; got:${show(diagnostics)}`);
    else out.push(`PASS ${file}: fails with ${wanted.map((m) => JSON.stringify(m)).join(", ")}`);
    continue;
  }
  const expectPlan = new Map();
  for (const m of source.matchAll(/^#\s*expect-plan\s+(\S+):\s*(.+?)\s*$/gm)) {
    expectPlan.set(m[1], Object.fromEntries(m[2].split(/\s+/).map((kv) => kv.split("=")).map(([t, n]) => [t, Number(n)])));
  }
  for (const r of expectPlan.keys()) if (!runNames.includes(r)) out.push(`FAIL ${file}: expect-plan names run "${r}", which the file does not have`);
  // `# expect-actions <run>: <type>=<action>,<action> ...`: every planned change of that type has exactly
  // these actions, in this order (delete,create is destroy-then-create; create,delete would be create-before-destroy).
  const expectActions = new Map();
  for (const m of source.matchAll(/^#\s*expect-actions\s+(\S+):\s*(.+?)\s*$/gm)) {
    expectActions.set(m[1], Object.fromEntries(m[2].split(/\s+/).map((kv) => kv.split("="))));
  }
  for (const r of expectActions.keys()) if (!runNames.includes(r)) out.push(`FAIL ${file}: expect-actions names run "${r}", which the file does not have`);
  for (const r of runNames) {
    const res = runs.get(key(file, r)) ?? { status: "missing", diagnostics: [] };
    const label = `${file} run "${r}"`;
    if (res.status !== "pass") {
      out.push(`FAIL ${label}: ${res.status}${show([...loose, ...res.diagnostics])}`);
      continue;
    }
    const wantActions = expectActions.get(r);
    if (wantActions) {
      const changes = (res.plan?.resource_changes ?? []).filter((c) => c.mode === "managed");
      const wrong = Object.entries(wantActions).flatMap(([t, actions]) => {
        const ofType = changes.filter((c) => c.type === t);
        if (!ofType.length) return [`${t}: no planned change, expected ${actions}`];
        return ofType.filter((c) => c.change.actions.join(",") !== actions).map((c) => `${c.address}: planned ${c.change.actions.join(",")}, expected ${actions}`);
      });
      if (wrong.length) {
        out.push(`FAIL ${label}: actions differ:${show(wrong)}`);
        continue;
      }
      out.push(`PASS ${label} (${Object.entries(wantActions).map(([t, a]) => `${t} ${a}`).join("; ")})`);
      continue;
    }
    const want = expectPlan.get(r);
    if (want) {
      const got = {};
      for (const c of res.plan?.resource_changes ?? []) {
        if (c.mode !== "managed" || c.change.actions.join() === "no-op") continue;
        got[c.type] = (got[c.type] ?? 0) + 1;
      }
      const types = [...new Set([...Object.keys(want), ...Object.keys(got)])].sort();
      const diff = types.filter((t) => (want[t] ?? 0) !== (got[t] ?? 0)).map((t) => `${t}: planned ${got[t] ?? 0}, expected ${want[t] ?? 0}`);
      if (diff.length) {
        out.push(`FAIL ${label}: plan differs:${show(diff)}`);
        continue;
      }
      out.push(`PASS ${label} (plans ${types.map((t) => `${got[t]} ${t}`).join(", ")})`);
    } else {
      out.push(`PASS ${label}`);
    }
  }
}
process.stdout.write(out.join("\n") + "\n");
EOF

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
  (cd "$work" && "$TOFU" test -json -verbose -no-color >"$work.test.json" 2>&1) || true
  log "tofu test $stack: $(ls "$work/tests" | wc -l) file(s) in $(since "$t")s"
  while IFS= read -r line; do
    case "$line" in
    "PASS "*) pass "tofu test $stack: ${line#PASS }" ;;
    "FAIL "*) fail "tofu test $stack: ${line#FAIL }" ;;
    *) printf '%s\n' "$line" ;;
    esac
  done < <(node "$TMP/judge.js" "$work.test.json" "$work/tests" || echo "FAIL could not read the output of tofu test")
done

log "done"
summary_and_exit
