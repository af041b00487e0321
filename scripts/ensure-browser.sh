#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (never a downloaded browser build); a CJK
# font makes their screenshots legible. Installs both when missing.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi wqy; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "Browser tests need Debian's chromium and fonts-wqy-zenhei:" >&2
  echo "  sudo apt-get install chromium fonts-wqy-zenhei" >&2
  exit 1
fi
echo "== installing chromium and a CJK font (once)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null
