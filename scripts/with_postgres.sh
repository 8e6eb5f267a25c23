#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL cluster:
#   bash scripts/with_postgres.sh COMMAND [ARGS...]
# Installs the distribution's PostgreSQL server if it is missing, creates a cluster in a temporary
# folder listening only on 127.0.0.1 (a free port), creates the database `gongzhang_test`, runs
# COMMAND with GONGZHANG_TEST_DB set to its URL, then stops the cluster and deletes it. The exit
# status is COMMAND's.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "with_postgres: need root to run: $*" >&2; return 1; fi
}

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

BIN=$(pg_bin || true)
if [ -z "$BIN" ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        postgresql >/dev/null
    BIN=$(pg_bin)
fi

# PostgreSQL refuses to run as root: the cluster then belongs to the `postgres` system user.
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent postgres
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

TMP=$(mktemp -d)
chmod 755 "$TMP"
[ "$(id -u)" = 0 ] && chown postgres "$TMP"
PORT=$(.venv/bin/python -c \
    "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")

cleanup() {
    as_pg "$BIN/pg_ctl" -D "$TMP/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

as_pg "$BIN/initdb" -D "$TMP/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$TMP/initdb.log" 2>&1 || { cat "$TMP/initdb.log" >&2; exit 1; }
# Throw-away data: durability settings off make the run faster; crash tests kill clients, not
# the server.
as_pg "$BIN/pg_ctl" -D "$TMP/data" -l "$TMP/server.log" -w -o \
    "-c listen_addresses=127.0.0.1 -p $PORT -k $TMP -c fsync=off -c synchronous_commit=off \
     -c full_page_writes=off -c max_connections=50" start >/dev/null \
    || { cat "$TMP/server.log" >&2; exit 1; }
"$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres gongzhang_test

export GONGZHANG_TEST_DB="postgresql+psycopg://postgres@127.0.0.1:$PORT/gongzhang_test"
echo "with_postgres: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on port $PORT" >&2
set +e
"$@"
status=$?
set -e
exit $status
