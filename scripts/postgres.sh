#!/usr/bin/env bash
# Throw-away PostgreSQL cluster for the tests (Debian's `postgresql`), loopback only.
#   scripts/postgres.sh start  -> prints KEY=VALUE lines for the tests on stdout (progress goes to stderr)
#   scripts/postgres.sh stop   -> stops the cluster only if the matching `start` started it, deletes its data
# Listens on 127.0.0.1:$COFFER_PG_PORT (default 54329) only; user postgres, password postgres; fsync off.
# Idempotent: when something already answers on the port, `start` prints the env and starts nothing, and the
# `stop` that pairs with it stops nothing. Starts and stops nest (a stack in $STATE), so `scripts/test.sh`
# run while a developer's cluster is up leaves that cluster running.
set -euo pipefail

PORT=${COFFER_PG_PORT:-54329}
DATA=${COFFER_PG_DIR:-/tmp/coffer-pg}
STATE="$DATA.starts"          # one line per `start`: "started" or "nothing"; `stop` pops the last
PASSWORD=postgres

log() { echo "postgres.sh: $*" >&2; }

print_env() {
  echo "COFFER_PG_CONNECTION=Host=127.0.0.1;Port=$PORT;Username=postgres;Password=$PASSWORD"
}

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

install_postgres() {
  if [ -z "$(pg_bin)" ]; then
    log "installing the postgresql package"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
  fi
}

start() {
  if answers; then
    log "something already answers on 127.0.0.1:$PORT; using it and starting nothing"
    echo nothing >> "$STATE"
    print_env
    return 0
  fi

  rm -f "$STATE" # nothing answers: whatever an earlier start recorded is gone
  install_postgres
  local bin; bin=$(pg_bin) || { log "no initdb found after installing postgresql"; exit 1; }

  if [ -d "$DATA" ]; then
    log "removing the stale cluster in $DATA"
    as_postgres "$bin/pg_ctl" -D "$DATA" stop -m immediate >/dev/null 2>&1 || true
    rm -rf "$DATA"
  fi

  mkdir -p "$DATA"
  chown postgres:postgres "$DATA"
  chmod 700 "$DATA"
  local pwfile; pwfile=$(mktemp)
  echo "$PASSWORD" > "$pwfile"
  chown postgres "$pwfile"
  log "initdb into $DATA"
  as_postgres "$bin/initdb" -D "$DATA" -U postgres --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  rm -f "$pwfile"

  cat >> "$DATA/postgresql.conf" <<EOF
# Coffer test cluster: loopback only, not durable (fsync off), sockets in the data dir.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF

  log "starting on 127.0.0.1:$PORT"
  as_postgres "$bin/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start >&2 \
    || { log "pg_ctl start failed; see $DATA/server.log"; tail -n 20 "$DATA/server.log" >&2 || true; exit 1; }
  echo started >> "$STATE"
  print_env
}

stop() {
  local last=""
  if [ -s "$STATE" ]; then
    last=$(tail -n 1 "$STATE")
    sed -i '$d' "$STATE"
    [ -s "$STATE" ] || rm -f "$STATE"
  fi

  if [ "$last" != started ]; then
    log "the matching start started nothing; leaving 127.0.0.1:$PORT alone"
    return 0
  fi

  local bin; bin=$(pg_bin)
  log "stopping the cluster in $DATA"
  as_postgres "$bin/pg_ctl" -D "$DATA" stop -m fast -w >&2 || log "pg_ctl stop failed"
  rm -rf "$DATA"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
