#!/usr/bin/env bash
# Run once by the postgres image when it creates the database: the replica
# (docker-compose.yml, db-replica) streams from here as the ankang user.
set -euo pipefail
echo "host replication ankang all scram-sha-256" >> "$PGDATA/pg_hba.conf"
