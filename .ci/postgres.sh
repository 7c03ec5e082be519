#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test-suite, on loopback only.
#
#   .ci/postgres.sh start DIR   install PostgreSQL if needed (Debian packages),
#                               create a cluster in DIR, start it on a free port on
#                               127.0.0.1, create the role and database `claimtrack`,
#                               and print its URL (postgresql+psycopg://...) on stdout
#   .ci/postgres.sh stop DIR    stop that server (DIR can then be deleted)
#
# Idempotent: a second `start` on the same DIR prints the URL of the running server.
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres`
# user (created by the Debian package) and DIR is handed to it. Authentication is
# `trust` on loopback: the server holds test data only and is stopped after the run.
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
if [[ -z "$cmd" || -z "$dir" ]]; then
    echo "usage: $0 start|stop DIR" >&2
    exit 2
fi

log() { printf '%s\n' "$*" >&2; }

find_bin() {
    local found
    found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -n "$found" && -x "$found/initdb" ]]; then
        printf '%s\n' "$found"
    fi
}

as_owner() {
    # Run a command as the server's owner (postgres when we are root).
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

install_postgres() {
    if [[ -n "$(find_bin)" ]]; then
        return
    fi
    if [[ "$(id -u)" != 0 ]]; then
        log "postgres.sh: PostgreSQL is not installed and we are not root (apt-get install postgresql)"
        exit 1
    fi
    log "postgres.sh: installing PostgreSQL from the distribution's packages"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q postgresql >/dev/null 2>&1; then
        apt-get update -q >/dev/null
        apt-get install -y -q postgresql >/dev/null
    fi
}

free_port() {
    python3 - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

case "$cmd" in
start)
    install_postgres
    bin="$(find_bin)"
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    data="$dir/data"
    if [[ "$(id -u)" == 0 ]]; then
        chown postgres: "$dir"
        chmod 700 "$dir"
    fi
    if [[ -f "$dir/url" ]] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        cat "$dir/url"
        exit 0
    fi
    if [[ ! -f "$data/PG_VERSION" ]]; then
        as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
            --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    port="$(free_port)"
    # Small and fast: no durability needed for a test server.
    as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir \
            -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
            -c max_connections=200 -c shared_buffers=64MB" >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    psql_() { as_owner psql -X -q -tA -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"; }
    if [[ -z "$(psql_ -c "SELECT 1 FROM pg_roles WHERE rolname = 'claimtrack'")" ]]; then
        psql_ -c "CREATE ROLE claimtrack LOGIN CREATEDB" >/dev/null
    fi
    if [[ -z "$(psql_ -c "SELECT 1 FROM pg_database WHERE datname = 'claimtrack'")" ]]; then
        psql_ -c "CREATE DATABASE claimtrack OWNER claimtrack" >/dev/null
    fi
    url="postgresql+psycopg://claimtrack@127.0.0.1:$port/claimtrack"
    printf '%s\n' "$url" >"$dir/url"
    printf '%s\n' "$url"
    ;;
stop)
    bin="$(find_bin)"
    if [[ -n "$bin" && -f "$dir/data/PG_VERSION" ]]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
