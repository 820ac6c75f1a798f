#!/usr/bin/env bash
# Installs what the images benchmark compares against: Debian's python3-pil (Pillow 9.4, what Django's ImageField uses
# on Debian 12), for Debian's own /usr/bin/python3 (a pyenv python3 on PATH does not see it). Idempotent; run as root. Usage: bench/images/install-pillow.sh
set -euo pipefail
if /usr/bin/python3 -c 'import PIL, PIL.WebPImagePlugin' 2>/dev/null; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3-pil >/dev/null
/usr/bin/python3 -c 'import PIL; print("Pillow", PIL.__version__)'
