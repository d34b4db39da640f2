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
  export GOPATH="$CACHE/go" GOCACHE="$CACHE/go-build" GOFLAGS=-modcacherw
  if ! GOBIN="$BIN_DIR" go install "$pkg@$version" >&2; then
    # `go install pkg@version` also reads the module's version list (for deprecation notices),
    # which a filtering proxy may refuse (403) while serving the version itself: then build the
    # downloaded module (whose root is the command) in place instead.
    echo "go install failed; building $pkg@$version from its downloaded module" >&2
    dir="$(go mod download -json "$pkg@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
    [ -n "$dir" ] || { echo "go-tool.sh: go mod download $pkg@$version failed" >&2; exit 1; }
    (cd "$dir" && go build -trimpath -o "$BIN" .) >&2
  fi
  [ -x "$BIN" ] || { echo "go-tool.sh: go install $pkg@$version did not produce $BIN" >&2; exit 1; }
fi
echo "$BIN"
