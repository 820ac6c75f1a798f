#!/usr/bin/env bash
# THE test command: installs and starts what the tests need (Ceph RGW for S3, PostgreSQL, Chromium, Django),
# runs every test project, stops what it started, and ends with one line summed over all projects:
#   N passed, N failed, N skipped
# Exits non-zero on any failure. Usage: scripts/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
out="$repo/artifacts/test-results"
rm -rf "$out" && mkdir -p "$out"

started=()
stop_services() {
  for ((i=${#started[@]}-1; i>=0; i--)); do
    "scripts/${started[$i]}" stop >/dev/null 2>&1 || echo "warning: scripts/${started[$i]} stop failed" >&2
  done
}
trap stop_services EXIT

# Each service script prints KEY=VALUE lines for the tests on start; they become environment variables.
start_service() {
  local script=$1
  [ -x "scripts/$script" ] || return 0
  echo "== starting $script"
  local env_lines
  env_lines=$("scripts/$script" start) || { echo "error: scripts/$script start failed" >&2; exit 1; }
  started+=("$script")
  while IFS='=' read -r key value; do
    [[ "$key" =~ ^[A-Z_][A-Z0-9_]*$ ]] && export "$key=$value"
  done <<< "$env_lines"
}

start_service s3-server.sh
start_service postgres.sh
start_service browser.sh
start_service django.sh

echo "== building"
dotnet build Coffer.slnx -c Release -warnaserror -nologo -v quiet

echo "== testing"
# Projects run one after another: they share the servers, and each gets its own TRX file for the count.
status=0
for project in $(grep -o 'tests/[^"]*Tests\.csproj' Coffer.slnx); do
  name=$(basename "$project" .csproj)
  echo "-- $name"
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "console;verbosity=minimal" --logger "trx;LogFileName=$name.trx" --results-directory "$out" "$@" \
    || status=1
done

# One TRX file per test project; its <Counters> element holds the project's totals.
shopt -s nullglob
trx_files=("$out"/*.trx)
read -r passed failed skipped < <(cat /dev/null "${trx_files[@]}" | grep -ao '<Counters [^>]*>' \
  | sed -E 's/.*total="([0-9]+)".*executed="([0-9]+)".*passed="([0-9]+)".*failed="([0-9]+)".*/\1 \2 \3 \4/' \
  | awk '{t+=$1; e+=$2; p+=$3; f+=$4} END {printf "%d %d %d\n", p, f + (e - p - f), t - e}')
expected=$(grep -c 'Tests.csproj' Coffer.slnx || true)
if [ "${#trx_files[@]}" -lt "$expected" ]; then
  echo "error: only ${#trx_files[@]} of $expected test projects reported results" >&2
  status=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
