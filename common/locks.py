"""Row locks taken on purpose, always through here, always in primary-key order.

Two transactions that lock the same rows of one table in opposite orders can each
hold one and wait for the other; PostgreSQL then aborts one of them, and the user
sees an error for nothing she did. Taking every set of rows in primary-key order
makes that impossible within a table; the order between tables is ADR 0009's.
"""

from typing import Any

from django.db.models import QuerySet


def rows_lock(
    rows: QuerySet[Any], *, no_key: bool = False, of: tuple[str, ...] = ()
) -> list[Any]:
    """Lock the rows of `rows` until the commit, in primary-key order, in one
    statement; returns their primary keys in that order.

    `no_key` takes FOR NO KEY UPDATE: enough for a counter on the row, and
    inserts that merely reference the row (a new appointment in a slot) do not
    queue behind it. `of` names the tables to lock when `rows` joins others.
    """
    locked = rows.select_for_update(no_key=no_key, of=of).order_by("pk")
    return list(locked.values_list("pk", flat=True))
