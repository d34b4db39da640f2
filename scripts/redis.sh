#!/usr/bin/env bash
# Local Redis for the gateway tests and bench, on 127.0.0.1 only (default port 6390, so it never
# clashes with a system Redis). Data, pid and log live under <repo>/.state/redis/<port>/ (git-ignored).
#   bash scripts/redis.sh install          apt-get install -y redis-server when redis-server is missing
#   bash scripts/redis.sh start [port]     start (no-op when already running), wait for PING
#   bash scripts/redis.sh stop [port]      stop the instance started here
#   bash scripts/redis.sh status [port]    exit 0 when PING answers
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CMD="${1:-}"
PORT="${2:-${REDIS_PORT_LOCAL:-6390}}"
DIR="$ROOT/.state/redis/$PORT"
PIDFILE="$DIR/redis.pid"

ping() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" = "PONG" ]
  else
    # bash /dev/tcp fallback
    exec 3<>"/dev/tcp/127.0.0.1/$PORT" 2>/dev/null || return 1
    printf 'PING\r\n' >&3
    local line=""
    read -r -t 2 line <&3 || true
    exec 3>&- 3<&-
    [[ "$line" == "+PONG"* ]]
  fi
}

case "$CMD" in
  install)
    if ! command -v redis-server >/dev/null 2>&1; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get install -y redis-server >/dev/null || { apt-get update >/dev/null && apt-get install -y redis-server >/dev/null; }
    fi
    ;;
  start)
    if ping; then
      echo "redis already running on 127.0.0.1:$PORT"
      exit 0
    fi
    command -v redis-server >/dev/null 2>&1 || { echo "redis-server is not installed: run \`npm run setup\`" >&2; exit 3; }
    mkdir -p "$DIR"
    redis-server --bind 127.0.0.1 --port "$PORT" --daemonize yes \
      --pidfile "$PIDFILE" --logfile "$DIR/redis.log" --dir "$DIR" \
      --save "" --appendonly no --protected-mode yes
    for _ in $(seq 1 100); do
      if ping; then echo "redis started on 127.0.0.1:$PORT"; exit 0; fi
      sleep 0.1
    done
    echo "redis did not answer PING on 127.0.0.1:$PORT; log: $DIR/redis.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$PIDFILE" ]; then
      PID="$(cat "$PIDFILE")"
      if kill -0 "$PID" 2>/dev/null; then
        kill "$PID"
        for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
      fi
      rm -f "$PIDFILE"
      echo "redis stopped on 127.0.0.1:$PORT"
    else
      echo "no redis started here on port $PORT"
    fi
    ;;
  status)
    if ping; then echo "redis running on 127.0.0.1:$PORT"; else echo "redis not running on 127.0.0.1:$PORT"; exit 1; fi
    ;;
  *)
    echo "usage: $0 {install|start [port]|stop [port]|status [port]}" >&2
    exit 2
    ;;
esac
