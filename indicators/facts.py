"""Stored facts: the measure bits of every checked-in visit, and of each
woman's visits and bookings in a campaign (SQL in `indicators.facts_sql`), so an
indicator report reads one narrow row per woman instead of folding results,
summaries, cases, treatments, quiz takes and appointments on every request
(ADR 0019).

Why triggers: these records change by many paths (the desk, the lab import, the
queryset updates of corrections and of an undone check-in, the no-show sweep,
the admin), and a report must never count a stale one; the database sees every
one of them. Why a fold: a trigger only notes which women a statement touched,
so no write waits for another or recomputes anything; `fold` refreshes those
women before a report reads. A bulk load with triggers off calls `rebuild`. If
the code's measures differ from the installed functions (`current`), the
reports fold the records directly, slower but right, until a migration
installs the new ones.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction

from indicators import facts_sql

logger = logging.getLogger(__name__)


def install(schema_editor: Any = None) -> None:
    """Create or replace the functions and triggers, then fill the table from
    every visit. Idempotent; PostgreSQL only."""
    conn = schema_editor.connection if schema_editor is not None else connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        for sql in facts_sql.install_sql():
            cursor.execute(sql)
        cursor.execute("SELECT indicators_rebuild_facts()")


def uninstall(schema_editor: Any = None) -> None:
    conn = schema_editor.connection if schema_editor is not None else connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        for sql in facts_sql.drop_sql():
            cursor.execute(sql)


def rebuild() -> None:
    """Every visit's facts afresh (after a load with triggers switched off)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT indicators_rebuild_facts()")


def fold() -> int:
    """Refresh the facts of the women whose records changed since the last
    fold; how many. Its own transaction when called outside one, so the lock
    that keeps folds apart is not held while the report reads."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT {facts_sql.FOLD}()")
        return int(cursor.fetchone()[0])


def fold_if_installed() -> int:
    """`fold` where the facts are kept (PostgreSQL, this code's version); 0
    elsewhere."""
    return fold() if current() else 0


def current() -> bool:
    """Whether the installed triggers compute what this code's measures say."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT obj_description(to_regprocedure(%s), 'pg_proc')",
            [f"{facts_sql.FOLD}()"],
        )
        row = cursor.fetchone()
    if row is None or row[0] != f"ankang facts {facts_sql.version()}":
        logger.warning("indicators.facts_out_of_date")
        return False
    return True
