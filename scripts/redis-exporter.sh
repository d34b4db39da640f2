#!/usr/bin/env bash
# redis_exporter (oliver006/redis_exporter), the exporter the platform runs beside the in-cluster
# Redis; the alerting live test scrapes it next to a local Redis. Built once from the Go module
# proxy into $PLATFORM_CACHE_DIR/bin (scripts/go-tool.sh), quiet on success.
#   bash scripts/redis-exporter.sh path        install if needed, print the binary's path
#   bash scripts/redis-exporter.sh <args...>   run it, e.g. `-redis.addr redis://127.0.0.1:6379`
# The version matches the image tag of the exporter sidecar (components/redis/exporter.ts).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REDIS_EXPORTER_VERSION="v1.62.0"
BIN="$(bash "$ROOT/scripts/go-tool.sh" redis_exporter github.com/oliver006/redis_exporter "$REDIS_EXPORTER_VERSION")"
if [ "${1:-}" = "path" ]; then echo "$BIN"; exit 0; fi
exec "$BIN" "$@"
