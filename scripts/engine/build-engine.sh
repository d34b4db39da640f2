#!/usr/bin/env bash
# Builds the open-source Pulumi engine pieces from the Go module proxy and caches
# them per version outside the repo, so a fresh clone on a warm machine skips the build.
#   pulumi                      CLI/engine (github.com/pulumi/pulumi/pkg/v3)
#   pulumi-language-nodejs      Node.js language host
#   pulumi-resource-kubernetes  Kubernetes provider (when its module is served)
#   pulumi-resource-random      random provider (when its module is served)
# Usage: bash scripts/engine/build-engine.sh [cli|nodejs|kubernetes|random|all]   (default: all)
# Prints the bin directory on stdout's last line.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=versions.sh
source "$ROOT/scripts/engine/versions.sh"

export PATH="$PATH:/usr/local/go/bin"
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"
# The checksum database has no entry for some Pulumi module versions (404 on lookup);
# the proxy still serves them, so skip only those modules' sumdb check.
export GONOSUMDB="${GONOSUMDB:-github.com/pulumi}"
# One compile per core; ENGINE_GO_PARALLEL=1 if memory is tight.
GO_P="${ENGINE_GO_PARALLEL:-$(nproc)}"
mkdir -p "$ENGINE_BIN" "$ENGINE_WORK"
log() { echo "[engine-build] $*" >&2; }
command -v go >/dev/null || { log "Go toolchain not found (expected on PATH or in /usr/local/go/bin)"; exit 1; }
# One build at a time per version (a test run and `npm run up:local` may start together).
exec 9>"$ENGINE_WORK/.lock"
flock 9

build_cli() {
  local out="$ENGINE_BIN/pulumi"
  if [[ -x "$out" ]]; then log "cached: $out"; return; fi
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
  cat >"$dir/tools.go" <<'GO'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GO
  local t0=$SECONDS
  (cd "$dir" && go mod tidy >&2 &&
    go build -p "$GO_P" -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
      -o "$out.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2)
  mv "$out.tmp" "$out"
  log "built pulumi v$PULUMI_VERSION in $((SECONDS - t0))s"
}

build_nodejs() {
  local out="$ENGINE_BIN/pulumi-language-nodejs"
  if [[ -x "$out" ]]; then log "cached: $out"; return; fi
  # The host's own module (sdk/nodejs/cmd/pulumi-language-nodejs/v3, untagged) is refused by
  # the module proxy here (403), at the release commit too. sdk/v3 v$NODEJS_HOST_SDK_VERSION is the
  # newest served release that still ships the host as a package; it is built from a writable
  # copy with langhost/compat.go added (RunPlugin for policy packs, options from ProgramInfo).
  local dir="$ENGINE_WORK/nodejs"
  rm -rf "$dir" && mkdir -p "$dir"
  cat >"$dir/go.mod" <<MOD
module platform.local/pulumi-language-nodejs

go 1.25

require github.com/pulumi/pulumi/sdk/v3 v$NODEJS_HOST_SDK_VERSION

replace golang.org/x/text => golang.org/x/text v0.3.6
MOD
  local t0=$SECONDS
  (cd "$dir" && go mod download github.com/pulumi/pulumi/sdk/v3 >&2)
  local src
  src="$(go env GOMODCACHE)/github.com/pulumi/pulumi/sdk/v3@v$NODEJS_HOST_SDK_VERSION/nodejs/cmd/pulumi-language-nodejs"
  cp "$src"/main.go "$src"/proxy.go "$src"/proxy_unix.go "$src"/proxy_windows.go "$dir/"
  chmod u+w "$dir"/*.go
  cp "$ROOT/scripts/engine/langhost/compat.go" "$dir/"
  perl -0pi -e 's/(RunPluginServer,\n\) error \{\n)\treturn errors\.New\("not supported"\)/$1\treturn runPluginCompat(req, server)/' "$dir/main.go"
  perl -0pi -e 's/(func \(host \*nodeLanguageHost\) Run\(ctx context\.Context, req \*pulumirpc\.RunRequest\) \(\*pulumirpc\.RunResponse, error\) \{\n)/$1\tapplyRunOptions(host, req)\n/' "$dir/main.go"
  grep -q 'return runPluginCompat(req, server)' "$dir/main.go" && grep -q 'applyRunOptions(host, req)' "$dir/main.go" ||
    { log "patching the language host failed (source layout changed?)"; exit 1; }
  (cd "$dir" && go mod tidy >&2 &&
    go build -p "$GO_P" -trimpath -ldflags "-s -w" -o "$out.tmp" . >&2)
  mv "$out.tmp" "$out"
  log "built pulumi-language-nodejs (sdk v$NODEJS_HOST_SDK_VERSION + compat) in $((SECONDS - t0))s"
}

# Providers: built from their Go modules when the proxy serves them. Here it answers 403
# "This module version is not available" for both (a definite no, in about a second), and
# up:local falls back to the local stand-ins in scripts/engine/standins/.
# The build steps below follow the providers' Makefiles but could not be exercised here.
build_provider() {
  local name="$1" mod="$2" ver="$3" generate="$4"
  local out="$ENGINE_BIN/pulumi-resource-$name"
  if [[ -x "$out" ]]; then log "cached: $out"; return; fi
  local dir="$ENGINE_WORK/$name"
  rm -rf "$dir" && mkdir -p "$dir"
  local t0=$SECONDS err src
  if ! err="$(cd "$dir" && go mod download -json "$mod@v$ver" 2>&1)"; then
    log "$name provider v$ver cannot be downloaded: $(grep -o '"Error": *"[^"]*"' <<<"$err" | head -1)"
    return 0
  fi
  src="$(sed -n 's/.*"Dir": "\(.*\)",/\1/p' <<<"$err")"
  # Writable copy: the main package embeds files that its generate step derives from the
  # committed schema.json.
  cp -r "$src" "$dir/provider" && chmod -R u+w "$dir/provider"
  if [[ "$generate" == yes ]]; then
    (cd "$dir/provider" && VERSION="v$ver" go generate "./cmd/pulumi-resource-$name" >&2)
  fi
  (cd "$dir/provider" && go build -p "$GO_P" -trimpath \
    -ldflags "-s -w -X $mod/pkg/version.Version=v$ver" -o "$out.tmp" "./cmd/pulumi-resource-$name" >&2)
  mv "$out.tmp" "$out"
  log "built pulumi-resource-$name v$ver in $((SECONDS - t0))s"
}

build_kubernetes() {
  build_provider kubernetes github.com/pulumi/pulumi-kubernetes/provider/v4 "$PULUMI_KUBERNETES_VERSION" yes
}

build_random() {
  build_provider random github.com/pulumi/pulumi-random/provider/v4 "$PULUMI_RANDOM_VERSION" no
}

what="${1:-all}"
case "$what" in
  cli) build_cli ;;
  nodejs) build_nodejs ;;
  kubernetes) build_kubernetes ;;
  random) build_random ;;
  all) build_cli; build_nodejs; build_kubernetes; build_random ;;
  *) echo "unknown target: $what" >&2; exit 2 ;;
esac
echo "$ENGINE_BIN"
