#!/usr/bin/env bash
# Runs the commands of the operator documentation, so a doc that drifts from the code fails.
#
#   scripts/run-doc-commands.sh <postgres-base-url> [docs/NAME.md ...]     (after npm run build)
#
# <postgres-base-url> is a PostgreSQL server URL with a superuser (for example
# postgres://postgres@127.0.0.1:5432/postgres) on which this script may create and drop scratch
# databases and roles. It must name a host (TCP), and the server must let a new role log in there
# with a password (or trust). Without doc arguments it runs every docs/*.md.
#
# For each document, every fenced block whose info string is exactly `sh` (unindented ```sh … ```)
# is run, in order, in ONE bash shell per document (`bash -euo pipefail`, so variables set in one
# block are seen by the next), from the repository root. Blocks fenced as ```text or ```console
# are never run. Each document gets a fresh environment, the one the docs state at their top:
#
#   KEYSCOPE_URL, KEYSCOPE_API_KEY   a keyscope (dist/main.js, one process) on a new PostgreSQL
#                                    database, and its bootstrap admin key (BOOTSTRAP_ADMIN_KEY)
#   DATABASE_URL                     that server's database, as keyscope's own role: a new role
#                                    that is no superuser and owns the database, created as
#                                    docs/postgresql.md section 1 says (CREATE ROLE … LOGIN PASSWORD,
#                                    CREATE DATABASE … OWNER); keyscope runs as that role too
#   PG_ADMIN_URL                     <postgres-base-url> (superuser: may create databases and roles)
#   PGHOST, PGPORT                   that server's host and port (as in the URL)
#   KEYSCOPE_DB_NAME, KEYSCOPE_DB_USER   names a doc may use for a database and a role it creates
#   KEYSCOPE_RESTORE_DB              a name a doc may use for a database it restores into
#   DATA_DIR                         an empty directory for the embedded database
#   PORT_A … PORT_F                  six free TCP ports for servers (and proxies) a doc starts itself
#   TMPDIR                           a scratch directory (mktemp writes there)
#   PATH                             with `keyscope` = node dist/cli/keyscope.js (a small shim)
#
# A failing block is reported with the document, its number and line, its source and its output.
# Whatever happens, everything is cleaned up: the document's shell and every process it started
# (its process group), the server, the scratch databases and roles (all named kdoc_<pid>_…), and
# the temporary directories. The last line is "docs: N passed, N failed" (documents).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

say() { echo "docs: $*" >&2; }
[ "$#" -ge 1 ] || { say "usage: $0 <postgres-base-url> [docs/NAME.md ...]"; exit 2; }
pg_base="$1"
shift
if [ "$#" -gt 0 ]; then docs=("$@"); else docs=(docs/*.md); fi
doc_timeout="${KEYSCOPE_DOC_TIMEOUT:-300}"

# ---- prerequisites ---------------------------------------------------------------------------
[ -f dist/main.js ] && [ -f dist/cli/keyscope.js ] || { say "dist/ is missing: run npm run build first"; exit 2; }
missing=()
for tool in curl jq psql pg_dump pg_restore openssl setsid timeout; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  say "installing what the docs' commands use: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq curl jq postgresql-client openssl >/dev/null
  missing=()
  for tool in curl jq psql pg_dump pg_restore openssl setsid timeout; do command -v "$tool" >/dev/null || missing+=("$tool"); done
fi
[ "${#missing[@]}" -eq 0 ] || { say "missing tools: ${missing[*]}"; exit 2; }
psql "$pg_base" -Atqc 'SELECT 1' >/dev/null || { say "cannot connect to $pg_base"; exit 2; }
pg_host="$(node -e 'console.log(decodeURIComponent(new URL(process.argv[1]).hostname.replace(/^\[|\]$/g, "")) || "localhost")' "$pg_base")"
pg_port="$(node -e 'console.log(new URL(process.argv[1]).port || "5432")' "$pg_base")"
[ -n "$(node -e 'console.log(new URL(process.argv[1]).hostname)' "$pg_base")" ] \
  || { say "$pg_base names no host: the docs' roles log in over TCP, give a URL with a host"; exit 2; }

# ---- state and cleanup -------------------------------------------------------------------------
state="$(mktemp -d "${TMPDIR:-/tmp}/keyscope-docs.XXXXXX")"
prefix="kdoc_$$_"
server_pid=""
doc_pgid=""

# postgres://u@h:p/db?x=y → the same server and options, as role $1 with password $2, database $3
role_db_url() {
  node -e 'const u = new URL(process.argv[1]); u.username = process.argv[2]; u.password = process.argv[3];
    u.pathname = "/" + process.argv[4]; console.log(u.href)' "$pg_base" "$1" "$2" "$3"
}
sql() { psql "$pg_base" -v ON_ERROR_STOP=1 -Atqc "$1"; }

stop_group() { # <pgid>: SIGTERM the process group, then SIGKILL what is left after 10 s
  local pgid="$1"
  kill -TERM -- "-$pgid" 2>/dev/null || return 0
  for _ in $(seq 1 40); do kill -0 -- "-$pgid" 2>/dev/null || return 0; sleep 0.25; done
  kill -KILL -- "-$pgid" 2>/dev/null || true
}

stop_server() {
  [ -n "$server_pid" ] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.25; done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

drop_scratch() { # [<name prefix>]: every database and role of this run (names start with $prefix)
  local start="${1:-$prefix}" name like
  like="${start//_/\\_}%"
  for name in $(sql "SELECT datname FROM pg_database WHERE datname LIKE '$like'" 2>/dev/null); do
    sql "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" || say "could not drop database $name"
  done
  for name in $(sql "SELECT rolname FROM pg_roles WHERE rolname LIKE '$like'" 2>/dev/null); do
    sql "DROP OWNED BY \"$name\"; DROP ROLE IF EXISTS \"$name\"" 2>/dev/null || sql "DROP ROLE IF EXISTS \"$name\"" || say "could not drop role $name"
  done
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [ -z "$doc_pgid" ] || stop_group "$doc_pgid"
  stop_server
  drop_scratch
  rm -rf "$state"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

# ---- blocks --------------------------------------------------------------------------------------
# Writes $2/N.sh (the block) and $2/N.line (its first line in the doc) for each ```sh block of $1.
# Fails on an indented ```sh fence: it would silently not run.
extract_blocks() {
  awk -v out="$2" '
    function flush() { close(file) }
    !fence && /^[ \t]+```[ \t]*sh[ \t]*$/ { printf "%s:%d: indented ```sh block: unindent it or it is not run\n", FILENAME, NR > "/dev/stderr"; bad = 1 }
    !fence && /^```/ {
      fence = 1
      info = substr($0, 4); gsub(/^[ \t]+|[ \t]+$/, "", info)
      if (info == "sh") { n++; file = out "/" n ".sh"; printf "" > file; print NR + 1 > (out "/" n ".line"); close(out "/" n ".line"); collecting = 1 }
      next
    }
    fence && /^```[ \t]*$/ { fence = 0; if (collecting) flush(); collecting = 0; next }
    collecting { print > file }
    END { if (fence) { printf "%s: unclosed code fence\n", FILENAME > "/dev/stderr"; bad = 1 } exit bad }
  ' "$1"
}

# ---- one document ----------------------------------------------------------------------------------
passed=0
failed=0
failures=()

run_doc() {
  local doc="$1" name dir count i port admin_key database rc=0
  name="$(basename "$doc" .md | tr -c 'a-zA-Z0-9\n' '_' | tr 'A-Z' 'a-z')"
  dir="$state/$name"
  mkdir -p "$dir/blocks" "$dir/logs" "$dir/bin" "$dir/tmp" "$dir/data"
  if ! extract_blocks "$doc" "$dir/blocks"; then
    say "FAILED $doc: cannot read its code blocks"
    return 1
  fi
  count="$(find "$dir/blocks" -name '*.sh' | wc -l)"
  for ((i = 1; i <= count; i++)); do
    if ! bash -n "$dir/blocks/$i.sh" 2>"$dir/logs/syntax"; then
      say "FAILED $doc: block $i (line $(cat "$dir/blocks/$i.line")) is not valid bash:"
      sed 's/^/    /' "$dir/logs/syntax" >&2
      return 1
    fi
  done
  if [ "$count" -eq 0 ]; then
    say "ok     $doc (no sh blocks)"
    return 0
  fi

  # The environment the docs state: a running keyscope on a new PostgreSQL database, and the rest.
  printf '#!/bin/sh\nexec node "%s/dist/cli/keyscope.js" "$@"\n' "$repo" >"$dir/bin/keyscope"
  chmod +x "$dir/bin/keyscope"
  # keyscope's database and its own role, made as docs/postgresql.md section 1 makes them: a login
  # role that is no superuser and owns the database. The server and the docs use it as DATABASE_URL.
  local role role_password database_url
  database="${prefix}${name}"
  role="${prefix}${name}_keyscope"
  role_password="$(openssl rand -hex 24)"
  psql "$pg_base" -v ON_ERROR_STOP=1 -q -v user="$role" -v db="$database" -v password="$role_password" <<'SQL'
CREATE ROLE :"user" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"user" ENCODING 'UTF8' TEMPLATE template0;
SQL
  database_url="$(role_db_url "$role" "$role_password" "$database")"
  [ "$(psql "$database_url" -Atc 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user')" = f ] \
    || { say "FAILED $doc: cannot log in as the role $role (no superuser) at $database_url"; return 1; }
  port="$(free_port)"
  admin_key="docs-admin-$(openssl rand -hex 24)"
  (
    unset WORKERS DATA_DIR TRUST_PROXY KEYSCOPE_PERMISSIONS AUTH_FAILURE_LIMIT PRINCIPAL_CACHE_TTL_SECONDS PUBLIC_URL METRICS_PORT METRICS_HOST
    export PORT="$port" HOST=127.0.0.1 DATABASE_URL="$database_url" BOOTSTRAP_ADMIN_KEY="$admin_key" LOG_LEVEL=warn
    exec node --enable-source-maps dist/main.js
  ) >"$dir/server.log" 2>&1 &
  server_pid=$!
  local ready=""
  for _ in $(seq 1 120); do
    if curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null; then ready=1; break; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.5
  done
  if [ -z "$ready" ]; then
    say "FAILED $doc: the keyscope server for it did not start; its log:"
    tail -n 40 "$dir/server.log" >&2
    stop_server
    return 1
  fi

  # The script: each block's output goes to its own log; $dir/current names the block running.
  {
    echo "cd '$repo'"
    for ((i = 1; i <= count; i++)); do
      echo "echo $i >'$dir/current'"
      echo "{"
      cat "$dir/blocks/$i.sh"
      echo "} >'$dir/logs/$i.log' 2>&1 </dev/null"
    done
    echo "echo done >'$dir/current'"
  } >"$dir/doc.sh"

  local ports=() candidate
  while [ "${#ports[@]}" -lt 6 ]; do
    candidate="$(free_port)"
    [ "$candidate" != "$port" ] && [[ " ${ports[*]} " != *" $candidate "* ]] && ports+=("$candidate")
  done
  (
    for v in DATABASE_URL WORKERS PORT HOST DATA_DIR BOOTSTRAP_ADMIN_KEY TRUST_PROXY LOG_LEVEL KEYSCOPE_PERMISSIONS \
      BCRYPT_COST AUTH_FAILURE_LIMIT PRINCIPAL_CACHE_TTL_SECONDS SHUTDOWN_TIMEOUT_SECONDS KEYSCOPE_URL KEYSCOPE_API_KEY \
      PUBLIC_URL METRICS_PORT METRICS_HOST; do unset "$v"; done
    export KEYSCOPE_URL="http://127.0.0.1:$port" KEYSCOPE_API_KEY="$admin_key" DATABASE_URL="$database_url"
    export PG_ADMIN_URL="$pg_base" PGHOST="$pg_host" PGPORT="$pg_port" KEYSCOPE_DB_NAME="${prefix}${name}_db" KEYSCOPE_DB_USER="${prefix}${name}_user"
    export KEYSCOPE_RESTORE_DB="${prefix}${name}_restored"
    export DATA_DIR="$dir/data" PORT_A="${ports[0]}" PORT_B="${ports[1]}" PORT_C="${ports[2]}" PORT_D="${ports[3]}" \
      PORT_E="${ports[4]}" PORT_F="${ports[5]}"
    export TMPDIR="$dir/tmp" PATH="$dir/bin:$PATH"
    exec setsid timeout -k 10 "$doc_timeout" bash -euo pipefail "$dir/doc.sh"
  ) >"$dir/doc.out" 2>&1 </dev/null &
  doc_pgid=$!
  wait "$doc_pgid" || rc=$?
  stop_group "$doc_pgid"
  doc_pgid=""
  stop_server
  drop_scratch "$database" # this document's databases, then its roles

  local current
  current="$(cat "$dir/current" 2>/dev/null || echo 1)"
  if [ "$rc" -eq 0 ] && [ "$current" = done ]; then
    say "ok     $doc ($count blocks)"
    return 0
  fi
  local line
  line="$(cat "$dir/blocks/$current.line" 2>/dev/null || echo '?')"
  {
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
      echo "docs: FAILED $doc: block $current (line $line) did not finish within ${doc_timeout} s"
    else
      echo "docs: FAILED $doc: block $current (line $line) exited with status $rc"
    fi
    echo "---- the block"
    sed 's/^/    /' "$dir/blocks/$current.sh" 2>/dev/null || true
    echo "---- its output (last 80 lines)"
    tail -n 80 "$dir/logs/$current.log" 2>/dev/null | sed 's/^/    /' || true
    if [ -s "$dir/doc.out" ]; then
      echo "---- the shell's own output"
      tail -n 20 "$dir/doc.out" | sed 's/^/    /'
    fi
    echo "---- the keyscope server's log (last 20 lines)"
    tail -n 20 "$dir/server.log" | sed 's/^/    /'
  } >&2
  return 1
}

for doc in "${docs[@]}"; do
  if [ ! -f "$doc" ]; then
    say "FAILED $doc: no such file"
    failed=$((failed + 1)); failures+=("$doc")
    continue
  fi
  if run_doc "$doc"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$doc"); fi
done

[ "$failed" -eq 0 ] || say "failed: ${failures[*]}"
echo "docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
