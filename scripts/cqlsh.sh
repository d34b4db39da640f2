#!/usr/bin/env bash
# cqlsh, the CQL shell the Cassandra schema Job runs (the image ships it), for tests that run
# that Job's script against a real node. Installed once from PyPI into a virtualenv under
# $PLATFORM_CACHE_DIR (keyed by version).
#   bash scripts/cqlsh.sh path          install if needed, print the cqlsh binary's path
#   bash scripts/cqlsh.sh <args...>     run it
set -euo pipefail
CQLSH_VERSION="6.2.2"
CACHE="${PLATFORM_CACHE_DIR:-$HOME/.cache/platform}"
VENV="$CACHE/cqlsh-$CQLSH_VERSION"
BIN="$VENV/bin/cqlsh"

# .complete is written last, so an interrupted install is redone rather than half-used.
if [ ! -f "$VENV/.complete" ]; then
  source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/install-lib.sh"
  install_allowed "cqlsh $CQLSH_VERSION"
  command -v python3 >/dev/null || { echo "cqlsh.sh: python3 is required to install cqlsh $CQLSH_VERSION" >&2; exit 2; }
  rm -rf "$VENV"
  quietly "cqlsh-$CQLSH_VERSION" bash -c "python3 -m venv '$VENV' && '$VENV/bin/pip' install --disable-pip-version-check 'cqlsh==$CQLSH_VERSION'"
  touch "$VENV/.complete"
fi
if [ "${1:-}" = "path" ]; then echo "$BIN"; exit 0; fi
exec "$BIN" "$@"
