#!/usr/bin/env bash
# The journey tests inject axe-core into every page they visit. It comes from the
# npm registry, pinned, into a folder git ignores; installed once.
set -euo pipefail
cd "$(dirname "$0")/.."
AXE_VERSION=4.10.3
DEST=var/axe
if [ -f "$DEST/node_modules/axe-core/axe.min.js" ] \
  && grep -q "\"version\": \"$AXE_VERSION\"" "$DEST/node_modules/axe-core/package.json"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "The journey tests need npm to fetch axe-core: apt-get install npm" >&2
  exit 1
fi
echo "== installing axe-core $AXE_VERSION (once)"
mkdir -p "$DEST"
npm install --prefix "$DEST" --no-audit --no-fund --no-save --silent "axe-core@$AXE_VERSION"
