#!/usr/bin/env bash
# `make bench` drives the booking surge with Debian's wrk too (bench/wrk_booking.lua):
# a native load generator takes far less of the cores the servers share than
# Locust does. Installs it when missing.
set -euo pipefail
command -v wrk >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "The benchmark needs Debian's wrk: sudo apt-get install wrk" >&2
  exit 1
fi
echo "== installing wrk (once)"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq wrk >/dev/null 2>&1 || {
  apt-get update -qq
  apt-get install -y -qq wrk >/dev/null
}
