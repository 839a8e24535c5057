#!/usr/bin/env bash
# The throwaway PostgreSQL cluster the tests run against (docs/architecture.md, "PostgreSQL"):
#   pg_cluster.sh start STATE   initdb + pg_ctl start in a new /tmp folder, Unix socket only, no fsync;
#                               writes the folder (socket directory) to STATE
#   pg_cluster.sh stop STATE    stops it (immediate) and removes the folder
# CARNET_PG_DURABLE=1 keeps PostgreSQL's durable defaults (fsync, synchronous commit), for benchmarks.
# Run as root (CI), the cluster runs as the `postgres` user: PostgreSQL refuses to run as root.
set -euo pipefail
bin=${CARNET_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$bin/initdb" ] || { echo "pg_cluster.sh: no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 1; }
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop() {
  [ -f "$1" ] || return 0
  local dir
  dir=$(cat "$1")
  if [ -d "$dir/data" ]; then as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir" "$1"
}
case "${1:-}" in
start)
  stop "$2" # a cluster left by a killed run
  dir=$(mktemp -d /tmp/carnet-pg.XXXXXX)
  chmod 755 "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  if ! as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1
  fi
  # Test data only: no fsync, and enough connections for the parallel tests' pools.
  durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if [ "${CARNET_PG_DURABLE:-0}" = 1 ]; then durability=""; fi
  if ! as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-k $dir -c listen_addresses='' $durability -c max_connections=300" \
      start >/dev/null; then
    cat "$dir/server.log" >&2; rm -rf "$dir"; exit 1
  fi
  echo "$dir" >"$2"
  ;;
stop) stop "$2" ;;
*) echo "usage: pg_cluster.sh start|stop STATE_FILE" >&2; exit 2 ;;
esac
