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

if [ ! -s "$JAR" ]; then
  source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/install-lib.sh"
  install_allowed "jmx_prometheus_javaagent $JMX_EXPORTER_VERSION"
  mkdir -p "$DIR"
  quietly "jmx-exporter-$JMX_EXPORTER_VERSION" mvn -B org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
    -Dmaven.repo.local="${MAVEN_REPO_LOCAL:-$CACHE/m2}" \
    -Dartifact="io.prometheus.jmx:jmx_prometheus_javaagent:$JMX_EXPORTER_VERSION" \
    -DoutputDirectory="$DIR" -Dmdep.stripVersion=true
  [ -s "$JAR" ] || { echo "jmx-exporter.sh: $JAR missing after download" >&2; exit 1; }
fi
[ "${1:-path}" = "path" ] || { echo "usage: jmx-exporter.sh path" >&2; exit 2; }
echo "$JAR"
