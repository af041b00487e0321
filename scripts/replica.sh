#!/usr/bin/env bash
# A physical streaming replica of the PostgreSQL at PRIMARY_HOST:PRIMARY_PORT
# (default 127.0.0.1:5432), for the reports replica's test and `make bench`:
#
#   scripts/replica.sh start DIR PORT   pg_basebackup into DIR, start it on PORT
#   scripts/replica.sh stop DIR         stop it (DIR is the caller's to remove)
#
# It uses the primary's own PostgreSQL binaries (PG_BIN, default the Debian path of
# the primary's major version). The primary must accept replication connections
# from 127.0.0.1: when it does not and this runs as root, a trust line for the
# connecting role is added to its pg_hba.conf and the configuration reloaded
# (once; the CI cluster trusts 127.0.0.1 already, for databases but not for
# replication).
set -euo pipefail
# Somewhere the postgres account may stand (a checkout under /root is not).
cd /
PRIMARY_HOST="${PRIMARY_HOST:-127.0.0.1}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
PRIMARY_USER="${PRIMARY_USER:-$(id -un)}"
psql_primary() {
  psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" -d postgres -Atqc "$1"
}
MAJOR=$(psql_primary "SHOW server_version_num" | cut -c1-2)
PG_BIN="${PG_BIN:-/usr/lib/postgresql/$MAJOR/bin}"

# PostgreSQL refuses to run as root: as root, the replica runs as postgres.
as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

allow_replication() {
  if psql "host=$PRIMARY_HOST port=$PRIMARY_PORT user=$PRIMARY_USER replication=true" \
    -Atqc "IDENTIFY_SYSTEM" >/dev/null 2>&1; then
    return
  fi
  if [ "$(id -u)" != "0" ]; then
    echo "The primary refuses replication connections from $PRIMARY_HOST; add to its" >&2
    echo "pg_hba.conf: host replication $PRIMARY_USER 127.0.0.1/32 trust" >&2
    exit 1
  fi
  hba=$(psql_primary "SHOW hba_file")
  echo "host replication $PRIMARY_USER 127.0.0.1/32 trust" >> "$hba"
  psql_primary "SELECT pg_reload_conf()" >/dev/null
  sleep 0.5
}

# A standby refuses to start with fewer of these than its primary has.
same_as_primary() {
  for name in max_connections max_worker_processes max_wal_senders \
    max_prepared_transactions max_locks_per_transaction; do
    echo "$name = $(psql_primary "SHOW $name")"
  done
}

start() {
  local dir=$1 port=$2
  allow_replication
  mkdir -p "$dir"
  [ "$(id -u)" = "0" ] && chown postgres "$dir"
  chmod 700 "$dir"
  # -R: standby.signal and primary_conninfo, so it streams from the primary.
  # Tried three times: a copy cut off by someone ending every backend of the
  # cluster (a test's clean-up on a shared server) is simply taken again.
  local attempt
  for attempt in 1 2 3; do
    as_owner "$PG_BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" \
      -U "$PRIMARY_USER" -D "$dir/data" -X stream -R -c fast --no-sync && break
    [ "$attempt" = 3 ] && return 1
    rm -rf "$dir/data"
    sleep 1
  done
  # Debian keeps a cluster's configuration outside its data directory, so the
  # copy has none: the replica's own, minimal and for loopback only.
  as_owner tee "$dir/data/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
hot_standby = on
hot_standby_feedback = on
fsync = off
shared_buffers = 32MB
$(same_as_primary)
EOF
  as_owner tee "$dir/data/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
  as_owner touch "$dir/data/pg_ident.conf"
  as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/replica.log" -w -t 60 start >/dev/null
}

stop() {
  local dir=$1
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
}

case "${1:-}" in
  start) start "$2" "$3" ;;
  stop) stop "$2" ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
