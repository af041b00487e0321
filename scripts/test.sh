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
if [ "$#" -gt 0 ]; then
  echo "== pytest $*"
  exec $BIN/pytest "$@"
fi

# The suite runs once, in two parts that together are all of it. The database-
# facing apps (their services, the race tests, the worker crash and broker flush
# tests) go through PgBouncer in transaction mode, as production does
# (docker-compose.yml); the rest, and the prepared-statement tests that only a
# direct connection can show, reach PostgreSQL directly.
POOLED=(tests/scheduling tests/notifications tests/specimens tests/screening tests/common)
bash scripts/ensure-pgbouncer.sh
PGBOUNCER_PORT="${PGBOUNCER_PORT:-6543}"
POOLED_URL=$($BIN/python - "$PGBOUNCER_PORT" <<'PY'
import os, sys
from urllib.parse import urlsplit, urlunsplit
url = urlsplit(os.environ.get("DATABASE_URL", "postgres://root@127.0.0.1:5432/ankang"))
# The same login and database name (with _pooled), at PgBouncer on this host.
netloc = url.netloc.rsplit("@", 1)[0] + "@" if "@" in url.netloc else ""
print(urlunsplit(url._replace(netloc=f"{netloc}127.0.0.1:{sys.argv[1]}", path=url.path + "_pooled")))
PY
)
DIRECT=(tests/common/test_rawsql.py)
for path in tests/*; do
  [[ " ${POOLED[*]} " == *" $path "* || "$path" == tests/__* ]] && continue
  if [ -d "$path" ] || [[ "$path" == tests/test_*.py ]]; then DIRECT+=("$path"); fi
done
# Both parts run even when the first fails, so one run shows every failure.
status=0
echo "== pytest, PostgreSQL directly"
$BIN/pytest "${DIRECT[@]}" || status=$?
echo "== pytest behind PgBouncer (transaction mode, $POOLED_URL): ${POOLED[*]}"
DATABASE_URL="$POOLED_URL" DATABASE_POOLER=pgbouncer $BIN/pytest "${POOLED[@]}" || status=$?
exit "$status"
