#!/usr/bin/env bash
# Single-node Apache Cassandra on loopback for tests and benchmarks, built from Maven Central
# artifacts (no Docker, no tarball mirror needed).
#
#   scripts/cassandra.sh install   download cassandra-all + dependencies into the cache (once)
#   scripts/cassandra.sh start     install if needed, start, wait until CQL answers (no-op if up);
#                                  prints "launched" (this call started it) or "running" on stdout
#   scripts/cassandra.sh stop      SIGTERM the process group (Cassandra drains), wait, SIGKILL late
#   scripts/cassandra.sh stop --kill   SIGKILL at once (crash simulation; commit log replays on start)
#   scripts/cassandra.sh status    prints "running <pid>" / "stopped"; exit 0 only when CQL answers
#
# Environment: CASSANDRA_CQL_PORT (9042), CASSANDRA_STORAGE_PORT (7000), CASSANDRA_STATE_DIR
# (.state/cassandra), CASSANDRA_AUTH (none | password), CASSANDRA_HEAP (1G): a second node with
# its own ports and state dir can run beside the shared one. CASSANDRA_JVM_EXTRA_OPTS: extra JVM
# options (word-split), e.g. the JMX exporter's -javaagent in the alerting live test.
# One node of a multi-data-centre ring (scripts/cassandra-ring.sh sets these): CASSANDRA_ADDRESS
# (127.0.0.1; listen = rpc = broadcast), CASSANDRA_DC + CASSANDRA_RACK (GossipingPropertyFileSnitch
# instead of SimpleSnitch), CASSANDRA_SEEDS (host:port,...), CASSANDRA_CLUSTER_NAME,
# CASSANDRA_EXTRA_YAML (a file appended to cassandra.yaml, e.g. the encryption options the pods
# render), CASSANDRA_CLIENT_TLS_CA (client encryption on: probe CQL over TLS with this CA),
# CASSANDRA_CLIENT_TLS_CERT + CASSANDRA_CLIENT_TLS_KEY (require_client_auth: the probe presents
# this client certificate),
# CASSANDRA_JMX_PORT + CASSANDRA_JMX_PASSWORD_FILE (remote JMX with a password file, as the pods
# run it for the rebuild Job's nodetool). CASSANDRA_KEEP_CONFIG=1: start with the conf/ already in
# the state dir instead of rewriting it (a restore tool wrote the node's tokens into it).
#
# Artifacts are cached outside the repo so a fresh clone on a warm machine starts fast; runtime
# data, logs and the pid file live under the repo's ignored .state/cassandra/.
set -euo pipefail

CASSANDRA_VERSION="${CASSANDRA_VERSION:-5.0.9}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${PLATFORM_CACHE_DIR:-$HOME/.cache/platform}/cassandra-${CASSANDRA_VERSION}"
STATE_DIR="${CASSANDRA_STATE_DIR:-$REPO_ROOT/.state/cassandra}"
CQL_HOST="${CASSANDRA_ADDRESS:-127.0.0.1}"
DC="${CASSANDRA_DC:-}"
RACK="${CASSANDRA_RACK:-rack1}"
CLUSTER_NAME="${CASSANDRA_CLUSTER_NAME:-platform-local}"
EXTRA_YAML="${CASSANDRA_EXTRA_YAML:-}"
CLIENT_TLS_CA="${CASSANDRA_CLIENT_TLS_CA:-}"
CLIENT_TLS_CERT="${CASSANDRA_CLIENT_TLS_CERT:-}"
CLIENT_TLS_KEY="${CASSANDRA_CLIENT_TLS_KEY:-}"
JMX_PORT="${CASSANDRA_JMX_PORT:-}"
JMX_PASSWORD_FILE="${CASSANDRA_JMX_PASSWORD_FILE:-}"
CQL_PORT="${CASSANDRA_CQL_PORT:-9042}"
# A second node beside the shared one (e.g. the schema Job test) needs its own storage port too.
STORAGE_PORT="${CASSANDRA_STORAGE_PORT:-7000}"
SEEDS="${CASSANDRA_SEEDS:-$CQL_HOST:$STORAGE_PORT}"
# none: no login (the shared test node); password: PasswordAuthenticator + CassandraAuthorizer
# with the default cassandra/cassandra superuser, as the platform's pods run it.
AUTH="${CASSANDRA_AUTH:-none}"
HEAP="${CASSANDRA_HEAP:-1G}"
START_TIMEOUT_S="${CASSANDRA_START_TIMEOUT_S:-240}"
PID_FILE="$STATE_DIR/cassandra.pid"

log() { echo "[cassandra] $*" >&2; }
source "$REPO_ROOT/scripts/install-lib.sh"

# Java 17 runs Cassandra 5.0; Maven resolves it. Installed from Debian only when missing.
ensure_tools() {
  local want=()
  command -v java >/dev/null || want+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || want+=(maven)
  (( ${#want[@]} == 0 )) && return 0
  local sudo=""; [[ "$(id -u)" -ne 0 ]] && sudo="sudo"
  if ! command -v apt-get >/dev/null; then
    log "missing: ${want[*]} (install Java 17 and Maven)"; exit 1
  fi
  log "installing ${want[*]} with apt"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${want[@]}"
}

install() {
  if [[ -f "$CACHE_DIR/.complete" ]]; then
    log "cassandra-all $CASSANDRA_VERSION already cached in $CACHE_DIR"
    command -v java >/dev/null || ensure_tools
    return 0
  fi
  ensure_tools
  mkdir -p "$CACHE_DIR"
  local work; work="$(mktemp -d)"
  # A throwaway pom whose only purpose is to let Maven resolve the transitive runtime classpath.
  cat >"$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.platform</groupId>
  <artifactId>cassandra-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.cassandra</groupId>
      <artifactId>cassandra-all</artifactId>
      <version>${CASSANDRA_VERSION}</version>
    </dependency>
  </dependencies>
</project>
EOF
  log "downloading cassandra-all $CASSANDRA_VERSION and its dependencies from Maven Central"
  rm -rf "$CACHE_DIR/lib.tmp"
  # The Maven repository lives in the platform cache too (a cold cache is a cold install).
  mvn -q -B -f "$work/pom.xml" -Dmaven.repo.local="${MAVEN_REPO_LOCAL:-${PLATFORM_CACHE_DIR:-$HOME/.cache/platform}/m2}" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$CACHE_DIR/lib.tmp"
  rm -rf "${CACHE_DIR:?}/lib" && mv "$CACHE_DIR/lib.tmp" "$CACHE_DIR/lib"
  rm -rf "$work"
  touch "$CACHE_DIR/.complete"
  log "installed $(ls "$CACHE_DIR/lib" | wc -l) jars into $CACHE_DIR/lib"
}

# Sends a CQL OPTIONS frame (protocol v4) and expects a SUPPORTED reply: the port being open is
# not enough, the native transport must actually answer.
cql_answers() {
  local reply
  if [[ -n "$CLIENT_TLS_CA" ]]; then
    # Client encryption: the same OPTIONS frame inside a TLS session verified against the CA
    # (presenting a client certificate when the node requires one).
    local mutual=()
    [[ -n "$CLIENT_TLS_CERT" ]] && mutual=(-cert "$CLIENT_TLS_CERT" -key "$CLIENT_TLS_KEY")
    reply="$( (printf '\x04\x00\x00\x00\x05\x00\x00\x00\x00'; sleep 1) \
      | timeout 5 openssl s_client -quiet -CAfile "$CLIENT_TLS_CA" -verify_return_error "${mutual[@]}" \
        -connect "$CQL_HOST:$CQL_PORT" 2>/dev/null | head -c 5 | od -An -tx1 || true)"
    [[ "$(echo $reply)" == "84 00 00 00 06" ]]
    return
  fi
  reply="$(timeout 3 bash -c "
    exec 3<>/dev/tcp/$CQL_HOST/$CQL_PORT || exit 1
    printf '\x04\x00\x00\x00\x05\x00\x00\x00\x00' >&3
    head -c 5 <&3 | od -An -tx1
  " 2>/dev/null || true)"
  [[ "$(echo $reply)" == "84 00 00 00 06" ]]
}

pid_alive() {
  [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null
}

write_config() {
  local conf="$STATE_DIR/conf"
  mkdir -p "$conf" "$STATE_DIR/data" "$STATE_DIR/commitlog" "$STATE_DIR/saved_caches" \
    "$STATE_DIR/hints" "$STATE_DIR/cdc_raw" "$STATE_DIR/logs"
  # Minimal loopback single node: SimpleSnitch => data centre "datacenter1"; small memtables and
  # caches so a 1 GiB heap is plenty; no auth unless CASSANDRA_AUTH=password.
  local authenticator=AllowAllAuthenticator authorizer=AllowAllAuthorizer
  case "$AUTH" in
    none) ;;
    password) authenticator=PasswordAuthenticator authorizer=CassandraAuthorizer ;;
    *) log "CASSANDRA_AUTH must be none or password, not '$AUTH'"; exit 2 ;;
  esac
  local snitch=SimpleSnitch
  if [[ -n "$DC" ]]; then
    snitch=GossipingPropertyFileSnitch
    printf 'dc=%s\nrack=%s\n' "$DC" "$RACK" >"$conf/cassandra-rackdc.properties"
  fi
  cat >"$conf/cassandra.yaml" <<EOF
cluster_name: $CLUSTER_NAME
num_tokens: 16
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: $snitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "$SEEDS"
listen_address: $CQL_HOST
rpc_address: $CQL_HOST
storage_port: $STORAGE_PORT
native_transport_port: $CQL_PORT
start_native_transport: true
authenticator: $authenticator
authorizer: $authorizer
data_file_directories:
  - $STATE_DIR/data
commitlog_directory: $STATE_DIR/commitlog
saved_caches_directory: $STATE_DIR/saved_caches
hints_directory: $STATE_DIR/hints
cdc_raw_directory: $STATE_DIR/cdc_raw
# group, not the default periodic: with one node and RF 1 there is no other replica, so an
# acknowledged write must be on disk before the ack, or a crash (stop --kill) loses the last
# seconds of acknowledged writes (replay stops at the last periodic sync marker). Writes wait
# at most the window for a shared fsync.
commitlog_sync: group
commitlog_sync_group_window: 5ms
commitlog_segment_size: 32MiB
memtable_heap_space: 128MiB
memtable_offheap_space: 128MiB
# As in 5.0's cassandra_latest.yaml: trie memtables with off-heap objects cost less CPU and GC
# than the legacy skip list on heap, which matters on a shared 2-core machine.
memtable_allocation_type: offheap_objects
memtable:
  configurations:
    skiplist:
      class_name: SkipListMemtable
    trie:
      class_name: TrieMemtable
    default:
      inherits: trie
concurrent_reads: 16
concurrent_writes: 32
concurrent_counter_writes: 8
key_cache_size: 16MiB
prepared_statements_cache_size: 16MiB
# Production default fail threshold (50KiB) kept on purpose: the app must chunk to fit it.
batch_size_warn_threshold: 48KiB
batch_size_fail_threshold: 50KiB
unlogged_batch_across_partitions_warn_threshold: 2
disk_failure_policy: stop
commit_failure_policy: stop
auto_snapshot: false
snapshot_on_duplicate_row_detection: false
EOF
  if [[ -n "$EXTRA_YAML" ]]; then cat "$EXTRA_YAML" >>"$conf/cassandra.yaml"; fi
  cat >"$conf/logback.xml" <<EOF
<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>$STATE_DIR/logs/system.log</file>
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
EOF
}

start() {
  if cql_answers; then
    log "already running (CQL answers on $CQL_HOST:$CQL_PORT)"
    echo "running"
    return 0
  fi
  # Only setup installs (PLATFORM_INSTALL=1); a test or bench on an unset machine fails at once.
  [[ -f "$CACHE_DIR/.complete" ]] || install_allowed "Cassandra $CASSANDRA_VERSION (Maven Central jars)"
  install
  mkdir -p "$STATE_DIR"
  # Serialise concurrent starts (e.g. a test run and a bench launched together).
  exec 9>"$STATE_DIR/.lock"
  flock 9
  if cql_answers; then
    log "already running (started by a concurrent caller)"
    echo "running"
    return 0
  fi
  if pid_alive; then
    log "process $(cat "$PID_FILE") exists but CQL does not answer yet; waiting"
  else
    if [[ "${CASSANDRA_KEEP_CONFIG:-}" != 1 || ! -f "$STATE_DIR/conf/cassandra.yaml" ]]; then write_config; fi
    local t0=$SECONDS
    # Single node on loopback: nothing to gossip with, so skip the settle/ring delays.
    local ring=(-Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.ring_delay_ms=0)
    # A ring node: a short non-zero ring delay so tokens and schema spread between the DCs.
    if [[ -n "$DC" ]]; then ring=(-Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.ring_delay_ms=2000); fi
    if [[ -n "$JMX_PORT" ]]; then
      # Remote JMX as the pods' cassandra-env.sh runs it with LOCAL_JMX=no: a password file
      # (JMX logins must not depend on system_auth, which a joining DC lacks until rebuilt).
      [[ -n "$JMX_PASSWORD_FILE" ]] || { log "CASSANDRA_JMX_PORT needs CASSANDRA_JMX_PASSWORD_FILE"; exit 2; }
      ring+=(
        -Dcassandra.jmx.remote.port="$JMX_PORT" -Dcom.sun.management.jmxremote.rmi.port="$JMX_PORT"
        -Dcom.sun.management.jmxremote.authenticate=true -Dcom.sun.management.jmxremote.ssl=false
        -Dcom.sun.management.jmxremote.password.file="$JMX_PASSWORD_FILE"
        -Djava.rmi.server.hostname="$CQL_HOST"
      )
    fi
    # Flags from Cassandra 5.0's conf/jvm-server.options and conf/jvm17-server.options (the
    # JPMS exports/opens are required on Java 17); heap kept small for a shared CI machine.
    local jvm=(
      -Xms"$HEAP" -Xmx"$HEAP" -Xss256k
      -XX:+UseG1GC -XX:+ParallelRefProcEnabled -XX:MaxTenuringThreshold=1 -XX:G1HeapRegionSize=16m
      -XX:G1RSetUpdatingPauseTimePercent=5 -XX:MaxGCPauseMillis=300 -XX:InitiatingHeapOccupancyPercent=70
      -XX:+ExitOnOutOfMemoryError -XX:HeapDumpPath="$STATE_DIR/logs"
      -XX:+UseTLAB -XX:+ResizeTLAB -XX:+PerfDisableSharedMem -XX:-RestrictContended
      -XX:StringTableSize=1000003
      -Djava.net.preferIPv4Stack=true
      -Djdk.attach.allowAttachSelf=true
      --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
      --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
      --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED
      --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED
      --add-exports java.management/com.sun.jmx.remote.security=ALL-UNNAMED
      --add-exports java.sql/java.sql=ALL-UNNAMED
      --add-exports java.base/java.lang.ref=ALL-UNNAMED
      --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED
      --add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
      --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED
      --add-opens java.base/java.lang.module=ALL-UNNAMED
      --add-opens java.base/jdk.internal.loader=ALL-UNNAMED
      --add-opens java.base/jdk.internal.ref=ALL-UNNAMED
      --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED
      --add-opens java.base/jdk.internal.math=ALL-UNNAMED
      --add-opens java.base/jdk.internal.module=ALL-UNNAMED
      --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED
      --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
      --add-opens java.base/sun.nio.ch=ALL-UNNAMED
      --add-opens java.base/java.io=ALL-UNNAMED
      --add-opens java.base/java.lang.reflect=ALL-UNNAMED
      --add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
      --add-opens java.base/java.lang=ALL-UNNAMED
      --add-opens java.base/java.util=ALL-UNNAMED
      -Dio.netty.tryReflectionSetAccessible=true
      -Dio.netty.allocator.useCacheForAllThreads=true
      -Dio.netty.allocator.maxOrder=11
      "${ring[@]}"
      -Dcassandra.superuser_setup_delay_ms=0
      -Dcassandra.config="file://$STATE_DIR/conf/cassandra.yaml"
      -Dcassandra.storagedir="$STATE_DIR"
      -Dcassandra.logdir="$STATE_DIR/logs"
      -Dlogback.configurationFile="file://$STATE_DIR/conf/logback.xml"
      -Dcassandra-foreground=yes
    )
    # shellcheck disable=SC2206 # word splitting wanted: a list of JVM options
    if [[ -n "${CASSANDRA_JVM_EXTRA_OPTS:-}" ]]; then jvm+=(${CASSANDRA_JVM_EXTRA_OPTS}); fi
    log "starting Cassandra $CASSANDRA_VERSION (data in $STATE_DIR)"
    # setsid: own process group, so stop can signal the whole group.
    setsid java "${jvm[@]}" -cp "$STATE_DIR/conf:$CACHE_DIR/lib/*" \
      org.apache.cassandra.service.CassandraDaemon \
      >"$STATE_DIR/logs/stdout.log" 2>&1 </dev/null 9>&- &
    echo $! >"$PID_FILE"
    START_T0=$t0
    LAUNCHED=1
  fi
  local t0=${START_T0:-$SECONDS}
  while ! cql_answers; do
    if ! pid_alive; then
      log "Cassandra exited during start; last log lines:"
      tail -n 40 "$STATE_DIR/logs/stdout.log" >&2 || true
      exit 1
    fi
    if (( SECONDS - t0 > START_TIMEOUT_S )); then
      log "CQL did not answer within ${START_TIMEOUT_S}s; see $STATE_DIR/logs/"
      exit 1
    fi
    sleep 1
  done
  log "CQL answers on $CQL_HOST:$CQL_PORT after $(( SECONDS - t0 ))s (pid $(cat "$PID_FILE"))"
  # stdout tells the caller whether this call launched the node, so that only the launcher stops
  # it (a status check before start would race with other users of the same node).
  if [[ -n "${LAUNCHED:-}" ]]; then echo "launched"; else echo "running"; fi
}

stop() {
  mkdir -p "$STATE_DIR"
  exec 9>"$STATE_DIR/.lock"
  flock 9
  if ! pid_alive; then
    log "not running"
    rm -f "$PID_FILE"
    return 0
  fi
  local pid; pid="$(cat "$PID_FILE")"
  if [[ "${1:-}" == "--kill" ]]; then
    # Crash simulation for fault tests: no drain, the commit log replays on the next start.
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  else
    # SIGTERM lets Cassandra's shutdown hook drain (flush memtables) before exiting.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  fi
  local t0=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    if (( SECONDS - t0 > 60 )); then
      log "still alive after 60s, sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.5
  done
  rm -f "$PID_FILE"
  log "stopped after $(( SECONDS - t0 ))s"
}

status() {
  if cql_answers; then
    echo "running ${PID_FILE:+$(cat "$PID_FILE" 2>/dev/null || echo external)}"
    return 0
  fi
  if pid_alive; then echo "starting $(cat "$PID_FILE")"; else echo "stopped"; fi
  return 1
}

# Cassandra's client tools from the same classpath: nodetool (the rebuild Job runs the image's
# nodetool) and sstableloader (medusa's `restore-node --use-sstableloader`, npm run restore).
tool() {
  local main="$1" heap="$2"
  shift 2
  install >/dev/null 2>&1 || install
  local quiet="$CACHE_DIR/logback-tools.xml"
  [[ -f "$quiet" ]] || printf '<configuration><root level="WARN"/></configuration>\n' >"$quiet"
  # The JPMS flags of Cassandra 5.0's conf/jvm17-clients.options.
  exec java "-Xmx$heap" -XX:+UseSerialGC -Djava.net.preferIPv4Stack=true \
    --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --add-exports java.base/jdk.internal.ref=ALL-UNNAMED \
    --add-exports java.base/sun.nio.ch=ALL-UNNAMED --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED \
    --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED \
    --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    --add-opens java.base/java.io=ALL-UNNAMED --add-opens java.base/jdk.internal.ref=ALL-UNNAMED \
    -cp "$CACHE_DIR/lib/*" -Dcassandra.storagedir=/tmp -Dlogback.configurationFile="$quiet" \
    "$main" "$@"
}

case "${1:-}" in
  install) install ;;
  nodetool) shift; tool org.apache.cassandra.tools.NodeTool 128m "$@" ;;
  sstableloader) shift; tool org.apache.cassandra.tools.BulkLoader 256m "$@" ;;
  start) start ;;
  stop) stop "${2:-}" ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop [--kill]|status|nodetool <args>|sstableloader <args>" >&2; exit 2 ;;
esac
