#!/usr/bin/env bash
# Prints the path of a `promtool` binary (stdout: the path only; progress goes to stderr).
#
# Order: $PROMTOOL if executable, then a promtool on PATH, then a cached copy extracted from
# Debian's `prometheus` package into ${PLATFORM_CACHE_DIR:-$HOME/.cache/platform}/promtool.
# The package is downloaded (`apt-get download`) and unpacked with `dpkg-deb -x` instead of
# installed: no postinst, so no Prometheus server is ever started or left running.
#   bash scripts/promtool.sh            # -> /root/.cache/platform/promtool/bin/promtool
#   "$(bash scripts/promtool.sh)" --version
set -euo pipefail

if [ -n "${PROMTOOL:-}" ] && [ -x "${PROMTOOL}" ]; then
  echo "$PROMTOOL"
  exit 0
fi
if command -v promtool >/dev/null 2>&1; then
  command -v promtool
  exit 0
fi

CACHE="${PLATFORM_CACHE_DIR:-$HOME/.cache/platform}/promtool"
BIN="$CACHE/bin/promtool"
if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/install-lib.sh"
install_allowed "promtool (Debian prometheus)"
mkdir -p "$CACHE"
# Several test processes may ask at once: one downloads, the others wait and reuse.
exec 9>"$CACHE/.lock"
flock 9
if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

for tool in apt-get dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || { echo "promtool.sh: $tool missing (needs a Debian/Ubuntu host, or set PROMTOOL)" >&2; exit 1; }
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# As root apt warns it downloads "unsandboxed" (the _apt user cannot write the temp dir): harmless.
download() { (cd "$WORK" && apt-get download -q prometheus) >&2; }
if ! download; then
  # Package lists are missing or stale on a fresh machine: refresh once, then retry.
  # Retried: another apt-get on the machine may hold the lists lock for a moment.
  for attempt in 1 2 3; do
    echo "promtool.sh: apt-get update (attempt $attempt)" >&2
    apt-get update -q >&2 && break
    sleep 5
  done
  download || { echo "promtool.sh: apt-get download prometheus failed" >&2; exit 1; }
fi
DEB="$(ls "$WORK"/prometheus_*.deb | head -n 1)"
dpkg-deb -x "$DEB" "$WORK/root"
[ -x "$WORK/root/usr/bin/promtool" ] || { echo "promtool.sh: no usr/bin/promtool in $DEB" >&2; exit 1; }
mkdir -p "$CACHE/bin"
# Write then rename, so a concurrent reader never sees a half-copied binary.
cp "$WORK/root/usr/bin/promtool" "$BIN.tmp"
chmod 0755 "$BIN.tmp"
mv "$BIN.tmp" "$BIN"
echo "$BIN"
