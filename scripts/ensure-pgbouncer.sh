#!/usr/bin/env bash
# PgBouncer (Debian's package) in transaction mode in front of the PostgreSQL at
# 127.0.0.1:5432, on PGBOUNCER_PORT (default 6543), for the tests that run through
# a pooler (scripts/test.sh) and `make bench`. Installs it when missing, starts it
# when it does not answer; fast when it already runs. Every database name is
# passed through (`*`), so pytest-django's test databases reach PostgreSQL as they are.
#
# Debian bookworm ships PgBouncer 1.18, which cannot keep protocol-level prepared
# statements in transaction mode (that came in 1.21): DATABASE_POOLER=pgbouncer
# turns them off in the settings (config/settings/base.py).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PGBOUNCER_PORT:-6543}"
UPSTREAM_HOST="${PGBOUNCER_UPSTREAM_HOST:-127.0.0.1}"
UPSTREAM_PORT="${PGBOUNCER_UPSTREAM_PORT:-5432}"

if pg_isready -h 127.0.0.1 -p "$PORT" -q 2>/dev/null; then
  exit 0
fi
if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
  if [ "$(id -u)" != "0" ]; then
    echo "The pooled tests need Debian's PgBouncer: sudo apt-get install pgbouncer" >&2
    exit 1
  fi
  echo "== installing pgbouncer (once)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq pgbouncer >/dev/null 2>&1 || {
    apt-get update -qq
    apt-get install -y -qq pgbouncer >/dev/null
  }
fi
PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)

# Outside the checkout: as root PgBouncer runs as postgres, which may not be able
# to reach a checkout under /root.
DIR="${TMPDIR:-/tmp}/ankang-pgbouncer-$PORT"
mkdir -p "$DIR"
# One login, the one the suite uses (trust, as the PostgreSQL behind it).
USER_NAME="${PGBOUNCER_USER:-$(id -un)}"
echo "\"$USER_NAME\" \"\"" > "$DIR/userlist.txt"
cat > "$DIR/pgbouncer.ini" <<EOF
; Written by scripts/ensure-pgbouncer.sh; rewritten on every start.
[databases]
* = host=$UPSTREAM_HOST port=$UPSTREAM_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $DIR/userlist.txt
admin_users = $USER_NAME
pool_mode = transaction
; Web processes, workers and the race tests' threads each hold a client
; connection; only those inside a transaction hold a server connection.
max_client_conn = 1000
default_pool_size = 40
reserve_pool_size = 10
; The suite creates and drops its database through here: idle server
; connections to a dropped database are let go quickly.
server_idle_timeout = 10
server_lifetime = 600
; psycopg sends none of these, but other clients (psql, drivers) may.
ignore_startup_parameters = extra_float_digits,options
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
EOF

if [ "$(id -u)" = "0" ]; then
  # PgBouncer refuses to run as root: it runs as the postgres account.
  chown -R postgres "$DIR"
  "$PGBOUNCER" -d -u postgres "$DIR/pgbouncer.ini"
else
  "$PGBOUNCER" -d "$DIR/pgbouncer.ini"
fi
for _ in $(seq 1 50); do
  pg_isready -h 127.0.0.1 -p "$PORT" -q && exit 0
  sleep 0.1
done
echo "PgBouncer did not start on port $PORT; see $DIR/pgbouncer.log" >&2
exit 1
