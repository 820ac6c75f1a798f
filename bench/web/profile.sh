#!/usr/bin/env bash
# Where the sample app's time goes on one hot endpoint: starts the app the way bench/web/run.sh does (--serve: built,
# seeded, answers checked), loads the endpoint with wrk -t2 -c8, samples the app's own process with `perf record`
# (999 Hz, 15 s, JIT frames resolved through the runtime's perf map), and prints the share of the app's CPU samples by
# component, plus the app's and PostgreSQL's CPU per request over the same 15 seconds.
#
#   bench/web/profile.sh list        GET /api/files
#   bench/web/profile.sh download    GET /files/{id}/download
#   options after the endpoint go to run.sh, e.g. --sqlite-only or --no-build
#
# Needs `perf` (Debian linux-perf; installed if missing) with software events allowed (perf_event_paranoid <= 2 as root).
# Samples whose innermost frame is in OpenSSL cannot be unwound further; they are shown on a line of their own
# (in the list they are almost all the presigner's SHA-256/HMAC, in the download mostly the bearer token's).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ENDPOINT=${1:-list}
shift || true
command -v perf >/dev/null 2>&1 || { apt-get update -qq >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >&2; }

WORK=$(mktemp -d /tmp/coffer-bench-web-profile.XXXXXX)
SERVE_PID=""
cleanup() {
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 "$ROOT/bench/web/run.sh" --pg-only --serve "$@" \
  >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVE_PID=$!
for _ in $(seq 600); do
  grep -q "serving: pid" "$WORK/serve.err" && break
  kill -0 "$SERVE_PID" 2>/dev/null || { cat "$WORK/serve.err" >&2; exit 1; }
  sleep 0.5
done
line=$(grep "serving: pid" "$WORK/serve.err")
PID=$(sed 's/.*pid \([0-9]*\),.*/\1/' <<<"$line")
BASE=$(sed 's/.*\(http:[^,]*\),.*/\1/' <<<"$line")
FILE_ID=$(sed 's/.*file \([0-9]*\);.*/\1/' <<<"$line")
TOKEN=$(cat "$(sed 's/.*token is in \([^;]*\);.*/\1/' <<<"$line")")
case "$ENDPOINT" in
  list) PATH_=/api/files ;;
  download) PATH_=/files/$FILE_ID/download ;;
  *) echo "usage: $0 list|download [run.sh options]" >&2; exit 2 ;;
esac

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() { # every process of the PostgreSQL cluster that serves the app (its postmaster's children)
  local pm total=0 p
  pm=$(ps -eo pid,args | awk '/[p]ostgres -D/ { print $1; exit }')
  [ -n "$pm" ] || { echo 0; return; }
  for p in $pm $(ps -o pid= --ppid "$pm"); do total=$((total + $(ticks "$p"))); done
  echo "$total"
}

echo "profile: warming up $PATH_" >&2
wrk -t2 -c8 -d5s -H "Authorization: Bearer $TOKEN" "$BASE$PATH_" >/dev/null
wrk -t2 -c8 -d20s --latency -H "Authorization: Bearer $TOKEN" "$BASE$PATH_" >"$WORK/wrk.txt" &
WRK=$!
sleep 2
app0=$(ticks "$PID"); pg0=$(pg_ticks)
perf record -F 999 -g -p "$PID" -o "$WORK/perf.data" -- sleep 15 2>/dev/null >&2
app1=$(ticks "$PID"); pg1=$(pg_ticks)
wait "$WRK"
rps=$(awk '/^Requests\/sec:/ { print $2 }' "$WORK/wrk.txt")
hz=$(getconf CLK_TCK)
perf script -i "$WORK/perf.data" 2>/dev/null >"$WORK/perf.txt"

echo "profile: $PATH_ at $rps req/s (under perf; load average $(cut -d' ' -f1-3 /proc/loadavg))"
awk -v a=$((app1 - app0)) -v p=$((pg1 - pg0)) -v r="$rps" -v hz="$hz" 'BEGIN {
  printf "profile: app CPU %.3f ms/request, PostgreSQL CPU %.3f ms/request\n", a * 1000 / hz / (r * 15), p * 1000 / hz / (r * 15) }'
python3 - "$WORK/perf.txt" <<'EOF'
import collections, re, sys
# First matching component, walking from the innermost frame outwards; leaf frames in the kernel, the runtime or
# OpenSSL are counted as such.
components = [
    ("presigning (SigV4, name checks)", r"SigV4Presigner|S3FileStorage::GetUrl|Sha256Engine|FileStorage::GetUrl|FileNames::|S3UriEncoder|ByteWriter"),
    ("JSON", r"System\.Text\.Json|System\.Text\.Encodings"),
    ("authentication (bearer token)", r"DataProtection|Authentication|TicketSerializer|BearerToken|Claims|Authorization"),
    ("Npgsql", r"\[Npgsql\]|Npgsql\."),
    ("SQLite", r"Sqlite|sqlite3"),
    ("EF Core", r"EntityFrameworkCore|lambda_method|System\.Linq\.Expressions"),
    ("sample handlers", r"Coffer\.Sample"),
    ("ASP.NET Core (Kestrel, routing, results)", r"Kestrel|AspNetCore|System\.IO\.Pipelines|System\.Net\.Sockets|Routing"),
    ("thread pool, async machinery", r"ThreadPool|LowLevelLifoSemaphore|WorkerThread|System\.Threading"),
]
total, counts = 0, collections.Counter()
for block in open(sys.argv[1]).read().split("\n\n"):
    frames = [l.strip() for l in block.strip().split("\n")[1:] if l.strip()]
    if not frames:
        continue
    total += 1
    leaf = frames[0]
    if "kernel" in leaf:
        name = "kernel (sockets, scheduling)"
    elif re.search(r"libcoreclr|libclrjit|memset|JIT_|CastHelpers|VirtualDispatch|stub ", leaf):
        name = "runtime (GC, allocation, casts, stubs)"
    elif "libcrypto" in leaf:
        name = "OpenSSL (SHA-256/HMAC: presigning, token)"
    else:
        name = next((n for f in frames for n, p in components if re.search(p, f)), "other (libc, ...)")
    counts[name] += 1
print("| component | share of the app's CPU samples |")
print("|---|---|")
for name, n in counts.most_common():
    print(f"| {name} | {100 * n / total:.0f}% |")
print(f"({total} samples)")
EOF
