#!/usr/bin/env bash
# A Python command line tool from PyPI in its own virtualenv under $PLATFORM_CACHE_DIR, keyed by
# name and version (a bump reinstalls): prints the venv's bin directory. Only `npm run setup`
# installs (PLATFORM_INSTALL=1); elsewhere a missing tool fails at once with one line.
#   bash scripts/pip-tool.sh <name> <version> <pip requirement...>
#   e.g. bash scripts/pip-tool.sh cqlsh 6.2.2 cqlsh==6.2.2
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: pip-tool.sh <name> <version> <pip requirement...>" >&2; exit 2; }
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="$1" version="$2"; shift 2
VENV="${PLATFORM_CACHE_DIR:-$HOME/.cache/platform}/$name-$version"

# .complete is written last, so an interrupted install is redone rather than half-used.
if [ ! -f "$VENV/.complete" ]; then
  source "$ROOT/scripts/install-lib.sh"
  install_allowed "$name $version"
  command -v python3 >/dev/null || { echo "pip-tool.sh: python3 is required to install $name $version" >&2; exit 2; }
  rm -rf "$VENV"
  # shellcheck disable=SC2016 # $0/$@ are expanded by the inner bash (venv path, requirements)
  quietly "$name-$version" bash -c 'python3 -m venv "$0" && "$0/bin/pip" install --disable-pip-version-check "$@"' "$VENV" "$@"
  touch "$VENV/.complete"
fi
echo "$VENV/bin"
