#!/usr/bin/env bash
# A Go-built command line tool from the Go module proxy: prints its path. Each tool lives in
# $PLATFORM_CACHE_DIR/bin/<name>-<version>/ (keyed by version, so a bump reinstalls), built with
# the shared Go caches of scripts/go-env.sh. Only `npm run setup` installs (PLATFORM_INSTALL=1);
# elsewhere a missing tool fails at once with one line.
#   bash scripts/go-tool.sh <name> <package path> <version>
#   e.g. bash scripts/go-tool.sh vegeta github.com/tsenart/vegeta/v12 v12.13.0
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: go-tool.sh <name> <package path> <version>" >&2; exit 2; }
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/install-lib.sh"
name="$1" pkg="$2" version="$3"
BIN_DIR="${PLATFORM_CACHE_DIR:-$HOME/.cache/platform}/bin/$name-$version"
BIN="$BIN_DIR/$name"

if [ ! -x "$BIN" ]; then
  install_allowed "$name $version"
  source "$ROOT/scripts/go-env.sh"
  mkdir -p "$BIN_DIR"
  # `go install pkg@version` also reads the module's version list (for deprecation notices),
  # which a filtering proxy may refuse (403) while serving the version itself: then build the
  # downloaded module (whose root is the command) in place instead.
  build_in_place() {
    local dir
    dir="$(go mod download -json "$pkg@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
    [ -n "$dir" ] || { echo "go-tool.sh: go mod download $pkg@$version failed" >&2; return 1; }
    (cd "$dir" && go build -trimpath -o "$BIN" .)
  }
  quietly "$name-$version" env GOBIN="$BIN_DIR" go install "$pkg@$version" 2>/dev/null ||
    quietly "$name-$version-in-place" build_in_place
  [ -x "$BIN" ] || { echo "go-tool.sh: go install $pkg@$version did not produce $BIN" >&2; exit 1; }
fi
echo "$BIN"
