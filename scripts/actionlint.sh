#!/usr/bin/env bash
# Lints .github/workflows/*.yml with actionlint, installed once from the Go module proxy into
# $PLATFORM_CACHE_DIR/bin (keyed by version, so a bump reinstalls). shellcheck checks the
# `run:` scripts when it is installed (Debian `shellcheck`); without it only that part is skipped.
#   npm run lint:workflows        (or: bash scripts/actionlint.sh [workflow files...])
#   bash scripts/actionlint.sh path   print the binary's path (setup installs it)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ACTIONLINT_VERSION="v1.7.12"
# Installed once into $PLATFORM_CACHE_DIR/bin by the shared Go tool installer.
BIN="$(bash "$ROOT/scripts/go-tool.sh" actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION")"
if [ "${1:-}" = "path" ]; then echo "$BIN"; exit 0; fi

args=()
if command -v shellcheck >/dev/null; then
  args+=(-shellcheck "$(command -v shellcheck)")
else
  echo "actionlint.sh: shellcheck not installed, run: scripts are not shell-checked (apt-get install shellcheck)" >&2
  args+=(-shellcheck=)
fi
# pyflakes only matters for `shell: python` steps, which the workflows do not use.
args+=(-pyflakes=)

cd "$ROOT"
shopt -s nullglob
files=("$@")
[ "${#files[@]}" -gt 0 ] || files=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ "${#files[@]}" -eq 0 ]; then
  echo "actionlint.sh: no workflow files under .github/workflows" >&2
  exit 1
fi
exec "$BIN" "${args[@]}" "${files[@]}"
