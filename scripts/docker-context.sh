#!/usr/bin/env bash
# docker-context (scripts/docker-context/): lists a Docker build context after its .dockerignore
# with the matcher BuildKit uses (github.com/moby/patternmatcher), plus a content hash. Built
# once from the Go module proxy into $PLATFORM_CACHE_DIR/bin/docker-context-<source hash>/.
#   bash scripts/docker-context.sh install     build if needed (npm run setup), print the path
#   bash scripts/docker-context.sh path        print the path, or fail naming `npm run setup`
#   bash scripts/docker-context.sh <dir>       run it
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/scripts/docker-context"
CACHE="${PLATFORM_CACHE_DIR:-$HOME/.cache/platform}"
KEY="$(cat "$SRC/main.go" "$SRC/go.mod" "$SRC/go.sum" | sha256sum | cut -c1-12)"
BIN="$CACHE/bin/docker-context-$KEY/docker-context"

if [ "${1:-}" = "install" ] && [ ! -x "$BIN" ]; then
  source "$ROOT/scripts/go-env.sh"
  source "$ROOT/scripts/install-lib.sh"
  mkdir -p "$(dirname "$BIN")"
  quietly docker-context bash -c "cd '$SRC' && go build -o '$BIN' ."
fi
[ -x "$BIN" ] || { echo "docker-context not installed: run \`npm run setup\`" >&2; exit 2; }
case "${1:-}" in
  install | path) echo "$BIN" ;;
  *) exec "$BIN" "$@" ;;
esac
