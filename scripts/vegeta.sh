#!/usr/bin/env bash
# vegeta, the open-loop HTTP load generator the gateway bench measures fixed-rate latency with,
# installed once from the Go module proxy into $PLATFORM_CACHE_DIR/bin (scripts/go-tool.sh).
#   bash scripts/vegeta.sh path          install if needed, print the binary's path
#   bash scripts/vegeta.sh <args...>     run it, e.g. `attack -rate=2000/s -duration=3s`
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VEGETA_VERSION="v12.13.0"
BIN="$(bash "$ROOT/scripts/go-tool.sh" vegeta github.com/tsenart/vegeta/v12 "$VEGETA_VERSION")"
if [ "${1:-}" = "path" ]; then echo "$BIN"; exit 0; fi
exec "$BIN" "$@"
