"""Reports read from a streaming replica when REPORTS_DATABASE_URL names one.

A report's aggregates are the heaviest reads the system makes; on a replica they
take nothing from the bookings on the primary. Only code inside `report_reads()`
is sent there, and only its reads: every write (an export's audit row, anything a
report does on the side) goes to the primary, as does every read outside it.

The report tables are filled by triggers on the primary (docs/adr/0010) and
arrive on the replica by streaming, so a report there may lag the primary: its
lag is measured on each report (`replica_lag_seconds`) and shown with it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

REPORTS_ALIAS = "reports"

_reading_reports: ContextVar[bool] = ContextVar("reading_reports", default=False)


def reports_alias() -> str:
    """Where a report reads now: the replica inside `report_reads()` when one is
    configured, the primary otherwise."""
    if _reading_reports.get() and REPORTS_ALIAS in connections.settings:
        return REPORTS_ALIAS
    return DEFAULT_DB_ALIAS


def reports_connection() -> BaseDatabaseWrapper:
    """The connection for a report's own hand-written SQL (the router sees only
    the ORM's queries)."""
    return connections[reports_alias()]


@contextmanager
def report_reads() -> Iterator[str]:
    """Send this block's reads to the reports database; yields its alias."""
    token = _reading_reports.set(True)
    try:
        yield reports_alias()
    finally:
        _reading_reports.reset(token)


# On a standby: 0 when it has replayed all it has received, else how long ago
# the last transaction it replayed committed on the primary. NULL on a primary.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN NULL
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
END
"""


def replica_lag_seconds(alias: str) -> float | None:
    """How far the reports database is behind the primary, in seconds; None when
    reports read the primary itself."""
    if alias == DEFAULT_DB_ALIAS or connections[alias].vendor != "postgresql":
        return None
    with connections[alias].cursor() as cursor:
        cursor.execute(LAG_SQL)
        lag = cursor.fetchone()[0]
    return None if lag is None else round(float(lag), 1)


def lag_is_reportable(lag: float | None) -> bool:
    """Whether the page says the figures are behind: past REPORTS_LAG_NOTICE_SECONDS."""
    return lag is not None and lag > settings.REPORTS_LAG_NOTICE_SECONDS


class ReportsRouter:
    """Django's database router for the reports replica (DATABASE_ROUTERS)."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        alias = reports_alias()
        return alias if alias != DEFAULT_DB_ALIAS else None

    def db_for_write(self, model: type, **hints: Any) -> str:
        # A replica refuses writes; a write is never sent there, even one that
        # starts from an instance read there.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # The replica holds the primary's rows: an instance read on one is the
        # instance on the other.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # A physical replica takes its schema from the primary's WAL.
        return db != REPORTS_ALIAS
