"""The suite behind PgBouncer in transaction mode (DATABASE_POOLER=pgbouncer,
scripts/ensure-pgbouncer.sh): what a pooler changes for the test database's
life and how a test sees which server connection it was given."""

from typing import Any

import psycopg


def admin_console(settings_dict: dict[str, Any]) -> psycopg.Connection:
    """PgBouncer's own console (the virtual database `pgbouncer`), on the port the
    suite reaches PostgreSQL through."""
    return psycopg.connect(
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        dbname="pgbouncer",
        autocommit=True,
        connect_timeout=3,
    )


def release_database(settings_dict: dict[str, Any]) -> None:
    """PgBouncer keeps idle server connections to the test database in its pool,
    and PostgreSQL will not drop a database in use: drop them (KILL), then let
    the name be used again by the next run (RESUME)."""
    name = settings_dict["NAME"]
    with admin_console(settings_dict) as console:
        console.execute(f'KILL "{name}"')
        console.execute(f'RESUME "{name}"')


def show(settings_dict: dict[str, Any], what: str) -> list[dict[str, Any]]:
    """`SHOW POOLS`, `SHOW SERVERS`… as dictionaries by column name."""
    with admin_console(settings_dict) as console:
        cursor = console.execute(f"SHOW {what}")
        names = [column.name for column in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
