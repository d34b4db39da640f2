#!/usr/bin/env bash
# cassandra-medusa, the backup/restore tool the backup CronJob runs in each Cassandra pod's
# medusa sidecar (snapshot, then upload to S3; differential = only new SSTables), for the restore
# drill against a real node. Installed once from PyPI into a virtualenv (scripts/pip-tool.sh).
#   bash scripts/medusa.sh path          install if needed, print the medusa binary's path
#   bash scripts/medusa.sh <args...>     run it
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MEDUSA_VERSION="0.31.0"
BIN="$(bash "$ROOT/scripts/pip-tool.sh" medusa "$MEDUSA_VERSION" "cassandra-medusa==$MEDUSA_VERSION")/medusa"
if [ "${1:-}" = "path" ]; then echo "$BIN"; exit 0; fi
exec "$BIN" "$@"
