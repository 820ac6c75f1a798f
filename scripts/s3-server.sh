#!/usr/bin/env bash
# A throw-away Ceph RADOS Gateway (S3) for Coffer's tests, built from Debian packages, loopback only.
#
#   scripts/s3-server.sh start    start it (or reuse one that already answers); prints KEY=VALUE lines
#   scripts/s3-server.sh stop     stop what `start` started; a no-op when `start` reused a running one
#   scripts/s3-server.sh status   say whether it answers and who started it
#
# stdout of `start` is ONLY the environment for the tests (scripts/test.sh exports it):
#   COFFER_S3_ENDPOINT=http://127.0.0.1:4568
#   COFFER_S3_ACCESS_KEY=...  COFFER_S3_SECRET_KEY=...  COFFER_S3_REGION=us-east-1
# Progress and errors go to stderr.
#
# Layout: one monitor (mon), one OSD on memstore (objects live in RAM), one radosgw. cephx is off.
# Ports, all on 127.0.0.1: S3 on $COFFER_RGW_PORT (4568); mon 3300 (msgr2) + 6789 (msgr1); OSD picks
# free ones in 6800-7300.
# Only one mon can run per machine (fixed ports), so only one such gateway per machine.
#
# Ownership: `start` writes the PIDs it started to $DIR/run/*.pid. If the S3 port already answers,
# `start` starts nothing and adds one "borrow" to $DIR/borrowed; the next `stop` then only takes that
# borrow back. So `start; start; stop; stop` stops the gateway exactly once, at the last stop, and a
# gateway started by anything else is never stopped by this script. `stop` kills only PIDs from its own
# PID files, and only if /proc says that PID is still the daemon it started (PIDs get reused).
set -euo pipefail

DIR=${COFFER_RGW_DIR:-/tmp/coffer-rgw}
PORT=${COFFER_RGW_PORT:-4568}
ACCESS_KEY=CIACCESSKEY0000000001
SECRET_KEY=ci-secret-key-0000000000000000000000001
REGION=us-east-1
# memstore keeps every object in RAM and refuses writes beyond this size (6 GiB).
STORE_BYTES=${COFFER_RGW_STORE_BYTES:-6442450944}
# Monitor ports are fixed by convention; override them only to run a second copy of this script
# (e.g. to test the script itself while the shared gateway keeps running).
MON_V2=${COFFER_RGW_MON_V2_PORT:-3300}
MON_V1=${COFFER_RGW_MON_V1_PORT:-6789}
MON_ADDR="[v2:127.0.0.1:$MON_V2,v1:127.0.0.1:$MON_V1]"
ENDPOINT="http://127.0.0.1:$PORT"
CONF="$DIR/ceph.conf"
DAEMONS=(rgw osd mon)   # stop order: the gateway first, the monitor last

say() { echo "s3-server: $*" >&2; }
die() { say "error: $*"; exit 1; }

print_env() {
  echo "COFFER_S3_ENDPOINT=$ENDPOINT"
  echo "COFFER_S3_ACCESS_KEY=$ACCESS_KEY"
  echo "COFFER_S3_SECRET_KEY=$SECRET_KEY"
  echo "COFFER_S3_REGION=$REGION"
}

# True when anything answers HTTP on the S3 port (any status code; 000 means no answer).
answers() {
  local code
  code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$ENDPOINT/" 2>/dev/null || true)
  [ -n "$code" ] && [ "$code" != "000" ]
}

# Daemon name -> executable name, as /proc/PID/comm shows it (max 15 chars).
comm_of() { case $1 in rgw) echo radosgw ;; osd) echo ceph-osd ;; mon) echo ceph-mon ;; esac; }

# Prints the PID recorded for daemon $1 if that process is alive and still is that daemon.
own_pid() {
  local f="$DIR/run/$1.pid" pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = "$(comm_of "$1")" ] || return 1
  echo "$pid"
}

borrowed() { cat "$DIR/borrowed" 2>/dev/null || echo 0; }

install_packages() {
  local missing=()
  command -v ceph-mon >/dev/null || missing+=(ceph-mon)
  command -v ceph-osd >/dev/null || missing+=(ceph-osd)
  command -v radosgw >/dev/null || missing+=(radosgw)
  command -v curl >/dev/null || missing+=(curl)
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} (Debian packages)"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

write_config() {
  local fsid=$1
  cat > "$CONF" <<EOF
[global]
fsid = $fsid
mon_host = $MON_ADDR
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
# No authentication between the daemons: this cluster is loopback-only and lives for one test run.
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
# With cephx off the daemons' default "secure" messenger mode cannot work; use plain crc framing.
ms_mon_client_mode = crc
ms_client_mode = crc
ms_mon_service_mode = crc
ms_mon_cluster_mode = crc
ms_service_mode = crc
ms_cluster_mode = crc
run_dir = $DIR/run
admin_socket = $DIR/run/\$cluster-\$name.asok
log_file = $DIR/log/\$cluster-\$name.log
# (our own PID files are written by this script; ceph's own go elsewhere so they cannot clash)
pid_file = $DIR/run/\$cluster-\$name.ceph.pid
# One OSD: every pool keeps one copy, a few placement groups, no autoscaler, no health warnings.
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
mon_max_pg_per_osd = 1000
osd_crush_chooseleaf_type = 0
[mon]
mon_data = $DIR/mon/\$cluster-\$id
[osd]
osd_data = $DIR/osd/\$cluster-\$id
# memstore: objects in RAM, nothing on disk to clean up, fast.
osd_objectstore = memstore
memstore_device_bytes = $STORE_BYTES
osd_crush_initial_weight = 1
[client.rgw.coffer]
rgw_frontends = beast endpoint=127.0.0.1:$PORT
rgw_data = $DIR/rgw
# Virtual-hosted-style requests use <bucket>.s3.localhost:$PORT (*.localhost resolves to loopback).
rgw_dns_name = s3.localhost
# RGW frees the data of deleted objects and aborted multipart uploads only after rgw_gc_obj_min_wait
# (default 2 hours). The store is RAM, so a few 1 GiB tests would fill it and block every write:
# collect garbage within seconds instead.
rgw_gc_obj_min_wait = 5
rgw_gc_processor_period = 5
rgw_gc_processor_max_time = 5
EOF
}

start() {
  if answers; then
    # Someone (maybe an earlier `start`, maybe another tool) already serves S3 here: reuse it.
    mkdir -p "$DIR"
    echo $(( $(borrowed) + 1 )) > "$DIR/borrowed"
    say "something already answers on $ENDPOINT; reusing it (started nothing, stop will not stop it)"
    print_env
    return 0
  fi
  install_packages
  command -v curl >/dev/null || die "curl is missing"

  # Leftovers of an earlier run of ours (crashed or half-started): stop them and start clean.
  stop_own
  rm -rf "$DIR"
  if ss -ltn 2>/dev/null | grep -qE "127\.0\.0\.1:($MON_V2|$MON_V1) "; then
    die "a Ceph monitor not started by this script holds 127.0.0.1:$MON_V2/$MON_V1; stop it first"
  fi
  mkdir -p "$DIR"/{mon,osd/ceph-0,run,log,rgw}
  local fsid osd_uuid osd_id
  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_config "$fsid"
  local C=(-c "$CONF")

  say "starting monitor"
  monmaptool --create --addv a "$MON_ADDR" --fsid "$fsid" "$DIR/monmap" >/dev/null
  ceph-mon "${C[@]}" --mkfs -i a --monmap "$DIR/monmap" >"$DIR/log/mon-mkfs.out" 2>&1
  ceph-mon "${C[@]}" -i a -f >"$DIR/log/mon.out" 2>&1 &
  echo $! > "$DIR/run/mon.pid"
  timeout 60 ceph "${C[@]}" -s >/dev/null 2>&1 || die "the monitor did not answer within 60 s; see $DIR/log"

  say "starting OSD (memstore, $((STORE_BYTES / 1024 / 1024)) MiB of RAM at most)"
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  osd_id=$(ceph "${C[@]}" osd new "$osd_uuid")
  ceph-osd "${C[@]}" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >"$DIR/log/osd-mkfs.out" 2>&1
  ceph-osd "${C[@]}" -i "$osd_id" -f >"$DIR/log/osd.out" 2>&1 &
  echo $! > "$DIR/run/osd.pid"
  local up=
  for _ in $(seq 1 120); do
    if ceph "${C[@]}" osd stat 2>/dev/null | grep -q '1 up'; then up=1; break; fi
    sleep 0.5
  done
  [ -n "$up" ] || die "the OSD did not come up within 60 s; see $DIR/log"

  say "starting radosgw on $ENDPOINT"
  radosgw "${C[@]}" -n client.rgw.coffer -f >"$DIR/log/rgw.out" 2>&1 &
  echo $! > "$DIR/run/rgw.pid"
  for _ in $(seq 1 120); do answers && break; sleep 0.5; done
  answers || die "radosgw did not answer within 60 s; see $DIR/log"

  # The S3 user with the fixed test keys (tests and CI use exactly these).
  radosgw-admin "${C[@]}" user create --uid=coffer --display-name="Coffer tests" \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null 2>"$DIR/log/user-create.err" \
    || die "could not create the S3 user; see $DIR/log/user-create.err"
  echo 0 > "$DIR/borrowed"
  say "ready"
  print_env
}

# Kills the daemons this script started (from its PID files), waiting up to 10 s for each.
stop_own() {
  local n pid
  for n in "${DAEMONS[@]}"; do
    pid=$(own_pid "$n") || continue
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  done
}

stop() {
  local b
  b=$(borrowed)
  if [ "$b" -gt 0 ]; then
    echo $((b - 1)) > "$DIR/borrowed"
    say "the matching start reused a running gateway; leaving it running"
    return 0
  fi
  if ! own_pid mon >/dev/null && ! own_pid osd >/dev/null && ! own_pid rgw >/dev/null; then
    say "nothing started by this script is running"
    return 0
  fi
  stop_own
  rm -rf "$DIR"
  say "stopped"
}

status() {
  local n pid any=
  for n in "${DAEMONS[@]}"; do
    if pid=$(own_pid "$n"); then say "$n running, pid $pid (started by this script)"; any=1; fi
  done
  if answers; then
    [ -n "$any" ] || say "$ENDPOINT answers, but this script did not start it"
    say "borrowed by $(borrowed) pending start(s)"
    print_env
  else
    say "nothing answers on $ENDPOINT"
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
