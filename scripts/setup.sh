#!/usr/bin/env bash
# One command from a fresh clone to a working tree: npm dependencies, the system packages and
# servers the tests start (Redis, Cassandra, etcd, nginx, Chromium, Prometheus ...), every tool
# a test, bench or npm script uses (cqlsh, promtool, vegeta, actionlint), the real Pulumi engine
# (CLI, Node.js language host, Kubernetes provider) and the local control plane (kube-apiserver,
# controller-manager, scheduler, kubectl, kwok, istioctl, CRDs), then an offline synth of every
# stack into out/. Idempotent; downloads and builds are cached in $PLATFORM_CACHE_DIR (default
# ~/.cache/platform, outside the repo), so a fresh clone on a warm machine takes seconds.
# Quiet: each step prints one line; a failing step prints the end of its log
# ($PLATFORM_CACHE_DIR/logs/<step>.log). Only this script installs tools (PLATFORM_INSTALL=1):
# tests and benches fail at once, naming the tool, when one is missing.
#   npm run setup            (or: bash scripts/setup.sh)
#   SKIP_SYNTH=1 bash scripts/setup.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PLATFORM_CACHE_DIR="${PLATFORM_CACHE_DIR:-$HOME/.cache/platform}"
export PLATFORM_INSTALL=1
mkdir -p "$PLATFORM_CACHE_DIR"
source scripts/install-lib.sh
T0=$SECONDS

# `step <name> <what> <command...>`: one line per step with its duration.
step() {
  local name="$1" what="$2" t=$SECONDS; shift 2
  printf '==> %-58s' "$what"
  quietly "setup-$name" "$@"
  printf ' %4ss\n' "$((SECONDS - t))"
}

# `npm install`, not `npm ci`: it keeps a warm node_modules; the committed lock is what npm
# writes here, so it stays unchanged (.ci/run checks `git status --porcelain` after setup).
step npm "npm dependencies" npm install --no-audit --no-fund
step apt "Debian packages (apt)" bash scripts/apt-install.sh
step cassandra "Cassandra 5 jars (Maven Central)" bash scripts/cassandra.sh install
step cqlsh "cqlsh (PyPI)" bash scripts/cqlsh.sh path
step medusa "cassandra-medusa (PyPI)" bash scripts/medusa.sh path
step moto "moto S3 server (PyPI)" bash scripts/moto.sh path
step promtool "promtool" bash scripts/promtool.sh
step vegeta "vegeta (Go module proxy)" bash scripts/vegeta.sh path
step actionlint "actionlint (Go module proxy)" bash scripts/actionlint.sh path

# The long Go builds in two lanes: they share the cores, but each lane's downloads, `go mod
# tidy` and single-threaded links overlap the other's compiles (about a fifth faster cold).
printf '==> %-58s' "Go builds: Pulumi engine | control plane (cold ~30 min)"
t=$SECONDS
quietly setup-engine bash scripts/engine/build-engine.sh all &
engine=$!
quietly setup-cluster-tools bash scripts/cluster/build-tools.sh all &
cluster=$!
rc=0
wait "$engine" || rc=1
wait "$cluster" || rc=1
[[ $rc -eq 0 ]] || exit 1
printf ' %4ss\n' "$((SECONDS - t))"

step jmx-exporter "JMX exporter agent (Maven Central)" bash scripts/jmx-exporter.sh path
step redis-exporter "redis_exporter (Go module proxy)" bash scripts/redis-exporter.sh path

step docker-context "docker-context (build context after .dockerignore)" bash scripts/docker-context.sh install

if [ "${SKIP_SYNTH:-}" != "1" ]; then
  step synth "offline synth of every stack (out/)" npm run --silent synth -- --all
fi
echo "setup done in $((SECONDS - T0))s (caches: $PLATFORM_CACHE_DIR)"
