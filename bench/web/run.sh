#!/usr/bin/env bash
# The sample app's two hot endpoints under load, on loopback, in its S3 configuration (Ceph RGW + PostgreSQL,
# then SQLite):
#   GET /api/files            the caller's 100 files, each with a freshly presigned URL (about 40 KB of JSON)
#   GET /files/{id}/download  owner check, then a 302 to a 60-second presigned URL
#
#   bench/web/run.sh            build (Release), start, seed, check the answers, then wrk -t2 -c8 -d20s --latency,
#                               three runs per endpoint, medians; PostgreSQL, then SQLite
#   bench/web/run.sh --quick    the same with one 5-second run per endpoint (for development)
#   options: --pg-only | --sqlite-only, --duration 20s, --runs 3, --no-build (reuse the last publish),
#            --serve (seed and check, then keep the app running for a profiler until Ctrl-C; no load)
#
# It starts what it needs with scripts/s3-server.sh and scripts/postgres.sh (both reuse a server that already
# answers, and their `stop` stops only what their `start` started), creates a fresh PostgreSQL database and a temp
# SQLite file, seeds one user with 100 private files of 1 KiB through the app's own API plus a second user, and
# checks before loading that the answers are right (100 items, every URL fetches exactly its object, the other user
# gets 404, the download's Location fetches the object), so a fast wrong answer cannot pass.
# CPU per request is the app process's own utime+stime (/proc/<pid>/stat) over a run divided by its requests.
# Everything runs on 127.0.0.1 for fixed durations. The last line is the result for PostgreSQL:
#   web: list=<req/s> list_p99=<ms> download=<req/s> download_p99=<ms> list_cpu_ms=<ms>
# (the SQLite figures are on the line before it, as `web-sqlite: ...`).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DURATION=20s
RUNS=3
WARMUP=5s
DATABASES=(PostgreSQL Sqlite)
BUILD=1
SERVE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) DURATION=5s; RUNS=1; WARMUP=3s ;;
    --duration) DURATION=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --pg-only) DATABASES=(PostgreSQL) ;;
    --sqlite-only) DATABASES=(Sqlite) ;;
    --no-build) BUILD=0 ;;
    --serve) SERVE=1 ;;
    *) echo "usage: $0 [--quick] [--duration 20s] [--runs 3] [--pg-only|--sqlite-only] [--no-build] [--serve]" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "bench/web: $*" >&2; }
fail() { echo "bench/web: FAILED: $*" >&2; exit 1; }

need() { # command, Debian package
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing $2"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >&2
}
need wrk wrk
need jq jq
need curl curl

OUT=${COFFER_BENCH_WEB_DIR:-/tmp/coffer-bench-web}   # the published app (kept between runs for --no-build)
WORK=$(mktemp -d /tmp/coffer-bench-web-run.XXXXXX)    # this run's files: seed data, SQLite file, logs
APP_PID=""
S3_STARTED=0
PG_STARTED=0
PG_DB=""
PG_CONNECTION=""

cleanup() {
  local status=$?
  stop_app
  if [ -n "$PG_DB" ]; then
    PGPASSWORD=postgres psql -q -h 127.0.0.1 -p "${PG_PORT:-54329}" -U postgres -d postgres \
      -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  [ "$PG_STARTED" = 1 ] && "$ROOT/scripts/postgres.sh" stop >/dev/null || true
  [ "$S3_STARTED" = 1 ] && "$ROOT/scripts/s3-server.sh" stop >/dev/null || true
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop_app() {
  if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then
    kill "$APP_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$APP_PID" 2>/dev/null || true
  fi
  APP_PID=""
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ---------- servers ----------
S3_ENV=$("$ROOT/scripts/s3-server.sh" start) || fail "scripts/s3-server.sh start"
S3_STARTED=1
S3_ENDPOINT=$(sed -n 's/^COFFER_S3_ENDPOINT=//p' <<<"$S3_ENV")
S3_ACCESS_KEY=$(sed -n 's/^COFFER_S3_ACCESS_KEY=//p' <<<"$S3_ENV")
S3_SECRET_KEY=$(sed -n 's/^COFFER_S3_SECRET_KEY=//p' <<<"$S3_ENV")
if [[ " ${DATABASES[*]} " == *" PostgreSQL "* ]]; then
  need psql postgresql-client
  PG_ENV=$("$ROOT/scripts/postgres.sh" start) || fail "scripts/postgres.sh start"
  PG_STARTED=1
  PG_CONNECTION=$(sed -n 's/^COFFER_PG_CONNECTION=//p' <<<"$PG_ENV")
  PG_PORT=$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$PG_CONNECTION")
fi

# ---------- build ----------
if [ "$BUILD" = 1 ] || [ ! -f "$OUT/Coffer.Sample.dll" ]; then
  log "publishing samples/Coffer.Sample (Release) to $OUT"
  rm -rf "$OUT"
  dotnet publish "$ROOT/samples/Coffer.Sample/Coffer.Sample.csproj" -c Release -o "$OUT" --nologo -v quiet >&2 \
    || fail "dotnet publish"
fi

# ---------- the app ----------
start_app() { # provider
  local provider=$1 port
  port=$(free_port)
  BASE="http://127.0.0.1:$port"
  local -a env=(
    ASPNETCORE_URLS="$BASE"
    ASPNETCORE_ENVIRONMENT=Production
    DOTNET_CLI_TELEMETRY_OPTOUT=1
    Database__Provider="$provider"
    Sample__CreateBuckets=true
  )
  if [ "$provider" = PostgreSQL ]; then
    PG_DB="coffer_bench_web_$$"
    PGPASSWORD=postgres psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "CREATE DATABASE \"$PG_DB\"" >/dev/null \
      || fail "cannot create the database $PG_DB"
    env+=(ConnectionStrings__PostgreSQL="$PG_CONNECTION;Database=$PG_DB")
  else
    env+=(ConnectionStrings__Sqlite="Data Source=$WORK/app.db")
  fi
  local storage
  for storage in private public; do
    env+=(
      Coffer__Storages__${storage}__Backend=S3
      Coffer__Storages__${storage}__BucketName=coffer-bench-web
      Coffer__Storages__${storage}__ServiceUrl="$S3_ENDPOINT"
      Coffer__Storages__${storage}__AccessKey="$S3_ACCESS_KEY"
      Coffer__Storages__${storage}__SecretKey="$S3_SECRET_KEY"
    )
  done
  log "starting the app ($provider) on $BASE"
  (cd "$OUT" && exec env "${env[@]}" dotnet Coffer.Sample.dll >"$WORK/app-$provider.log" 2>&1) &
  APP_PID=$!
  for _ in $(seq 600); do
    if curl -s -o /dev/null "$BASE/healthz"; then break; fi
    kill -0 "$APP_PID" 2>/dev/null || { tail -n 40 "$WORK/app-$provider.log" >&2; fail "the app exited at start"; }
    sleep 0.1
  done
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")" = 200 ] \
    || { tail -n 40 "$WORK/app-$provider.log" >&2; fail "the app's /healthz does not answer 200"; }
}

login() { # email -> bearer token
  local email=$1 password="Bench-password-1"
  local code
  code=$(curl -s -o "$WORK/register.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$BASE/register")
  [ "$code" = 200 ] || fail "POST /register for $email: $code $(cat "$WORK/register.json")"
  curl -sf -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$BASE/login" \
    | jq -er .accessToken || fail "POST /login for $email"
}

seed_and_check() {
  TOKEN=$(login owner@bench.test)
  OTHER_TOKEN=$(login other@bench.test)
  local auth=(-H "Authorization: Bearer $TOKEN") other=(-H "Authorization: Bearer $OTHER_TOKEN")

  log "seeding 100 private files of 1 KiB through POST /api/files"
  mkdir -p "$WORK/files" "$WORK/by-id"
  local i id
  for i in $(seq -w 1 100); do
    head -c 1024 /dev/urandom >"$WORK/files/file-$i.bin"
    id=$(curl -sf "${auth[@]}" -F "file=@$WORK/files/file-$i.bin;type=application/octet-stream" "$BASE/api/files" \
      | jq -er .id) || fail "POST /api/files (file $i)"
    cp "$WORK/files/file-$i.bin" "$WORK/by-id/$id"
  done

  log "checking the answers before loading"
  curl -sf "${auth[@]}" "$BASE/api/files" >"$WORK/list.json" || fail "GET /api/files"
  [ "$(jq length "$WORK/list.json")" = 100 ] || fail "GET /api/files has $(jq length "$WORK/list.json") items, not 100"
  local now; now=$(date -u +%s)
  jq -r '.[] | "\(.id) \(.expiresAt) \(.url)"' "$WORK/list.json" >"$WORK/list.txt"
  local expires url signed
  while read -r id expires url; do
    [ -f "$WORK/by-id/$id" ] || fail "GET /api/files lists id $id, which the owner did not upload"
    [[ "$url" == *X-Amz-Signature=* ]] || fail "the URL of file $id is not presigned: $url"
    [ "$(date -u -d "$expires" +%s)" -gt "$now" ] || fail "the URL of file $id has expired already ($expires)"
    signed=$(sed -n 's/.*X-Amz-Date=\([0-9]\{8\}\)T\([0-9]\{2\}\)\([0-9]\{2\}\)\([0-9]\{2\}\)Z.*/\1 \2:\3:\4/p' <<<"$url")
    [ -n "$signed" ] && [ $(( now - $(date -u -d "$signed" +%s) )) -le 30 ] \
      || fail "the URL of file $id was not signed for this request (X-Amz-Date ${signed:-missing}): $url"
    curl -sf "$url" -o "$WORK/fetched" || fail "the URL of file $id does not fetch: $url"
    cmp -s "$WORK/fetched" "$WORK/by-id/$id" || fail "the URL of file $id fetches other bytes than its object"
  done <"$WORK/list.txt"
  [ "$(cut -d' ' -f1 "$WORK/list.txt" | sort -u | wc -l)" = 100 ] || fail "GET /api/files repeats ids"

  FILE_ID=$(head -n 1 "$WORK/list.txt" | cut -d' ' -f1)
  local code location
  read -r code location < <(curl -s -o /dev/null -w '%{http_code} %{redirect_url}\n' "${auth[@]}" "$BASE/files/$FILE_ID/download")
  [ "$code" = 302 ] || fail "GET /files/$FILE_ID/download is $code, not 302"
  [[ "$location" =~ X-Amz-Expires=60(\&|$) ]] || fail "the download's Location does not live 60 seconds: $location"
  curl -sf "$location" -o "$WORK/fetched" || fail "the download's Location does not fetch: $location"
  cmp -s "$WORK/fetched" "$WORK/by-id/$FILE_ID" || fail "the download's Location fetches other bytes than file $FILE_ID"

  code=$(curl -s -o /dev/null -w '%{http_code}' "${other[@]}" "$BASE/api/files/$FILE_ID")
  [ "$code" = 404 ] || fail "another user's GET /api/files/$FILE_ID is $code, not 404"
  code=$(curl -s -o /dev/null -w '%{http_code}' "${other[@]}" "$BASE/files/$FILE_ID/download")
  [ "$code" = 404 ] || fail "another user's GET /files/$FILE_ID/download is $code, not 404"
  [ "$(curl -sf "${other[@]}" "$BASE/api/files" | jq length)" = 0 ] || fail "another user's GET /api/files is not empty"
  code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/files")
  [ "$code" = 401 ] || fail "GET /api/files without a token is $code, not 401"
  code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/files/$FILE_ID/download")
  [ "$code" = 401 ] || fail "GET /files/$FILE_ID/download without a token is $code, not 401"
  log "answers are right: 100 items, each URL fetches its object, the other user gets 404, the download redirects to the object"
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$APP_PID/stat"; }

# One wrk run; prints "req/s p99_ms cpu_ms_per_request".
load() { # path duration
  local path=$1 duration=$2 before after
  before=$(cpu_ticks)
  wrk -t2 -c8 -d"$duration" --latency -H "Authorization: Bearer $TOKEN" "$BASE$path" >"$WORK/wrk.txt"
  after=$(cpu_ticks)
  grep -q 'Non-2xx or 3xx responses' "$WORK/wrk.txt" && { cat "$WORK/wrk.txt" >&2; fail "wrk saw error responses on $path"; }
  grep -q 'Socket errors' "$WORK/wrk.txt" && { cat "$WORK/wrk.txt" >&2; fail "wrk saw socket errors on $path"; }
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    / 99% / { p99 = ms($2) }
    / requests in / { requests = $1 }
    /^Requests\/sec:/ { rps = $2 }
    END { printf "%.0f %.1f %.2f\n", rps, p99, ticks * 1000 / hz / requests }' "$WORK/wrk.txt"
}

measure() { # name path -> sets <name>_rps <name>_p99 <name>_cpu (medians)
  local name=$1 path=$2 i
  log "warming up $path ($WARMUP)"
  load "$path" "$WARMUP" >/dev/null
  : >"$WORK/$name.runs"
  for i in $(seq "$RUNS"); do
    load "$path" "$DURATION" | tee -a "$WORK/$name.runs" | sed "s|^|bench/web: $path run $i: req/s p99_ms cpu_ms |" >&2
  done
  printf -v "${name}_rps" %s "$(cut -d' ' -f1 "$WORK/$name.runs" | median)"
  printf -v "${name}_p99" %s "$(cut -d' ' -f2 "$WORK/$name.runs" | median)"
  printf -v "${name}_cpu" %s "$(cut -d' ' -f3 "$WORK/$name.runs" | median)"
}

recheck() { # after the load: the answers are still right
  [ "$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/files" | jq length)" = 100 ] || fail "after the load, GET /api/files is not 100 items"
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $OTHER_TOKEN" "$BASE/files/$FILE_ID/download")" = 404 ] \
    || fail "after the load, another user's download is not 404"
}

delete_seeded() {
  local id
  for id in $(cut -d' ' -f1 "$WORK/list.txt"); do
    curl -s -o /dev/null -X DELETE -H "Authorization: Bearer $TOKEN" "$BASE/api/files/$id" || true
  done
}

declare -A RESULT
for provider in "${DATABASES[@]}"; do
  rm -rf "$WORK/files" "$WORK/by-id"
  start_app "$provider"
  seed_and_check
  if [ "$SERVE" = 1 ]; then
    log "serving: pid $APP_PID, $BASE, file $FILE_ID; the owner's token is in $WORK/token; Ctrl-C stops"
    echo "$TOKEN" >"$WORK/token"
    while kill -0 "$APP_PID" 2>/dev/null; do sleep 1; done
    fail "the app exited"
  fi
  log "load average before loading: $(cut -d' ' -f1-3 /proc/loadavg)"
  measure list /api/files
  measure download "/files/$FILE_ID/download"
  recheck
  RESULT[$provider]="list=$list_rps list_p99=$list_p99 download=$download_rps download_p99=$download_p99 list_cpu_ms=$list_cpu"
  log "$provider: ${RESULT[$provider]} download_cpu_ms=$download_cpu (load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
  delete_seeded
  stop_app
  if [ "$provider" = PostgreSQL ]; then
    PGPASSWORD=postgres psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
      -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1 || true
    PG_DB=""
  fi
done

[ -n "${RESULT[Sqlite]:-}" ] && echo "web-sqlite: ${RESULT[Sqlite]}"
[ -n "${RESULT[PostgreSQL]:-}" ] && echo "web: ${RESULT[PostgreSQL]}"
exit 0
