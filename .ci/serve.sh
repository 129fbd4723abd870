#!/usr/bin/env bash
# Starts and stops throwaway keyscope servers (the built dist/) for end-to-end checks in CI.
#
#   .ci/serve.sh start <name> [<postgres-url>]   start a fresh server, print its base URL (last line)
#   .ci/serve.sh stop <name>                     stop it (SIGTERM, then SIGKILL) and remove its data
#   .ci/serve.sh stop-all                        stop every server started with this state dir
#
# A fresh server: embedded PGlite in a new temporary DATA_DIR, or with <postgres-url> a new database
# created on that PostgreSQL server (dropped again on stop). It listens on 127.0.0.1 on a free port;
# BOOTSTRAP_ADMIN_KEY (required, 32+ characters) becomes its admin key. start returns once /healthz
# answers. State (pid, data dir, database, log) is kept in $KEYSCOPE_SERVE_DIR (required), so the
# caller can `trap '.ci/serve.sh stop-all' EXIT`. Messages go to stderr; only the URL to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

state="${KEYSCOPE_SERVE_DIR:?set KEYSCOPE_SERVE_DIR to a directory for the server state}"
mkdir -p "$state"
say() { echo "serve: $*" >&2; }

# Runs one SQL statement on the server of a postgres URL (node-postgres from the project; no psql needed).
pg_exec() {
  node -e '
    const { Client } = require("pg");
    const c = new Client({ connectionString: process.argv[1] });
    c.connect().then(() => c.query(process.argv[2])).then(() => c.end(), (e) => { console.error(e.message); process.exit(1); });
  ' "$1" "$2"
}

start() {
  local name="$1" pg_url="${2:-}"
  [ -n "${BOOTSTRAP_ADMIN_KEY:-}" ] || { say "BOOTSTRAP_ADMIN_KEY is not set"; exit 2; }
  [ -f dist/main.js ] || { say "dist/main.js is missing: run npm run build first"; exit 2; }
  [ ! -f "$state/$name.pid" ] || { say "a server named $name is already running"; exit 2; }
  local port data_dir="" database="" database_url=""
  port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
  if [ -n "$pg_url" ]; then
    database="keyscope_ci_$(echo "$name" | tr -c 'a-zA-Z0-9\n' '_')_$(date +%s)_$$"
    pg_exec "$pg_url" "CREATE DATABASE $database"
    database_url="${pg_url%/*}/$database"
    echo "$pg_url" >"$state/$name.pg"
    echo "$database" >"$state/$name.db"
  else
    data_dir="$(mktemp -d "${TMPDIR:-/tmp}/keyscope-data.XXXXXX")"
    echo "$data_dir" >"$state/$name.data"
  fi
  local log="$state/$name.log"
  (
    export PORT="$port" HOST=127.0.0.1 LOG_LEVEL="${LOG_LEVEL:-warn}"
    if [ -n "$database_url" ]; then export DATABASE_URL="$database_url"; else unset DATABASE_URL; export DATA_DIR="$data_dir"; fi
    exec node --enable-source-maps dist/main.js
  ) >"$log" 2>&1 &
  local pid=$! where="PGlite in $data_dir"
  [ -z "$database" ] || where="PostgreSQL database $database"
  echo "$pid" >"$state/$name.pid"
  local base="http://127.0.0.1:$port"
  for _ in $(seq 1 240); do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "server $name exited during start; its log:"; tail -n 40 "$log" >&2; stop "$name"; exit 1
    fi
    if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$base/healthz"; then
      say "server $name, pid $pid, $where, on $base"
      echo "$base"
      return 0
    fi
    sleep 0.5
  done
  say "server $name did not answer /healthz within 120 s; its log:"; tail -n 40 "$log" >&2; stop "$name"; exit 1
}

stop() {
  local name="$1" pid
  if [ -f "$state/$name.pid" ]; then
    pid="$(cat "$state/$name.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      if kill -0 "$pid" 2>/dev/null; then say "server $name (pid $pid) ignored SIGTERM; killing it"; kill -KILL "$pid" 2>/dev/null || true; fi
    fi
    rm -f "$state/$name.pid"
    say "stopped server $name"
  fi
  if [ -f "$state/$name.data" ]; then rm -rf "$(cat "$state/$name.data")"; rm -f "$state/$name.data"; fi
  if [ -f "$state/$name.db" ]; then
    pg_exec "$(cat "$state/$name.pg")" "DROP DATABASE IF EXISTS $(cat "$state/$name.db")" || say "could not drop database $(cat "$state/$name.db")"
    rm -f "$state/$name.db" "$state/$name.pg"
  fi
}

case "${1:-}" in
  start) [ "$#" -ge 2 ] || { say "usage: $0 start <name> [<postgres-url>]"; exit 2; }; start "$2" "${3:-}" ;;
  stop) [ "$#" -eq 2 ] || { say "usage: $0 stop <name>"; exit 2; }; stop "$2" ;;
  stop-all)
    for f in "$state"/*.pid "$state"/*.data "$state"/*.db; do
      [ -e "$f" ] || continue
      n="$(basename "$f")"; stop "${n%.*}"
    done
    ;;
  *) say "usage: $0 start <name> [<postgres-url>] | stop <name> | stop-all"; exit 2 ;;
esac
