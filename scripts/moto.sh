#!/usr/bin/env bash
# moto's standalone server: a real S3 API on loopback (Apache-2.0) for the backup/restore drill.
# Installed once from PyPI into a virtualenv (scripts/pip-tool.sh).
#   bash scripts/moto.sh path                 install if needed, print the moto_server path
#   bash scripts/moto.sh -H 127.0.0.1 -p 15000  run it (foreground)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MOTO_VERSION="5.2.5"
BIN="$(bash "$ROOT/scripts/pip-tool.sh" moto "$MOTO_VERSION" "moto[server]==$MOTO_VERSION")/moto_server"
if [ "${1:-}" = "path" ]; then echo "$BIN"; exit 0; fi
exec "$BIN" "$@"
