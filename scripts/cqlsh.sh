#!/usr/bin/env bash
# cqlsh, the CQL shell the Cassandra schema Job runs (the image ships it), for tests that run
# that Job's script against a real node. Installed once from PyPI into a virtualenv under
# $PLATFORM_CACHE_DIR (scripts/pip-tool.sh, keyed by version).
#   bash scripts/cqlsh.sh path          install if needed, print the cqlsh binary's path
#   bash scripts/cqlsh.sh <args...>     run it
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CQLSH_VERSION="6.2.2"
BIN="$(bash "$ROOT/scripts/pip-tool.sh" cqlsh "$CQLSH_VERSION" "cqlsh==$CQLSH_VERSION")/cqlsh"
if [ "${1:-}" = "path" ]; then echo "$BIN"; exit 0; fi
exec "$BIN" "$@"
