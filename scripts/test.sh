#!/usr/bin/env bash
# The whole check: lint, migrations in step with models, then the suite against
# real PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=config.settings.test

bash scripts/ensure-browser.sh
bash scripts/ensure-axe.sh

echo "== ruff"
$BIN/ruff check .
echo "== import contracts (pyproject.toml [tool.importlinter])"
$BIN/lint-imports --no-logo
echo "== bandit (medium and above; exceptions and reasons: docs/security.md)"
$BIN/bandit -r common accounts screening scheduling notifications reach config -ll -q
echo "== pip-audit"
# A vulnerability found fails the run. Where the vulnerability service cannot be
# reached, nothing was audited: say so loudly instead of printing a false "clean".
if audit=$($BIN/pip-audit -r requirements/dev.lock --no-deps --disable-pip --progress-spinner off --strict 2>&1); then
  echo "$audit" | tail -n 1
elif grep -q "could not be audited" <<<"$audit" && ! grep -qi "known vulnerabilit" <<<"$audit"; then
  echo "WARNING: pip-audit could not reach the vulnerability service from here;"
  echo "         the dependencies were NOT audited in this run."
else
  echo "$audit"
  exit 1
fi
echo "== migrations match the models"
$BIN/python manage.py makemigrations --check --dry-run
echo "== pytest"
$BIN/pytest "$@"
