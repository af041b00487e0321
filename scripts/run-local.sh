#!/usr/bin/env bash
# The embedded default: web, one Celery worker and beat on SQLite and a
# filesystem broker. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

export DJANGO_SETTINGS_MODULE=config.settings.local
PORT="${PORT:-8000}"
if ! [[ "$PORT" =~ ^[0-9]+$ ]] || (( PORT < 1 || PORT > 65535 )); then
  echo "PORT must be a number from 1 to 65535, not '$PORT'." >&2
  exit 2
fi
BIN=.venv/bin
mkdir -p var

$BIN/python manage.py migrate --noinput -v 0
$BIN/python manage.py seed_demo --url "http://127.0.0.1:${PORT}/"

pids=()
stop() {
  trap - INT TERM EXIT
  echo "Stopping Ankang..."
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

$BIN/celery -A config.celery_app worker -B --concurrency 2 --loglevel INFO \
  --schedule var/celerybeat-schedule &
pids+=($!)
$BIN/python manage.py runserver "127.0.0.1:${PORT}" --noreload &
pids+=($!)

cat <<EOT

  Ankang is running at http://127.0.0.1:${PORT}/
    API docs:  http://127.0.0.1:${PORT}/api/docs/
    Health:    http://127.0.0.1:${PORT}/healthz
    Admin:     http://127.0.0.1:${PORT}/admin/  (demo-admin)
  Messages (SMS) are printed below by the worker. Press Ctrl-C to stop.

EOT
# Whichever process ends first (or Ctrl-C) brings the others down.
wait -n "${pids[@]}"
