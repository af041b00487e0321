# ruff: noqa: S608 - fixed measure SQL; values are parameters
"""The visit measures counted on PostgreSQL from the stored visit facts
(`indicators.facts`, each visit's bits kept current by triggers): per woman,
then per group of women with the same bits.
`visit_atom_rows` gives the atoms of `indicators.counting`; `period_rows`
gives the totals of several periods at once (the quarterly table's columns),
each de-duplicated by woman over its own period.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from indicators import bitmask, facts_sql


def _women(where: str, bucket: str, grouping: str, group_by: str) -> str:
    """Her visits' facts folded into one row per woman (and per ``bucket``)."""
    normal = bitmask.BIT["normal"]
    return f"""
    w AS (
        SELECT f.participant_id, {bucket} AS b, {grouping},
               MIN(f.day) AS d, MIN(f.site_id) AS site, MAX(f.occupation) AS occ,
               MAX(f.report_key) AS k, MAX(f.birth_date) AS birth_date,
               bit_or(f.bits) | CASE WHEN COALESCE(MIN(f.normal), 0) = 1
                   THEN {normal} ELSE 0 END AS bits
        FROM {facts_sql.VISITS} f
        WHERE f.campaign_id = %(campaign)s{where}
        GROUP BY {group_by}
    )"""


def _run(sql: str, params: dict[str, Any]) -> list[tuple]:
    with transaction.atomic(), connection.cursor() as cursor:
        # JIT compiles this wide aggregate afresh each time and spends longer
        # compiling than counting; the hashes of a million women and visits
        # want more than the default 4 MB. Both end with the transaction.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute(sql, params)
        return cursor.fetchall()


def visit_atom_rows(where: str, params: dict[str, Any]) -> list[tuple]:
    """Rows (day, site, occupation, n0, k0, n1, k1, ...) in bitmask.NAMES order;
    ``where`` is on the facts ``f`` (day, site_id)."""
    women = _women(where, "0", "0 AS whole", "f.participant_id")
    sql = f"""
        WITH {women},
        g AS (
            -- Her row's own measures from the copy the facts keep: ``p``.
            SELECT p.d, p.site, p.occ, p.bits | {bitmask.person_bits()} AS bits,
                   count(*) AS n, SUM(p.k) AS ks
            FROM w p GROUP BY 1, 2, 3, 4
        )
        SELECT g.d, g.site, g.occ, {bitmask.split()} FROM g GROUP BY g.d, g.site, g.occ
    """  # nosec B608
    return _run(sql, params)


def woman_atom_rows(params: dict[str, Any]) -> list[tuple]:
    """The rows of `visit_atom_rows` for a whole campaign, from her folded row."""
    sql = f"""
        WITH g AS (
            SELECT p.day AS d, p.site_id AS site, p.occupation AS occ,
                   p.bits | {bitmask.person_bits()} AS bits,
                   count(*) AS n, SUM(p.report_key) AS ks
            FROM {facts_sql.WOMEN} p WHERE p.campaign_id = %(campaign)s
            GROUP BY 1, 2, 3, 4
        )
        SELECT g.d, g.site, g.occ, {bitmask.split()} FROM g GROUP BY g.d, g.site, g.occ
    """  # nosec B608
    return _run(sql, params)


def booking_atom_rows(params: dict[str, Any]) -> list[tuple]:
    """Rows (first booked day, site, occupation, n, k, ...) in BOOKING_MEASURES
    order for a whole campaign, from her folded bookings."""
    sums = ", ".join(
        f"count(*) FILTER (WHERE (b.bits & {bit}) <> 0), "
        f"SUM(b.report_key) FILTER (WHERE (b.bits & {bit}) <> 0)"
        for bit in facts_sql.BOOKING_BIT.values()
    )
    sql = f"""
        SELECT b.day, b.site_id, b.occupation, {sums}
        FROM {facts_sql.BOOKINGS} b WHERE b.campaign_id = %(campaign)s
        GROUP BY 1, 2, 3
    """  # nosec B608
    return _run(sql, params)


def period_rows(
    where: str, params: dict[str, Any], firsts: Sequence[str], lasts: Sequence[str]
) -> dict[int | None, dict[str, int]]:
    """Totals per sub-period (its index) and for the whole span (None): each
    woman counted once per period in which she has a visit."""
    cases = " ".join(
        f"WHEN f.day BETWEEN {first} AND {last} THEN {n}"
        for n, (first, last) in enumerate(zip(firsts, lasts, strict=True))
    )
    bucket = f"CASE {cases} END"
    women = _women(
        where,
        bucket,
        f"GROUPING({bucket}) AS whole",
        f"GROUPING SETS ((f.participant_id, {bucket}), (f.participant_id))",
    )
    sql = f"""
        WITH {women},
        g AS (
            SELECT p.b, p.whole, p.bits | {bitmask.person_bits()} AS bits,
                   count(*) AS n, 0 AS ks
            FROM w p GROUP BY 1, 2, 3
        )
        SELECT g.b, g.whole, {bitmask.split()} FROM g GROUP BY g.b, g.whole
    """  # nosec B608
    out: dict[int | None, dict[str, int]] = {}
    for row in _run(sql, params):
        if not row[1] and row[0] is None:
            continue  # a visit in the span but in no sub-period (none by design)
        out[None if row[1] else row[0]] = {
            name: int(row[2 + 2 * n] or 0) for n, name in enumerate(bitmask.NAMES)
        }
    return out
