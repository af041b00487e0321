"""Turnout counts kept current by PostgreSQL triggers, so a report reads a few
thousand summed rows instead of every appointment and participant.

Why triggers: a campaign with a million bookings made the direct aggregates cost
0.5-1 s per query on two cores, growing with every row. The triggers fire on every
write to appointments, participants, slots and campaigns, whichever code path makes
it (services, the no-show sweep's bulk update, the admin), without the booking
services knowing about reports.

Why deltas: a trigger only ever INSERTs a +1/-1 row (``folded = false``), so two
bookings never wait for each other on a counter row, and a check-in can never
deadlock with the no-show sweep. Before a report reads, `fold` merges a campaign's
deltas into one row per key (``folded = true``) in a single statement under an
advisory lock. A report's cost is then bounded by days x groups, not by rows.

Layout of ``scheduling_turnout_count``: one row per
(campaign, day, dimension, value, measure) once folded, with ``n`` records counted
and ``keysum``, the sum of their record keys: the cell key of that atom for the
perturbation of published counts (`common.cellkey`).

- measure ``booked``/``checked_in``/``screened``/``no_show``/``cancelled``: an
  appointment in that status, on its slot's day, once in each dimension
  ``site``, ``employment_type``, ``district``, ``age_band``.
- measure ``registered``: a registered woman (module docstring of
  `scheduling.reports.turnout`) on the day she registered, in the dimensions
  ``employment_type``, ``district``, ``age_band``.
- measures ``booking``/``check_in`` in dimension ``all``: a booking on the day it
  was made, a check-in on the day she arrived (the daily series).

Days are in the zone `scheduling_report_zone()` returns, written from the
TIME_ZONE setting by the migration; if the setting changes, reports fall back to
the direct queries until `install` runs again (see `rollup_available`).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection

from common.report_reads import reports_connection
from scheduling.reports.rollup_sql import (
    CREATE_TABLE,
    DROP,
    FOLD_SQL,
    FUNCTIONS,
    LOCK_NAMESPACE,
    STATUS_MEASURES,
    TABLE,
    VISIT_DIMENSIONS,
)

logger = logging.getLogger(__name__)

__all__ = [
    "CREATE_TABLE",
    "DROP",
    "FOLD_SQL",
    "FUNCTIONS",
    "LOCK_NAMESPACE",
    "STATUS_MEASURES",
    "TABLE",
    "VISIT_DIMENSIONS",
    "fold",
    "install",
    "rollup_available",
    "sums",
    "uninstall",
    "zone_function_sql",
]


# Every trigger FUNCTIONS creates, dropped first so that it can create them.
_TRIGGERS = (
    ("appointment", "scheduling_appointment"),
    ("participant", "screening_participant"),
    ("slot", "scheduling_slot"),
    ("campaign", "screening_campaign"),
    ("campaign_dates", "screening_campaign"),
)


def zone_function_sql(zone: str) -> str:
    if not zone.replace("/", "").replace("_", "").replace("-", "").isalnum():
        raise ValueError("Unexpected time zone name.")
    return (
        "CREATE OR REPLACE FUNCTION scheduling_report_zone() RETURNS text "
        f"LANGUAGE sql IMMUTABLE AS $$ SELECT '{zone}'::text $$;"
    )


def install(schema_editor: Any = None) -> None:
    """Create (or re-create) the table, functions and triggers, and count every
    campaign afresh. Idempotent; PostgreSQL only."""
    conn = schema_editor.connection if schema_editor is not None else connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        cursor.execute(CREATE_TABLE)
        cursor.execute(zone_function_sql(settings.TIME_ZONE))
        for name, table in _TRIGGERS:
            cursor.execute(
                f"DROP TRIGGER IF EXISTS scheduling_turnout_{name} ON {table}"
            )
        # The emitter before record keys took eight arguments.
        cursor.execute(
            "DROP FUNCTION IF EXISTS scheduling_turnout_emit("
            "bigint, date, text, text, text, text, date, integer)"
        )
        cursor.execute(FUNCTIONS)
        cursor.execute("SELECT scheduling_turnout_rebuild(id) FROM screening_campaign")


def uninstall(schema_editor: Any = None) -> None:
    conn = schema_editor.connection if schema_editor is not None else connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        cursor.execute(DROP)


def rollup_available() -> bool:
    """Whether the triggers are there and count days in the zone pages use (on
    the database reports read: a replica has the primary's functions)."""
    connection = reports_connection()
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regproc('scheduling_report_zone') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT scheduling_report_zone()")
        zone = cursor.fetchone()[0]
    if zone != settings.TIME_ZONE:
        logger.warning("reports.rollup_zone_mismatch")
        return False
    return True


def fold(*, campaign_id: int) -> None:
    """Merge the campaign's delta rows into its folded rows. One statement, so it
    is one snapshot: deltas committed meanwhile wait for the next fold."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, campaign_id]
        )
        cursor.execute(FOLD_SQL, {"c": campaign_id})


def sums(
    *,
    campaign_id: int,
    dimension: str,
    measures: tuple[str, ...],
    first: date | None,
    last: date | None,
    by_day: bool,
) -> list[tuple[date | None, str, str, int, int]]:
    """(day or None, value, measure, count, sum of record keys) for one
    dimension, summed."""
    day = "day" if by_day else "NULL::date"
    where = ["campaign_id = %s", "dimension = %s", "measure = ANY(%s)"]
    params: list[Any] = [campaign_id, dimension, list(measures)]
    if first is not None:
        where.append("day >= %s")
        params.append(first)
    if last is not None:
        where.append("day <= %s")
        params.append(last)
    with reports_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT {day}, value, measure, sum(n)::bigint, sum(keysum)::bigint "  # noqa: S608 - fixed names; values are parameters # nosec B608
            f"FROM {TABLE} WHERE {' AND '.join(where)} GROUP BY 1, 2, 3",
            params,
        )
        return [(d, v, m, int(n), int(k)) for d, v, m, n, k in cursor.fetchall()]
