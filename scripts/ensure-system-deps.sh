#!/usr/bin/env bash
# The browser tests drive Debian's chromium (never a downloaded browser).
# Installs it when missing and we are root on a Debian-like system; otherwise
# says what to do and lets the browser test fail with the same advice.
set -euo pipefail
if [[ -x /usr/bin/chromium ]]; then exit 0; fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "sluice: installing Debian's chromium for the browser tests..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
else
  echo "sluice: /usr/bin/chromium is missing; the browser tests need it: sudo apt-get install -y chromium" >&2
fi
