#!/bin/sh
# System packages the tests and benchmarks use beyond Python: Debian's Chromium (the page's
# browser tests drive it through Playwright; never `playwright install`), Redis (the store the
# multi-process tests share) and wrk (bench/bench_serve.py's load generator).
# Installs what is missing with apt-get (as root, or through sudo); does nothing when all is there.
set -eu
missing=""
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "install these Debian packages as root:$missing" >&2
  exit 1
fi
echo "installing:$missing" >&2
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
