#!/usr/bin/env bash
# A 1 GiB direct upload (browser → RGW, through the sample app's tickets) against AWSSDK.S3's TransferUtility
# sending the same bytes to the same RGW, in the same run:
#   bash bench/upload/run.sh                 1024 MiB, 3 interleaved rounds (SDK, Coffer, SDK, Coffer, …), medians
#   bash bench/upload/run.sh --mib 256       a smaller file; also --rounds N, --no-build (reuse the last publish of the app)
#
# The bench (bench/Coffer.Benchmarks, mode `direct`) publishes samples/Coffer.Sample (Release), starts it as its own
# process on a free loopback port (SQLite, both storages on S3 in a bucket of its own), signs up a user through
# /register and /login, and drives docs/direct-uploads.md as a browser would: POST /api/uploads for a ticket, part URLs
# in batches of 16 (POST /api/uploads/parts), the parts PUT 4 at a time straight to RGW (read from a generated
# temporary file), POST /api/uploads/complete, then POST /api/files {"ticket"} to commit. The SDK side sends the same
# file with TransferUtility, in parts of the ticket's size, 4 at a time. Every object is checked (HEAD: its length)
# and deleted, and the bucket is removed at the end. The app's CPU (utime+stime) and RSS (VmHWM reset before each
# Coffer upload, and VmRSS sampled every 20 ms) come from /proc/<pid>. The last line is the result:
#   direct: mib=1024 coffer_s=… sdk_s=… ratio=sdk_s/coffer_s app_cpu_s=… app_rss_growth_mib=…
# (the line before it, `direct-breakdown: …`, has every run, the throughput and where the app's CPU went).
#
# Uses the S3 server of COFFER_S3_ENDPOINT (with COFFER_S3_ACCESS_KEY/SECRET_KEY), or the one scripts/s3-server.sh
# start gives (it reuses a server that already answers; its `stop` stops only what its `start` started). On a
# machine where others use the same RGW, run it as `flock /tmp/coffer-rgw.lock bash bench/upload/run.sh`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
S3_STARTED=0
cleanup() {
  local status=$?
  [ "$S3_STARTED" = 1 ] && "$ROOT/scripts/s3-server.sh" stop >/dev/null || true
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${COFFER_S3_ENDPOINT:-}" ]; then
  S3_ENV=$("$ROOT/scripts/s3-server.sh" start) || { echo "bench/upload: FAILED: scripts/s3-server.sh start" >&2; exit 1; }
  S3_STARTED=1
  while IFS='=' read -r key value; do
    case "$key" in COFFER_S3_*) export "$key=$value" ;; esac
  done <<<"$S3_ENV"
fi

dotnet run -c Release --project "$ROOT/bench/Coffer.Benchmarks" -- direct "$@"
