#!/usr/bin/env bash
# Django + django-storages' S3 backend from Debian (django-storages 1.13, Django 3.2, boto3 1.26) for the tests
# that run a Django storage against the same bucket as Coffer (tests/Coffer.S3.Tests/Django).
# Debian ships each django-storages backend as its own package, only *recommended* by python3-django-storages:
# with --no-install-recommends, S3 needs python3-django-storages-boto3 by name.
#   scripts/django.sh start  -> installs the packages when missing, prints COFFER_PYTHON=<path> on stdout
#   scripts/django.sh stop   -> nothing to stop: each test runs its own python3 process
set -euo pipefail

PACKAGES=(python3-django-storages python3-django-storages-boto3 python3-django python3-boto3)
PYTHON=/usr/bin/python3

log() { echo "django.sh: $*" >&2; }

# The import is the check that matters (a package can be installed without its dependencies configured).
importable() { [ -x "$PYTHON" ] && "$PYTHON" -c 'import django, storages.backends.s3boto3' 2>/dev/null; }

start() {
  if ! importable; then
    log "installing ${PACKAGES[*]} (Debian packages)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >&2
    importable || { log "django or storages.backends.s3boto3 still cannot be imported after apt-get install"; exit 1; }
  fi

  log "using $("$PYTHON" -c 'import django, storages, boto3; print(f"Django {django.get_version()}, django-storages {storages.__version__}, boto3 {boto3.__version__}")')"
  echo "COFFER_PYTHON=$PYTHON"
}

case "${1:-}" in
  start) start ;;
  stop) ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
