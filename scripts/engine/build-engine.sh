#!/usr/bin/env bash
# Builds the open-source Pulumi engine pieces from the Go module proxy and caches
# them per version outside the repo, so a fresh clone on a warm machine skips the build.
#   pulumi                      CLI/engine (github.com/pulumi/pulumi/pkg/v3)
#   pulumi-language-nodejs      Node.js language host
#   pulumi-resource-kubernetes  Kubernetes provider
# Usage: bash scripts/engine/build-engine.sh [cli|nodejs|kubernetes|all]   (default: all)
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

build_kubernetes() {
  local out="$ENGINE_BIN/pulumi-resource-kubernetes"
  if [[ -x "$out" ]]; then log "cached: $out"; return; fi
  local mod="github.com/pulumi/pulumi-kubernetes/provider/v4"
  local dir="$ENGINE_WORK/kubernetes"
  rm -rf "$dir" && mkdir -p "$dir"
  local t0=$SECONDS err
  if ! err="$(cd "$dir" && go mod download -json "$mod@v$PULUMI_KUBERNETES_VERSION" 2>&1)"; then
    # The proxy answers 403 "not available" for this module here (a definite no, answered in
    # about a second): up:local then falls back to the render-only stand-in.
    log "kubernetes provider v$PULUMI_KUBERNETES_VERSION cannot be downloaded: $(grep -o '"Error": *"[^"]*"' <<<"$err" | head -1)"
    return 0
  fi
  # Served: build it from a writable copy, generating the embedded schema files from the
  # committed schema.json as the provider's Makefile does.
  local src
  src="$(cd "$dir" && go mod download -json "$mod@v$PULUMI_KUBERNETES_VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')"
  cp -r "$src" "$dir/provider" && chmod -R u+w "$dir/provider"
  # Its main package embeds schema-embed.json etc., produced by `go generate` from schema.json.
  (cd "$dir/provider" && VERSION="v$PULUMI_KUBERNETES_VERSION" go generate ./cmd/pulumi-resource-kubernetes >&2)
  (cd "$dir/provider" && go build -p "$GO_P" -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=v$PULUMI_KUBERNETES_VERSION" \
    -o "$out.tmp" ./cmd/pulumi-resource-kubernetes >&2)
  mv "$out.tmp" "$out"
  log "built pulumi-resource-kubernetes v$PULUMI_KUBERNETES_VERSION in $((SECONDS - t0))s"
}

what="${1:-all}"
case "$what" in
  cli) build_cli ;;
  nodejs) build_nodejs ;;
  kubernetes) build_kubernetes ;;
  all) build_cli; build_nodejs; build_kubernetes ;;
  *) echo "unknown target: $what" >&2; exit 2 ;;
esac
echo "$ENGINE_BIN"
