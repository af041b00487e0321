"""The send path's statements, written out: the claim (`UPDATE … RETURNING`
the rows) and the outcomes (one `UPDATE` over all of them on PostgreSQL),
each written only over our own `sending` (ADR 0008)."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from notifications.models import Notification, Status

FIELDS = Notification._meta.concrete_fields
ATTNAMES = [field.attname for field in FIELDS]


def _table() -> str:
    return connection.ops.quote_name(Notification._meta.db_table)


def db_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


@dataclass
class Outcome:
    """What became of one claimed row, to be written over our own `sending`.
    Empty provider fields and None times leave the stored value as it is."""

    notification: Notification
    status: str
    last_error: str
    updated_at: datetime
    provider: str = ""
    provider_message_id: str = ""
    sent_at: datetime | None = None
    send_at: datetime | None = None

    def row(self) -> list[Any]:
        """The values of _OUTCOME_ROW_SQL before its WHERE."""
        return [
            self.status,
            self.last_error,
            db_value(self.updated_at),
            self.provider,
            self.provider_message_id,
            db_value(self.sent_at),
            db_value(self.send_at),
            # A secret is kept only for a retry (back to pending).
            self.status,
            Status.PENDING,
        ]


# On PostgreSQL one statement over all the outcomes, its text the same every
# time so that the driver parses it once; the rows travel as one JSON document.
_OUTCOMES_PG_SQL = (
    "UPDATE {table} AS n SET status = o.status, last_error = o.last_error, "
    "updated_at = o.updated_at, "
    "provider = COALESCE(NULLIF(o.provider, ''), n.provider), "
    "provider_message_id = "
    "COALESCE(NULLIF(o.provider_message_id, ''), n.provider_message_id), "
    "sent_at = COALESCE(o.sent_at, n.sent_at), "
    "send_at = COALESCE(o.send_at, n.send_at), "
    "secret_params = CASE WHEN o.status = %s THEN n.secret_params END "
    "FROM jsonb_to_recordset(%s::jsonb) AS o(id bigint, status text, "
    "last_error text, updated_at timestamptz, provider text, "
    "provider_message_id text, sent_at timestamptz, send_at timestamptz) "
    "WHERE n.id = o.id AND n.status = %s RETURNING n.id"
)
_OUTCOME_ROW_SQL = (
    "UPDATE {table} SET status = %s, last_error = %s, updated_at = %s, "
    "provider = COALESCE(NULLIF(%s, ''), provider), "
    "provider_message_id = COALESCE(NULLIF(%s, ''), provider_message_id), "
    "sent_at = COALESCE(%s, sent_at), send_at = COALESCE(%s, send_at), "
    "secret_params = CASE WHEN %s = %s THEN secret_params END "
    "WHERE id = %s AND status = %s"
)


def outcome_row_statement() -> str:
    """One outcome's UPDATE, for databases other than PostgreSQL: its values
    are `Outcome.row()`, then the id and `sending`."""
    return _OUTCOME_ROW_SQL.format(table=_table())


def claim_statement(db: BaseDatabaseWrapper, count: int | None) -> tuple[str, Any, Any]:
    """The claim's SQL for `count` ids, or for an array of ids when `count` is
    None, and the converters Django applies to its rows (decryption, JSON,
    SQLite's text dates)."""
    columns = ", ".join(db.ops.quote_name(str(f.column)) for f in FIELDS)
    ids = "= ANY(%s)" if count is None else "IN (" + ", ".join(["%s"] * count) + ")"
    sql = (
        f"UPDATE {_table()} SET status = %s, attempts = attempts + 1, "  # noqa: S608 - our table and columns; values are parameters # nosec B608
        f"claimed_at = %s, updated_at = %s WHERE id {ids} "
        f"AND status IN (%s, %s) AND send_at <= %s RETURNING {columns}"
    )
    compiler = db.ops.compiler("SQLCompiler")(
        Notification.objects.none().query, db, db.alias
    )
    table = Notification._meta.db_table
    converters = compiler.get_converters([f.get_col(table) for f in FIELDS])
    return sql, compiler, converters


def outcomes_statement(outcomes: list[Outcome]) -> tuple[str, list[Any]]:
    """One UPDATE over every outcome (PostgreSQL), returning the ids it wrote."""
    rows = [
        {
            "id": outcome.notification.pk,
            "status": outcome.status,
            "last_error": outcome.last_error,
            "updated_at": outcome.updated_at,
            "provider": outcome.provider,
            "provider_message_id": outcome.provider_message_id,
            "sent_at": outcome.sent_at,
            "send_at": outcome.send_at,
        }
        for outcome in outcomes
    ]
    sql = _OUTCOMES_PG_SQL.format(table=_table())
    return sql, [
        Status.PENDING,
        json.dumps(rows, default=_isoformat),
        Status.SENDING,
    ]


def _isoformat(value: datetime) -> str:
    # Microseconds and all: DjangoJSONEncoder would cut them to milliseconds.
    return value.isoformat()


def written(outcomes: list[Outcome], *, ids: set[int]) -> None:
    for outcome in outcomes:
        if outcome.notification.pk not in ids:
            # Someone else moved it on first (a receipt, a reclaim): show theirs.
            outcome.notification.refresh_from_db()
