#!/usr/bin/env bash
# Private PostgreSQL 15 for tests and examples.
#   scripts/pg-test-server.sh start   # prints: export GRIMNIR_PG_URL=postgres://grimnir@127.0.0.1:PORT/grimnir
#   scripts/pg-test-server.sh stop
# initdb into a temp dir, free loopback port, trust auth; runs as `postgres` when invoked as root.
# Needs Debian `postgresql` (PostgreSQL 15): apt-get install -y postgresql
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
STATE="${GRIMNIR_PG_STATE:-${TMPDIR:-/tmp}/grimnir-pg-test}"

as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if [ ! -x "$PG_BIN/initdb" ]; then
      echo "PostgreSQL 15 not found in $PG_BIN: run 'apt-get update && apt-get install -y postgresql'" >&2
      exit 1
    fi
    if [ -f "$STATE/port" ]; then
      echo "already running; run '$0 stop' first" >&2
      exit 1
    fi
    mkdir -p "$STATE"
    if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$STATE"; fi
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
    as_pg "$PG_BIN/initdb" -D "$STATE/data" -U grimnir --auth=trust --encoding=UTF8 --locale=C.UTF-8 -N >"$STATE/initdb.log"
    as_pg "$PG_BIN/pg_ctl" -D "$STATE/data" -l "$STATE/server.log" -w -t 30 \
      -o "-p $port -k $STATE -c listen_addresses=127.0.0.1" start >/dev/null
    as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U grimnir grimnir
    echo "$port" >"$STATE/port"
    echo "export GRIMNIR_PG_URL=postgres://grimnir@127.0.0.1:$port/grimnir"
    ;;
  stop)
    if [ -d "$STATE/data" ]; then
      as_pg "$PG_BIN/pg_ctl" -D "$STATE/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$STATE"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
