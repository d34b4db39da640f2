#!/usr/bin/env bash
# Installs a Go-built command line tool once from the Go module proxy and prints its path.
# Each tool lives in $PLATFORM_CACHE_DIR/bin/<name>-<version>/ (keyed by version, so a bump
# reinstalls) with its own GOPATH/GOCACHE under the cache dir: no writes into the user's Go setup.
#   bash scripts/go-tool.sh <name> <package path> <version>
#   e.g. bash scripts/go-tool.sh vegeta github.com/tsenart/vegeta/v12 v12.13.0
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: go-tool.sh <name> <package path> <version>" >&2; exit 2; }
name="$1" pkg="$2" version="$3"
CACHE="${PLATFORM_CACHE_DIR:-$HOME/.cache/platform}"
BIN_DIR="$CACHE/bin/$name-$version"
BIN="$BIN_DIR/$name"

if [ ! -x "$BIN" ]; then
  command -v go >/dev/null || { echo "go-tool.sh: Go is required to install $name ($version)" >&2; exit 2; }
  mkdir -p "$BIN_DIR"
  echo "installing $name $version into $BIN_DIR" >&2
  GOBIN="$BIN_DIR" GOPATH="$CACHE/go" GOCACHE="$CACHE/go-build" GOFLAGS=-modcacherw \
    go install "$pkg@$version" >&2
  [ -x "$BIN" ] || { echo "go-tool.sh: go install $pkg@$version did not produce $BIN" >&2; exit 1; }
fi
echo "$BIN"
