#!/usr/bin/env bash
# The one login PgBouncer admits and passes on, from POSTGRES_PASSWORD.
set -euo pipefail
printf '"ankang" "%s"\n' "$POSTGRES_PASSWORD" > /tmp/userlist.txt
exec pgbouncer /etc/pgbouncer/pgbouncer.ini
