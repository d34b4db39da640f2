#!/usr/bin/env bash
# Builds the real Pulumi engine pieces once into $PLATFORM_CACHE_DIR (keyed by version):
#   cli         pulumi CLI/engine v$PULUMI_VERSION          (Go module proxy, ~9 min cold)
#   nodejs      pulumi-language-nodejs v$PULUMI_VERSION     (upstream source from shared/vendor, ~1 min)
#   kubernetes  pulumi-resource-kubernetes v$PULUMI_KUBERNETES_VERSION (Go module proxy, ~7 min, ~5 GB)
# A CLI and language host already on PATH at the same version are linked instead of built.
# The random provider cannot be had here (the proxy refuses it): scripts/engine/standins serves it.
# Usage: bash scripts/engine/build-engine.sh [cli|nodejs|kubernetes|all]   (default: all)
# Quiet on success (logs under $PLATFORM_CACHE_DIR/logs); prints the bin directory last.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/scripts/engine/versions.sh"
source "$ROOT/scripts/go-env.sh"
source "$ROOT/scripts/install-lib.sh"
mkdir -p "$ENGINE_BIN" "$ENGINE_WORK"
log() { echo "[engine-build] $*" >&2; }
# One build at a time per version (setup and a test run may ask together).
exec 9>"$ENGINE_WORK/.lock"
flock 9

# A binary of the right version already on the user's PATH is used as it is.
link_installed() {
  local name="$1" want="$2" found
  found="$(PATH="${PATH//$ENGINE_BIN:/}" command -v "$name" 2>/dev/null)" || return 1
  [[ "$found" == "$ENGINE_BIN/$name" ]] && return 1
  "$found" version 2>/dev/null | grep -q "$want" || return 1
  ln -sf "$found" "$ENGINE_BIN/$name"
  log "using $found ($want, on PATH)"
}

build_cli() {
  local out="$ENGINE_BIN/pulumi"
  [[ -x "$out" ]] && return 0
  link_installed pulumi "v$PULUMI_VERSION" && return 0
  # pkg/v3's go.mod replaces sdk/v3 with ../sdk, which `go install pkg@v` refuses;
  # a wrapper module pins both released modules instead and keeps pkg's other replace.
  local dir="$ENGINE_WORK/cli"
  rm -rf "$dir" && mkdir -p "$dir"
  cat >"$dir/go.mod" <<MOD
module platform.local/pulumi-cli

go 1.25

require (
	github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 v$PULUMI_VERSION
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
MOD
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"\n' >"$dir/tools.go"
  quietly pulumi-cli bash -c "cd '$dir' && go mod tidy && go build -trimpath \
    -ldflags '-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION' \
    -o '$out.tmp' github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
  mv "$out.tmp" "$out"
}

# The host's module is refused by the proxy (403); its upstream source at the release tag is in
# shared/vendor. Copied into the cache, its relative pkg/sdk replaces point at the released modules.
build_nodejs() {
  local out="$ENGINE_BIN/pulumi-language-nodejs"
  [[ -x "$out" ]] && return 0
  [[ -L "$ENGINE_BIN/pulumi" ]] && link_installed pulumi-language-nodejs "$PULUMI_VERSION" && return 0
  local tarball="$PULUMI_VENDOR_DIR/pulumi-language-nodejs-v$PULUMI_VERSION.tar.gz"
  [[ -f "$tarball" ]] || { log "missing $tarball (the language host's source; see shared/vendor/README.md)"; exit 1; }
  local dir="$ENGINE_WORK/nodejs"
  rm -rf "$dir" && mkdir -p "$dir"
  tar xzf "$tarball" -C "$dir" --strip-components=1
  local src="$dir/sdk/nodejs/cmd/pulumi-language-nodejs"
  sed -i -E \
    -e "s#(github.com/pulumi/pulumi/pkg/v3) => \.\./\.\./\.\./\.\./pkg#\1 => \1 v$PULUMI_VERSION#" \
    -e "s#(github.com/pulumi/pulumi/sdk/v3) => \.\./\.\./\.\.#\1 => \1 v$PULUMI_VERSION#" "$src/go.mod"
  grep -q '=> \.\.' "$src/go.mod" && { log "unexpected relative replace left in $src/go.mod"; exit 1; }
  quietly pulumi-language-nodejs bash -c "cd '$src' && go mod tidy && go build -trimpath \
    -ldflags '-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION' -o '$out.tmp' ."
  mv "$out.tmp" "$out"
}

# The provider module is served (as a pseudo-version of tag v4.25.0) but `go install` refuses its
# replace of sdk/v4; a writable copy gets the published sdk instead, then the provider's own
# generate step embeds schema.json as its Makefile does.
build_kubernetes() {
  local out="$ENGINE_BIN/pulumi-resource-kubernetes"
  [[ -x "$out" ]] && return 0
  local mod=github.com/pulumi/pulumi-kubernetes/provider/v4
  local dir="$ENGINE_WORK/kubernetes" src
  rm -rf "$dir" && mkdir -p "$dir"
  src="$(cd "$dir" && go mod download -json "$mod@$PULUMI_KUBERNETES_MODULE_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$src" ]] || { log "could not download $mod@$PULUMI_KUBERNETES_MODULE_VERSION"; exit 1; }
  cp -r "$src" "$dir/provider" && chmod -R u+w "$dir/provider"
  sed -i -E "s#(github.com/pulumi/pulumi-kubernetes/sdk/v4) => \.\./sdk#\1 => \1 $PULUMI_KUBERNETES_SDK_VERSION#" "$dir/provider/go.mod"
  quietly pulumi-resource-kubernetes bash -c "cd '$dir/provider' && go mod tidy && \
    (cd cmd/pulumi-resource-kubernetes && VERSION=$PULUMI_KUBERNETES_VERSION go run ./generate.go) && \
    go build -trimpath -ldflags '-s -w -X $mod/pkg/version.Version=$PULUMI_KUBERNETES_VERSION' \
      -o '$out.tmp' ./cmd/pulumi-resource-kubernetes"
  mv "$out.tmp" "$out"
  rm -rf "$dir"
}

case "${1:-all}" in
  cli) build_cli ;;
  nodejs) build_nodejs ;;
  kubernetes) build_kubernetes ;;
  all) build_cli; build_nodejs; build_kubernetes ;;
  *) echo "unknown target: $1 (cli|nodejs|kubernetes|all)" >&2; exit 2 ;;
esac
echo "$ENGINE_BIN"
