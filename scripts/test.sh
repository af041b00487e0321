#!/usr/bin/env bash
# The whole check: lint, migrations in step with models, then the suite against
# real PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=config.settings.test

bash scripts/ensure-browser.sh

echo "== ruff"
$BIN/ruff check .
echo "== migrations match the models"
$BIN/python manage.py makemigrations --check --dry-run
echo "== pytest"
$BIN/pytest "$@"
