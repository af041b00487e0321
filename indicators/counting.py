"""The one pass over the records that every indicator report reads.

Two aggregate queries (visits with their results, summaries, cases and quiz take;
bookings) first fold each woman's rows into one row of 0/1 measures, then sum
those per first visit day, site and occupation group. Each sum comes with the sum
of the women's record keys (common.cellkey), so the union's figures can be
published from day atoms. Plain SQL that SQLite (`make run`) runs as well; on
PostgreSQL the visits are read from their stored facts instead
(`indicators.facts`, `indicators.counting_pg`), with the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction

from indicators import bitmask, counting_pg, facts
from indicators.measures import ALL_OF, BOOKING_MEASURES, VISIT_MEASURES

# (first visit day, site id, occupation group)
AtomKey = tuple[date, int, str]
Atoms = dict[AtomKey, dict[str, tuple[int, int]]]


@dataclass(frozen=True)
class Scope:
    campaign_id: int
    date_from: date | None = None
    date_to: date | None = None
    site_ids: Sequence[int] | None = None  # None: every site


def _day(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"(({column}) AT TIME ZONE 'Asia/Shanghai')::date"
    return f"date({column}, '+8 hours')"


def where_sql(scope: Scope, day: str, site: str, params: dict[str, Any]) -> str:
    clauses = []
    if scope.date_from is not None:
        params["date_from"] = scope.date_from
        clauses.append(f"{day} >= %(date_from)s")
    if scope.date_to is not None:
        params["date_to"] = scope.date_to
        clauses.append(f"{day} <= %(date_to)s")
    if scope.site_ids is not None:
        names = []
        for n, site_id in enumerate([*scope.site_ids, -1]):
            params[f"site{n}"] = int(site_id)
            names.append(f"%(site{n})s")
        clauses.append(f"{site} IN ({', '.join(names)})")
    return "".join(f" AND {c}" for c in clauses)


def _fold(measure: str) -> str:
    condition = VISIT_MEASURES.get(measure) or BOOKING_MEASURES[measure]
    if measure in ALL_OF:
        # Rows of visits without a summary yet say nothing either way.
        return (
            f"COALESCE(MIN(CASE WHEN s.id IS NULL THEN NULL WHEN {condition} "
            f"THEN 1 ELSE 0 END), 0) AS {measure}"
        )
    return f"MAX(CASE WHEN {condition} THEN 1 ELSE 0 END) AS {measure}"


def _folded(measures: Iterable[str]) -> tuple[str, str]:
    names = list(measures)
    per_woman = ", ".join(_fold(m) for m in names)
    summed = ", ".join(f"SUM(w.{m}) AS {m}, SUM(w.{m} * w.k) AS {m}_k" for m in names)
    return per_woman, summed


def _visit_sql(scope: Scope, params: dict[str, Any]) -> str:
    per_woman, summed = _folded(VISIT_MEASURES)
    where = where_sql(scope, "v.day", "v.site_id", params)
    return f"""
        WITH w AS (
            SELECT MIN(v.day) AS d, MIN(v.site_id) AS site,
                   MAX(p.employment_type) AS occ, MAX(p.report_key) AS k, {per_woman}
            FROM screening_visit v
            JOIN screening_participant p ON p.id = v.participant_id
            LEFT JOIN screening_result r ON r.visit_id = v.id AND r.is_current
            LEFT JOIN screening_resultsummary s ON s.visit_id = v.id
            LEFT JOIN screening_followupcase f ON f.visit_id = v.id
            LEFT JOIN (
                SELECT DISTINCT case_id FROM screening_followupevent
                WHERE to_status = 'TREATED'
            ) t ON t.case_id = f.id
            LEFT JOIN indicators_quiztake q
                ON q.participant_id = v.participant_id AND q.campaign_id = v.campaign_id
            WHERE v.campaign_id = %(campaign)s AND v.undone_at IS NULL{where}
            GROUP BY v.participant_id
        )
        SELECT w.d, w.site, w.occ, {summed} FROM w GROUP BY w.d, w.site, w.occ
    """  # noqa: S608 - fixed measure SQL; values are parameters # nosec B608


def _booking_sql(scope: Scope, params: dict[str, Any]) -> str:
    per_woman, summed = _folded(BOOKING_MEASURES)
    day = _day("sl.starts_at")
    where = where_sql(scope, day, "sl.site_id", params)
    return f"""
        WITH b AS (
            SELECT a.participant_id AS pid, MIN({day}) AS d, MIN(sl.site_id) AS site,
                   {per_woman}
            FROM scheduling_appointment a
            JOIN scheduling_slot sl ON sl.id = a.slot_id
            WHERE a.campaign_id = %(campaign)s{where}
            GROUP BY a.participant_id
        ), w AS (
            -- Her row joined once per woman, not once per booking.
            SELECT b.*, p.employment_type AS occ, p.report_key AS k
            FROM b JOIN screening_participant p ON p.id = b.pid
        )
        SELECT w.d, w.site, w.occ, {summed} FROM w GROUP BY w.d, w.site, w.occ
    """  # noqa: S608 - fixed measure SQL; values are parameters # nosec B608


def _gather(atoms: Atoms, sql: str, params: dict[str, Any], names: list[str]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One row per woman is folded in memory: the default 4 MB sends a
            # campaign of a million to disk sorts. Local to this transaction.
            cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute(sql, params)
        _collect(atoms, cursor.fetchall(), names)


def _collect(atoms: Atoms, rows: Sequence[Sequence], names: Sequence[str]) -> None:
    for row in rows:
        day = row[0] if isinstance(row[0], date) else date.fromisoformat(row[0])
        cell = atoms.setdefault((day, int(row[1]), row[2] or ""), {})
        for n, name in enumerate(names):
            count = int(row[3 + 2 * n] or 0)
            if count:
                cell[name] = (count, int(row[4 + 2 * n] or 0))


def facts_ready() -> bool:
    """Whether the stored facts answer for the code's measures, folded up to
    now (else a report folds the records directly: slower, the same answer)."""
    if connection.vendor != "postgresql" or not facts.current():
        return False
    facts.fold()
    return True


def count_atoms(
    scope: Scope, *, born_from: date, born_to: date, bookings: bool = True
) -> Atoms:
    """Every measure per (first day, site, occupation): women and their key sum.
    ``born_from``/``born_to`` bound the birth dates of the eligible ages; without
    ``bookings`` the appointments are not read (the quarterly form has none)."""
    atoms: Atoms = {}
    params: dict[str, Any] = {
        "campaign": scope.campaign_id,
        "born_from": born_from,
        "born_to": born_to,
    }
    whole = scope.date_from is None and scope.date_to is None and scope.site_ids is None
    if not facts_ready():
        _gather(atoms, _visit_sql(scope, params), params, list(VISIT_MEASURES))
        if bookings:
            params = {"campaign": scope.campaign_id}
            _gather(atoms, _booking_sql(scope, params), params, list(BOOKING_MEASURES))
        return atoms
    if whole:
        # A whole campaign: one folded row per woman, visits and bookings.
        _collect(atoms, counting_pg.woman_atom_rows(params), bitmask.NAMES)
    else:
        where = where_sql(scope, "f.day", "f.site_id", params)
        _collect(atoms, counting_pg.visit_atom_rows(where, params), bitmask.NAMES)
    if bookings:
        params = {"campaign": scope.campaign_id}
        if whole:
            rows = counting_pg.booking_atom_rows(params)
            _collect(atoms, rows, list(BOOKING_MEASURES))
        else:
            _gather(atoms, _booking_sql(scope, params), params, list(BOOKING_MEASURES))
    return atoms
