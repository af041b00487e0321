# ruff: noqa: S608 - fixed measure SQL; values are parameters
"""The visit measures folded on PostgreSQL in one pass (`indicators.bitmask`):
per result, per visit, per woman, then per group of women with the same bits.
`count_visit_atoms` gives the atoms of `indicators.counting`; `count_periods`
gives the totals of several periods at once (the quarterly table's columns),
each de-duplicated by woman over its own period.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from indicators import bitmask

# Known codes get their bits from one small lookup; a value not in the table of
# codes falls back to the conditions themselves, so no result is miscounted.
_CODES = f"""
    codes AS (
        SELECT r.test, r.value, {bitmask.result_bits()} AS bits
        FROM (SELECT DISTINCT test, code AS value FROM screening_resultcode) r
    )"""


def _visits(where: str, bucket: str) -> str:
    return f"""
    vs AS (
        SELECT v.id FROM screening_visit v
        WHERE v.campaign_id = %(campaign)s AND v.undone_at IS NULL{where}
    ),
    rv AS (
        SELECT r.visit_id, bit_or(COALESCE(c.bits, {bitmask.result_bits()})) AS bits
        FROM screening_result r
        JOIN vs ON vs.id = r.visit_id
        LEFT JOIN codes c ON c.test = r.test AND c.value = r.value
        WHERE r.is_current
        GROUP BY r.visit_id
    ),
    vm AS (
        SELECT v.participant_id, v.day, v.site_id, {bucket} AS b,
               {bitmask.visit_bits()} AS bits, {bitmask.all_of("vm")}
        FROM screening_visit v
        LEFT JOIN rv ON rv.visit_id = v.id
        LEFT JOIN screening_resultsummary s ON s.visit_id = v.id
        LEFT JOIN screening_followupcase f ON f.visit_id = v.id
        LEFT JOIN (
            SELECT DISTINCT case_id FROM screening_followupevent
            WHERE to_status = 'TREATED'
        ) t ON t.case_id = f.id
        LEFT JOIN indicators_quiztake q
            ON q.participant_id = v.participant_id AND q.campaign_id = v.campaign_id
        WHERE v.campaign_id = %(campaign)s AND v.undone_at IS NULL{where}
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
    """Rows (day, site, occupation, n0, k0, n1, k1, ...) in bitmask.NAMES order."""
    sql = f"""
        WITH {_CODES}, {_visits(where, "0")},
        w AS (
            SELECT vm.participant_id, MIN(vm.day) AS d, MIN(vm.site_id) AS site,
                   {bitmask.woman_bits("vm")} AS bits
            FROM vm GROUP BY vm.participant_id
        ),
        g AS (
            SELECT w.d, w.site, p.employment_type AS occ,
                   w.bits | {bitmask.person_bits()} AS bits,
                   count(*) AS n, SUM(p.report_key) AS ks
            FROM w JOIN screening_participant p ON p.id = w.participant_id
            GROUP BY 1, 2, 3, 4
        )
        SELECT g.d, g.site, g.occ, {bitmask.split()} FROM g GROUP BY g.d, g.site, g.occ
    """  # nosec B608
    return _run(sql, params)


def period_rows(
    where: str, params: dict[str, Any], firsts: Sequence[str], lasts: Sequence[str]
) -> dict[int | None, dict[str, int]]:
    """Totals per sub-period (its index) and for the whole span (None): each
    woman counted once per period in which she has a visit."""
    cases = " ".join(
        f"WHEN v.day BETWEEN {first} AND {last} THEN {n}"
        for n, (first, last) in enumerate(zip(firsts, lasts, strict=True))
    )
    sql = f"""
        WITH {_CODES}, {_visits(where, f"CASE {cases} END")},
        w AS (
            SELECT vm.participant_id, vm.b, GROUPING(vm.b) AS whole,
                   {bitmask.woman_bits("vm")} AS bits
            FROM vm
            GROUP BY GROUPING SETS ((vm.participant_id, vm.b), (vm.participant_id))
        ),
        g AS (
            SELECT w.b, w.whole, w.bits | {bitmask.person_bits()} AS bits,
                   count(*) AS n, 0 AS ks
            FROM w JOIN screening_participant p ON p.id = w.participant_id
            GROUP BY 1, 2, 3
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
