#!/usr/bin/env bash
# Offline Terraform engine toolchain: OpenTofu + the hashicorp/aws provider,
# built from Go modules and installed into a filesystem mirror so that
# `tofu init` never goes online.
#
#   npm run toolchain          (= bash scripts/toolchain.sh)
#
# Installs into ${XDG_CACHE_HOME:-$HOME/.cache}/redshift-endpoints/:
#   bin/tofu
#   mirror/registry.opentofu.org/hashicorp/aws/<v>/<os>_<arch>/terraform-provider-aws_v<v>
#   mirror/registry.terraform.io/hashicorp/aws/<v>/<os>_<arch>/terraform-provider-aws_v<v>  (hardlink)
#   tofurc                     (use with TF_CLI_CONFIG_FILE=<cache>/tofurc)
#   provider.env               which provider version test:terraform validates against (read by
#                              scripts/ci/test-terraform.sh): AWS_PROVIDER_WANTED, AWS_PROVIDER_USED
#                              (empty: no provider binary at all), AWS_PROVIDER_SOURCE
#
# Idempotent and keyed by version: a warm run only checks versions and exits.
#
# When the exact provider version cannot be obtained (see docs/terraform-tier.md),
# this script still exits 0: it symlinks the newest real hashicorp/aws binary
# found in the plugin dirs into the mirror under that binary's own version and
# records it in provider.env, and test:terraform validates against it with a NOTICE.
#
# Environment overrides:
#   REDSHIFT_ENDPOINTS_TOFU                   existing tofu/terraform binary to use instead of building OpenTofu
#   REDSHIFT_ENDPOINTS_AWS_PROVIDER           existing terraform-provider-aws binary (e.g. unzipped from the
#                                             official release of the pinned version) to install into the mirror
#   REDSHIFT_ENDPOINTS_AWS_PROVIDER_DIRS      colon-separated plugin dirs (unpacked mirror layout) searched for
#                                             an official binary of exactly the pinned version, and for the
#                                             newest one of any version as the fallback (default: /opt/tf-plugins)
#   REDSHIFT_ENDPOINTS_AWS_PROVIDER_GOVERSION Go module version (pseudo-version) of
#                                             github.com/hashicorp/terraform-provider-aws for the release tag.
#                                             Needed because that module has no /v6 suffix, so the Go tooling
#                                             cannot address the tag v6.x.y directly.
#   TOOLCHAIN_GO_P                            go build -p value (default: number of CPUs)
#   TOOLCHAIN_GOGC                            GOGC for the go builds (default: Go's default)
set -euo pipefail

TOFU_VERSION="1.12.6"
TOFU_MODULE="github.com/opentofu/opentofu"
AWS_MODULE="github.com/hashicorp/terraform-provider-aws"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/redshift-endpoints"
START_SECONDS=$SECONDS

log() { printf '[toolchain +%ds] %s\n' "$((SECONDS - START_SECONDS))" "$*"; }
die() {
  printf '[toolchain +%ds] ERROR: %s\n' "$((SECONDS - START_SECONDS))" "$*" >&2
  exit 1
}

# --- versions ---------------------------------------------------------------
PROVIDER_PKG_JSON="$REPO_ROOT/node_modules/@cdktf/provider-aws/package.json"
[[ -f "$PROVIDER_PKG_JSON" ]] || die "$PROVIDER_PKG_JSON not found: run 'npm ci' first"
# cdktf.provider.version of the bindings (bindingsProviderVersion in lib/reports/tofu-test.ts).
AWS_VERSION="$(node "$REPO_ROOT/scripts/run-ts.js" "$REPO_ROOT/scripts/ci/report.ts" provider-version "$PROVIDER_PKG_JSON" || true)"
[[ "$AWS_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "could not read cdktf.provider.version from $PROVIDER_PKG_JSON (got '$AWS_VERSION')"

command -v go >/dev/null 2>&1 || die "go is required (Go >= 1.26)"
PLATFORM="$(go env GOOS)_$(go env GOARCH)"

BIN_DIR="$CACHE/bin"
BUILD_DIR="$CACHE/build"
WORK_DIR="$CACHE/work"
STAMP_DIR="$CACHE/stamps"
MIRROR="$CACHE/mirror"
TOFURC="$CACHE/tofurc"
PROVIDER_ENV="$CACHE/provider.env"
TOFU_BIN="$BIN_DIR/tofu"
PROVIDER_FILE="terraform-provider-aws_v$AWS_VERSION"
PROVIDER_DIR="$MIRROR/registry.opentofu.org/hashicorp/aws/$AWS_VERSION/$PLATFORM"
PROVIDER_DIR_TF="$MIRROR/registry.terraform.io/hashicorp/aws/$AWS_VERSION/$PLATFORM"
PROVIDER_STAMP="$STAMP_DIR/terraform-provider-aws-v$AWS_VERSION-$PLATFORM"
mkdir -p "$BIN_DIR" "$BUILD_DIR" "$WORK_DIR" "$STAMP_DIR" "$MIRROR"

log "OpenTofu v$TOFU_VERSION, hashicorp/aws v$AWS_VERSION ($PLATFORM), cache $CACHE"

# --- helpers ----------------------------------------------------------------

# Version string reported by a tofu/terraform binary ("" if it does not run).
engine_version() {
  CHECKPOINT_DISABLE=1 "$1" version -json 2>/dev/null |
    sed -n 's/.*"terraform_version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | head -n1
}

# Run a go build, reporting wall time and peak RSS (largest single process,
# from /usr/bin/time) when available.
measured() {
  local label="$1"
  shift
  local t0=$SECONDS
  if [[ -x /usr/bin/time ]]; then
    local tf
    tf="$(mktemp)"
    if ! /usr/bin/time -f '%e %M' -o "$tf" "$@"; then
      rm -f "$tf"
      return 1
    fi
    local wall rss
    read -r wall rss <"$tf" || true
    rm -f "$tf"
    log "$label: ${wall}s wall, peak RSS $((${rss:-0} / 1024)) MiB (largest single process)"
  else
    "$@"
    log "$label: $((SECONDS - t0))s wall"
  fi
}

# Print a module's `replace` directives (as single-line statements) from its go.mod.
replace_directives() {
  awk '
    { sub(/[[:space:]]*\/\/.*$/, "") }
    /^replace[[:space:]]*\($/ { inblock = 1; next }
    inblock && /^\)/ { inblock = 0; next }
    inblock && NF { sub(/^[[:space:]]+/, ""); print "replace " $0; next }
    /^replace[[:space:]]/ { print }
  ' "$1"
}

# build_wrapped MODULE VERSION PACKAGE OUTPUT [LDFLAGS_EXTRA]
# A module with replace directives can't be `go install`ed. Generate a tiny
# wrapper module that requires it, repeats its replace directives and lists the
# command package as a tool, then `go build` that package.
build_wrapped() {
  local module="$1" version="$2" pkg="$3" out="$4" ldx="${5:-}"
  local name="${module##*/}"
  local work="$WORK_DIR/$name-$version"
  local gomod godirective

  gomod="$(go list -m -f '{{.GoMod}}' "$module@$version")" ||
    die "the Go module proxy does not serve $module@$version"
  [[ -f "$gomod" ]] || die "go.mod of $module@$version not found ($gomod)"
  godirective="$(awk '$1 == "go" { print $2; exit }' "$gomod")"

  rm -rf "$work"
  mkdir -p "$work"
  {
    echo "// Generated by scripts/toolchain.sh: builds $pkg@$version."
    echo "module redshift-endpoints.invalid/toolchain/$name"
    echo
    echo "go ${godirective:-1.24}"
    echo
    echo "require $module $version"
    echo
    echo "tool $pkg"
    echo
  } >"$work/go.mod"
  local replaces
  replaces="$(replace_directives "$gomod")"
  if [[ -n "$replaces" ]]; then
    if grep -Eq '=>[[:space:]]*(\.|/)' <<<"$replaces"; then
      die "$module@$version has local-path replace directives; cannot build it as a dependency:"$'\n'"$replaces"
    fi
    log "$name: repeating $(wc -l <<<"$replaces") replace directive(s) from its go.mod"
    printf '%s\n' "$replaces" >>"$work/go.mod"
  fi

  log "$name: resolving dependencies (go mod tidy) ..."
  (cd "$work" && GOFLAGS=-mod=mod go mod tidy) || die "go mod tidy failed for $module@$version"

  local p="${TOOLCHAIN_GO_P:-$(nproc 2>/dev/null || echo 2)}"
  local tmp_out="$out.tmp.$$"
  mkdir -p "$(dirname "$out")"
  log "building $name $version (go build -p $p${TOOLCHAIN_GOGC:+, GOGC=$TOOLCHAIN_GOGC}) ..."
  (
    cd "$work"
    export CGO_ENABLED=0
    [[ -n "${TOOLCHAIN_GOGC:-}" ]] && export GOGC="$TOOLCHAIN_GOGC"
    measured "go build $name $version" \
      go build -p "$p" -trimpath -ldflags "-s -w $ldx" -o "$tmp_out" "$pkg"
  ) || {
    rm -f "$tmp_out"
    die "go build of $pkg@$version failed"
  }
  mv -f "$tmp_out" "$out"
}

# --- 1. OpenTofu --------------------------------------------------------------
if [[ -n "${REDSHIFT_ENDPOINTS_TOFU:-}" ]]; then
  [[ -x "$REDSHIFT_ENDPOINTS_TOFU" ]] || die "REDSHIFT_ENDPOINTS_TOFU=$REDSHIFT_ENDPOINTS_TOFU is not an executable"
  ext_version="$(engine_version "$REDSHIFT_ENDPOINTS_TOFU")"
  [[ -n "$ext_version" ]] || die "REDSHIFT_ENDPOINTS_TOFU=$REDSHIFT_ENDPOINTS_TOFU does not answer 'version -json'"
  ln -sfn "$(readlink -f "$REDSHIFT_ENDPOINTS_TOFU")" "$TOFU_BIN"
  log "tofu: using REDSHIFT_ENDPOINTS_TOFU ($REDSHIFT_ENDPOINTS_TOFU, v$ext_version)"
elif [[ -x "$TOFU_BIN" && ! -L "$TOFU_BIN" && "$(engine_version "$TOFU_BIN")" == "$TOFU_VERSION" ]]; then
  log "tofu: v$TOFU_VERSION already installed"
else
  tofu_build="$BUILD_DIR/tofu-v$TOFU_VERSION/tofu"
  if [[ ! -x "$tofu_build" || "$(engine_version "$tofu_build")" != "$TOFU_VERSION" ]]; then
    t0=$SECONDS
    # version.dev=no: release build, as upstream's goreleaser does (else "-dev").
    build_wrapped "$TOFU_MODULE" "v$TOFU_VERSION" "$TOFU_MODULE/cmd/tofu" "$tofu_build" \
      "-X $TOFU_MODULE/version.dev=no"
    log "tofu: built v$TOFU_VERSION in $((SECONDS - t0))s"
  fi
  got="$(engine_version "$tofu_build")"
  [[ "$got" == "$TOFU_VERSION" ]] || die "built tofu reports version '$got', expected $TOFU_VERSION"
  rm -f "$TOFU_BIN"
  cp -f "$tofu_build" "$TOFU_BIN.tmp.$$" && mv -f "$TOFU_BIN.tmp.$$" "$TOFU_BIN"
  log "tofu: installed $TOFU_BIN"
fi

# --- 2. CLI config: filesystem mirror only, no network fallback ---------------
tofurc_content="# Generated by scripts/toolchain.sh. Providers come only from the local
# filesystem mirror: there is deliberately no direct {} block, so init never
# goes online.
provider_installation {
  filesystem_mirror {
    path    = \"$MIRROR\"
    include = [\"*/*/*\"]
  }
}
"
if [[ ! -f "$TOFURC" || "$(cat "$TOFURC")"$'\n' != "$tofurc_content" ]]; then
  printf '%s' "$tofurc_content" >"$TOFURC"
  log "wrote $TOFURC"
fi

# --- 3. hashicorp/aws provider ------------------------------------------------
install_provider() {
  local src="$1"
  mkdir -p "$PROVIDER_DIR" "$PROVIDER_DIR_TF"
  cp -f "$src" "$PROVIDER_DIR/$PROVIDER_FILE.tmp.$$"
  chmod 0755 "$PROVIDER_DIR/$PROVIDER_FILE.tmp.$$"
  mv -f "$PROVIDER_DIR/$PROVIDER_FILE.tmp.$$" "$PROVIDER_DIR/$PROVIDER_FILE"
  ln -f "$PROVIDER_DIR/$PROVIDER_FILE" "$PROVIDER_DIR_TF/$PROVIDER_FILE" 2>/dev/null ||
    cp -f "$PROVIDER_DIR/$PROVIDER_FILE" "$PROVIDER_DIR_TF/$PROVIDER_FILE"
  sha256sum "$PROVIDER_DIR/$PROVIDER_FILE" | cut -d' ' -f1 >"$PROVIDER_STAMP"
}

provider_ok() {
  [[ -f "$PROVIDER_STAMP" && -x "$PROVIDER_DIR/$PROVIDER_FILE" && -x "$PROVIDER_DIR_TF/$PROVIDER_FILE" ]] &&
    [[ "$(stat -c %s "$PROVIDER_DIR/$PROVIDER_FILE")" -gt 0 ]]
}

# Go module version for the provider release. The module path has no /v6
# suffix, so the tag v6.x.y is not a valid Go module version: it must be
# addressed by the tag's commit (pseudo-version).
resolve_provider_goversion() {
  if [[ -n "${REDSHIFT_ENDPOINTS_AWS_PROVIDER_GOVERSION:-}" ]]; then
    echo "$REDSHIFT_ENDPOINTS_AWS_PROVIDER_GOVERSION"
    return 0
  fi
  local v
  if v="$(go list -m -f '{{.Version}}' "$AWS_MODULE@v$AWS_VERSION" 2>/dev/null)"; then
    echo "$v"
    return 0
  fi
  # Resolve the release tag to its commit, then let the go command turn the
  # commit into a pseudo-version (works where the source host is reachable).
  local commit
  commit="$(timeout 30 git ls-remote "https://$AWS_MODULE" "refs/tags/v$AWS_VERSION^{}" "refs/tags/v$AWS_VERSION" 2>/dev/null |
    awk 'NR == 1 || /\^\{\}$/ { c = $1 } END { print c }')" || true
  if [[ -n "$commit" ]] && v="$(go list -m -f '{{.Version}}' "$AWS_MODULE@$commit" 2>/dev/null)"; then
    echo "$v"
    return 0
  fi
  return 1
}

# An official release binary of exactly this version in a local plugin
# directory (unpacked mirror layout), e.g. one shipped with the machine image.
find_local_provider() {
  local dir host f
  local IFS=:
  for dir in ${REDSHIFT_ENDPOINTS_AWS_PROVIDER_DIRS:-/opt/tf-plugins}; do
    for host in registry.opentofu.org registry.terraform.io; do
      for f in "$dir/$host/hashicorp/aws/$AWS_VERSION/$PLATFORM/terraform-provider-aws_v$AWS_VERSION"*; do
        if [[ -f "$f" && -x "$f" ]]; then
          echo "$f"
          return 0
        fi
      done
    done
  done
  return 1
}

# The newest official binary of any version in the plugin dirs, as
# "<version> <path>": the fallback when the pinned version is unobtainable.
find_fallback_provider() {
  local dir host f v
  local IFS=:
  for dir in ${REDSHIFT_ENDPOINTS_AWS_PROVIDER_DIRS:-/opt/tf-plugins}; do
    for host in registry.opentofu.org registry.terraform.io; do
      for f in "$dir/$host/hashicorp/aws/"*"/$PLATFORM/terraform-provider-aws_v"*; do
        [[ -f "$f" && -x "$f" ]] || continue
        v="${f%/"$PLATFORM"/*}"
        v="${v##*/}"
        # Only a binary whose file name carries its directory's version.
        if [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ && "${f##*/}" == "terraform-provider-aws_v$v"* ]]; then
          echo "$v $f"
        fi
      done
    done
  done | sort -V -k1,1 | tail -n1
}

# Records the provider test:terraform uses (USED empty: none at all).
write_provider_env() {
  local content
  content="# Generated by scripts/toolchain.sh; read by scripts/ci/test-terraform.sh.
AWS_PROVIDER_WANTED=$AWS_VERSION
AWS_PROVIDER_USED=$1
AWS_PROVIDER_SOURCE=$2
"
  if [[ ! -f "$PROVIDER_ENV" || "$(cat "$PROVIDER_ENV")"$'\n' != "$content" ]]; then
    printf '%s' "$content" >"$PROVIDER_ENV"
  fi
}

provider_failed=""
if provider_ok; then
  log "aws provider: v$AWS_VERSION already in mirror"
elif [[ -n "${REDSHIFT_ENDPOINTS_AWS_PROVIDER:-}" ]]; then
  [[ -x "$REDSHIFT_ENDPOINTS_AWS_PROVIDER" ]] || die "REDSHIFT_ENDPOINTS_AWS_PROVIDER=$REDSHIFT_ENDPOINTS_AWS_PROVIDER is not an executable"
  install_provider "$REDSHIFT_ENDPOINTS_AWS_PROVIDER"
  log "aws provider: installed v$AWS_VERSION from REDSHIFT_ENDPOINTS_AWS_PROVIDER"
elif local_provider="$(find_local_provider)"; then
  install_provider "$local_provider"
  log "aws provider: installed v$AWS_VERSION from local plugin dir ($local_provider)"
else
  provider_build="$BUILD_DIR/terraform-provider-aws-v$AWS_VERSION/$PROVIDER_FILE"
  if [[ ! -x "$provider_build" ]]; then
    log "aws provider: resolving Go module version of $AWS_MODULE for release v$AWS_VERSION ..."
    if aws_gover="$(resolve_provider_goversion)"; then
      t0=$SECONDS
      build_wrapped "$AWS_MODULE" "$aws_gover" "$AWS_MODULE" "$provider_build" \
        "-X $AWS_MODULE/version.ProviderVersion=$AWS_VERSION"
      log "aws provider: built v$AWS_VERSION ($aws_gover) in $((SECONDS - t0))s"
    else
      provider_failed="cannot obtain hashicorp/aws v$AWS_VERSION: no binary of that version in
  ${REDSHIFT_ENDPOINTS_AWS_PROVIDER_DIRS:-/opt/tf-plugins}, and the Go module $AWS_MODULE has no major-version
  suffix, so the tag v$AWS_VERSION is no valid Go module version and its commit (pseudo-version) could not be
  resolved or fetched here. Either
    - set REDSHIFT_ENDPOINTS_AWS_PROVIDER=/path/to/terraform-provider-aws_v${AWS_VERSION}_x5 (official release
      binary for $PLATFORM), or
    - set REDSHIFT_ENDPOINTS_AWS_PROVIDER_DIRS to a plugin dir holding one, or
    - set REDSHIFT_ENDPOINTS_AWS_PROVIDER_GOVERSION=<pseudo-version of the v$AWS_VERSION tag commit>
  and run this script again."
    fi
  fi
  if [[ -z "$provider_failed" ]]; then
    install_provider "$provider_build"
    log "aws provider: installed v$AWS_VERSION into the mirror"
  fi
fi

# --- summary ------------------------------------------------------------------
log "done"
echo "  tofu:      $TOFU_BIN ($(engine_version "$TOFU_BIN"))"
echo "  mirror:    $MIRROR"
if [[ -z "$provider_failed" ]]; then
  echo "  provider:  $PROVIDER_DIR/$PROVIDER_FILE"
  echo "             $PROVIDER_DIR_TF/$PROVIDER_FILE"
else
  echo "  provider:  MISSING (hashicorp/aws v$AWS_VERSION)"
fi
echo "  cli config: $TOFURC"
echo
echo "  export TF_CLI_CONFIG_FILE=$TOFURC"
echo "  export PATH=$BIN_DIR:\$PATH"
if [[ -z "$provider_failed" ]]; then
  write_provider_env "$AWS_VERSION" "$(readlink -f "$PROVIDER_DIR/$PROVIDER_FILE")"
  exit 0
fi

# --- exact version unobtainable: fall back, loudly ----------------------------
printf '[toolchain +%ds] exact provider UNAVAILABLE: %s\n' "$((SECONDS - START_SECONDS))" "$provider_failed" >&2
fallback="$(find_fallback_provider)"
if [[ -z "$fallback" ]]; then
  write_provider_env "" ""
  log "no hashicorp/aws binary of any version in ${REDSHIFT_ENDPOINTS_AWS_PROVIDER_DIRS:-/opt/tf-plugins} either: test:terraform will be SKIPPED"
  exit 0
fi
fb_version="${fallback%% *}"
fb_path="${fallback#* }"
# The mirror gets a symlink under the fallback's own version (no 700 MB copy);
# the exact version's slot stays empty, so nothing pretends to be v$AWS_VERSION.
for host in registry.opentofu.org registry.terraform.io; do
  fb_dir="$MIRROR/$host/hashicorp/aws/$fb_version/$PLATFORM"
  mkdir -p "$fb_dir"
  [[ "$(readlink "$fb_dir/${fb_path##*/}" 2>/dev/null)" == "$fb_path" ]] || ln -sfn "$fb_path" "$fb_dir/${fb_path##*/}"
done
write_provider_env "$fb_version" "$fb_path"
log "fallback: hashicorp/aws v$fb_version ($fb_path) linked into the mirror; test:terraform will validate against it instead of v$AWS_VERSION (see docs/terraform-tier.md)"
exit 0
