#!/usr/bin/env bash
# One command from a fresh clone to a working tree: npm dependencies, the system tools and
# servers the tests start (Redis, Cassandra, promtool, nginx, Chromium, vegeta), the Pulumi engine for
# `npm run up:local`, then an offline synth of every stack into out/. Idempotent; downloads and
# builds are cached in $PLATFORM_CACHE_DIR (default ~/.cache/platform, outside the repo, so a
# fresh clone on a warm machine is fast).
#   npm run setup            (or: bash scripts/setup.sh)
#   SKIP_SYNTH=1 bash scripts/setup.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PLATFORM_CACHE_DIR="${PLATFORM_CACHE_DIR:-$HOME/.cache/platform}"
mkdir -p "$PLATFORM_CACHE_DIR"

step() { printf '\n==> %s\n' "$*"; }

step "npm dependencies"
# `npm install`, not `npm ci`: the registry reachable here does not serve rollup's optional
# platform packages, so the lock cannot list them and `npm ci` refuses the lock as out of sync.
# `npm install` still installs the locked versions.
npm install --no-audit --no-fund

step "Debian packages (apt)"
bash scripts/apt-install.sh

step "Redis (gateway tests)"
bash scripts/redis.sh install

step "Cassandra (telemetry tests; Maven Central artifacts)"
bash scripts/cassandra.sh install

step "cqlsh (the Cassandra schema Job's script, run against a real node in the tests; PyPI)"
bash scripts/cqlsh.sh path >/dev/null

step "promtool (alert rule tests)"
bash scripts/promtool.sh >/dev/null

step "vegeta (fixed-rate latency in bench:gateway, and its test; Go module proxy)"
bash scripts/vegeta.sh path >/dev/null

step "Pulumi engine from the Go module proxy (npm run up:local; ~15 min cold, cached after)"
bash scripts/engine/build-engine.sh all

step "docker-context (the images' build context after .dockerignore, for its test; Go module proxy)"
bash scripts/docker-context.sh install >/dev/null

if [ "${SKIP_SYNTH:-}" != "1" ]; then
  step "offline synth of every stack"
  npm run --silent synth -- --all
fi
