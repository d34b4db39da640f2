#!/usr/bin/env bash
# The Prometheus JMX exporter Java agent (io.prometheus.jmx:jmx_prometheus_javaagent, Maven
# Central), the metrics agent the Cassandra pods load (components/cassandra/metrics.ts); the
# alerting live test starts a local Cassandra with it. Fetched once with Maven into
# $PLATFORM_CACHE_DIR/jmx-exporter-<version>/, quiet on success (Maven's output goes to a log).
#   bash scripts/jmx-exporter.sh path      install if needed, print the jar's path
set -euo pipefail
JMX_EXPORTER_VERSION="1.0.1"
CACHE="${PLATFORM_CACHE_DIR:-$HOME/.cache/platform}"
DIR="$CACHE/jmx-exporter-$JMX_EXPORTER_VERSION"
JAR="$DIR/jmx_prometheus_javaagent.jar"
LOG="$CACHE/logs/jmx-exporter-install.log"

if [ ! -s "$JAR" ]; then
  command -v mvn >/dev/null || { echo "jmx-exporter.sh: Maven is required (run \`npm run setup\`)" >&2; exit 2; }
  mkdir -p "$DIR" "$(dirname "$LOG")"
  if ! mvn -B org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
    -Dartifact="io.prometheus.jmx:jmx_prometheus_javaagent:$JMX_EXPORTER_VERSION" \
    -DoutputDirectory="$DIR" -Dmdep.stripVersion=true >"$LOG" 2>&1; then
    cat "$LOG" >&2
    echo "jmx-exporter.sh: could not fetch jmx_prometheus_javaagent $JMX_EXPORTER_VERSION from Maven Central" >&2
    exit 1
  fi
  [ -s "$JAR" ] || { cat "$LOG" >&2; echo "jmx-exporter.sh: $JAR missing after download" >&2; exit 1; }
fi
[ "${1:-path}" = "path" ] || { echo "usage: jmx-exporter.sh path" >&2; exit 2; }
echo "$JAR"
