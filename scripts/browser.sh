#!/usr/bin/env bash
# Headless Chromium for the browser tests (Debian's `chromium`; Playwright drives it, and never downloads a browser).
#   scripts/browser.sh start  -> installs chromium when missing, prints COFFER_CHROMIUM=<path> on stdout
#   scripts/browser.sh stop   -> nothing to stop: each test starts and ends its own browser process
set -euo pipefail

log() { echo "browser.sh: $*" >&2; }

find_chromium() {
  local candidate
  for candidate in "${COFFER_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

start() {
  local path
  if ! path=$(find_chromium); then
    log "installing the chromium package"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
    path=$(find_chromium) || { log "chromium is still missing after apt-get install"; exit 1; }
  fi

  log "using $("$path" --version 2>/dev/null || echo "$path")"
  echo "COFFER_CHROMIUM=$path"
}

case "${1:-}" in
  start) start ;;
  stop) ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
