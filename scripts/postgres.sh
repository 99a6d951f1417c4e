#!/usr/bin/env bash
# Find or start a PostgreSQL for the test suite and print its DATABASE_URL.
#   scripts/postgres.sh start   prints a URL: $DATABASE_URL if set, else a throwaway
#                               cluster started from the installed binaries, else the server
#                               on 127.0.0.1:5432 (OPENIOP_PG_SHARED=1 prefers that server).
#   scripts/postgres.sh stop    stops the throwaway cluster, if this script started one.
# The throwaway cluster runs without fsync: the browser and video tests empty every table
# after each test (TRUNCATE), which with fsync on cost 4.5 s a test, 1 s without. Same
# PostgreSQL, nothing kept: a crash loses only test data.
set -euo pipefail
cd "$(dirname "$0")/.."
action="${1:-start}"
# Under /tmp, not the checkout: the postgres user may not be able to enter a home folder.
data_dir="${TMPDIR:-/tmp}/openiop-pgtest"
port=55432

bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
  echo "$dir"
}

as_owner() {
  # initdb and postgres refuse to run as root.
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    if [ -n "${DATABASE_URL:-}" ]; then
      echo "$DATABASE_URL"
      exit 0
    fi
    if { [ -n "${OPENIOP_PG_SHARED:-}" ] || ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; } \
      && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
      echo "postgres://postgres@127.0.0.1:5432/openiop"
      exit 0
    fi
    bin=$(bin_dir)
    if [ ! -f "$data_dir/PG_VERSION" ]; then
      mkdir -p "$data_dir"
      [ "$(id -u)" = "0" ] && chown postgres: "$data_dir"
      as_owner "$bin/initdb" -D "$data_dir" -U postgres -A trust >/dev/null
    fi
    if ! as_owner "$bin/pg_ctl" -D "$data_dir" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$data_dir" -l "$data_dir/server.log" -w start \
        -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
      touch "$data_dir.started"
    fi
    echo "postgres://postgres@127.0.0.1:$port/openiop"
    ;;
  stop)
    if [ -f "$data_dir.started" ]; then
      as_owner "$(bin_dir)/pg_ctl" -D "$data_dir" -m fast -w stop >/dev/null || true
      rm -f "$data_dir.started"
    fi
    ;;
esac
