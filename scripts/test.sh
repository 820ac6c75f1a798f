#!/usr/bin/env bash
# THE test command: installs and starts what the tests need (Ceph RGW for S3, PostgreSQL, Chromium),
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

echo "== building"
dotnet build Coffer.slnx -c Release -warnaserror -nologo -v quiet

echo "== testing"
set +e
dotnet test Coffer.slnx -c Release --no-build --nologo \
  --logger "console;verbosity=normal" --results-directory "$out" "$@" 2>&1 | tee "$out/dotnet-test.log"
status=${PIPESTATUS[0]}
set -e

# dotnet test prints one summary per test project: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ..."
read -r passed failed skipped projects < <(grep -aE '(Passed|Failed)! +- Failed: ' "$out/dotnet-test.log" \
  | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\2 \1 \3/' \
  | awk '{p+=$1; f+=$2; s+=$3; n++} END {printf "%d %d %d %d\n", p, f, s, n}')
expected=$(grep -c 'Tests.csproj' Coffer.slnx || true)
if [ "$status" -eq 0 ] && [ "$projects" -lt "$expected" ]; then
  echo "error: only $projects of $expected test projects reported results" >&2
  status=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
