#!/usr/bin/env bash
# Installs (if needed) and starts a throwaway PostgreSQL server on 127.0.0.1 for tests.
# usage: .ci/start-postgres.sh [data-dir] [port]  (as root: it installs Debian's postgresql when missing)   prints the DATABASE_URL on its last line.
set -euo pipefail
data_dir="${1:-/tmp/keyscope-pg}"
port="${2:-5432}"

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql >/dev/null
fi
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"

if [ ! -f "$data_dir/PG_VERSION" ]; then
  mkdir -p "$data_dir"
  chown postgres:postgres "$data_dir"
  su postgres -c "$bin/initdb -D '$data_dir' -U postgres --auth=trust -E UTF8 >/dev/null"
fi
if ! su postgres -c "$bin/pg_ctl -D '$data_dir' status" >/dev/null 2>&1; then
  su postgres -c "$bin/pg_ctl -D '$data_dir' -l '$data_dir/server.log' -w \
    -o \"-c listen_addresses=127.0.0.1 -p $port -k /tmp -c max_connections=300 -c fsync=off\" start" >/dev/null
fi
echo "postgres://postgres@127.0.0.1:$port/postgres"
