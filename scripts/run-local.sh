#!/usr/bin/env bash
# The embedded default: web, one Celery worker and beat on SQLite and a
# filesystem broker. Ctrl-C or SIGTERM (a service manager's stop) stops everything.
set -euo pipefail
# Each process in its own process group: a stop reaches the worker's pool and
# beat too, and one left behind can be found and ended.
set -m
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

# How long the worker may take to finish the sends it has started.
STOP_GRACE_SECONDS="${STOP_GRACE_SECONDS:-30}"
pids=()
any_alive() {
  local pid
  for pid in "${pids[@]}"; do
    kill -0 -- "-$pid" 2>/dev/null && return 0
  done
  return 1
}
stop() {
  trap - INT TERM EXIT
  echo "Stopping Ankang..."
  local pid
  # To each process itself: the worker stops its own pool and beat (a TERM to
  # its pool behind its back leaves it waiting for them).
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  # Waited for, but not for ever: a worker stuck in its warm shutdown once
  # kept running for 50 minutes after the stop.
  local deadline=$((SECONDS + STOP_GRACE_SECONDS))
  while any_alive && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if any_alive; then
    echo "Still running after ${STOP_GRACE_SECONDS}s: killing what is left."
    for pid in "${pids[@]}"; do
      kill -KILL -- "-$pid" 2>/dev/null || true
    done
  fi
  wait 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

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
