"""The quarterly programme table (DOMAIN §6.4), shaped like the 2010 national
form: one row per item, one column per month and the quarter (or per quarter and
the year), each column de-duplicated by woman over its own period; and its logic
checks, run before any export (应查 ≥ 实查 ≥ 正常; each later stage ≤ the one
before). The hospital files exact counts, so only clinic staff and admins get it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError
from indicators import counting_pg
from indicators.counting import Scope, count_atoms, facts_ready, where_sql
from indicators.measures import MEASURES, TARGET
from indicators.quarterly_form import CHECKS, RATES, ROWS
from indicators.report import _born_between, target_population
from screening.models import Campaign

ROW_CODES = {code for _s, code, *_rest in ROWS}


class InvalidQuarter(ApplicationError):
    code = "invalid_quarter"
    status = 400

    def default_detail(self) -> str | Promise:
        return _("Give the quarter as YYYYQn (for example 2026Q4) or a year (2026).")


class ChecksFailed(ApplicationError):
    code = "quarterly_checks_failed"
    status = 422

    def default_detail(self) -> str | Promise:
        return _("The table fails its logic checks; correct the records first.")


@dataclass(frozen=True)
class Period:
    label: str
    first: date
    last: date


@dataclass(frozen=True)
class Failure:
    check: str
    column: str
    words: str
    larger: int
    smaller: int


@dataclass
class QuarterlyTable:
    campaign: Campaign
    name: str
    periods: list[Period]
    columns: dict[str, dict[str, int]]  # period label -> row code -> count
    rates: dict[str, dict[str, float | None]]
    failures: list[Failure]


def _month_end(first: date) -> date:
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def parse_periods(raw: str | None) -> tuple[str, list[Period]]:
    """'2026Q4': its three months and the quarter; '2026': its quarters and year."""
    text = (raw or "").strip().upper()
    match = re.fullmatch(r"(20\d\d)(?:Q([1-4]))?", text)
    if not match:
        raise InvalidQuarter
    year = int(match.group(1))
    if match.group(2):
        q = int(match.group(2))
        months = [date(year, 3 * q - 2 + n, 1) for n in range(3)]
        periods = [Period(m.strftime("%Y-%m"), m, _month_end(m)) for m in months]
        return text, [*periods, Period(text, months[0], _month_end(months[2]))]
    quarters = [
        Period(
            f"{year}Q{q}", date(year, 3 * q - 2, 1), _month_end(date(year, 3 * q, 1))
        )
        for q in range(1, 5)
    ]
    return text, [*quarters, Period(str(year), date(year, 1, 1), date(year, 12, 31))]


def _counts(
    campaign: Campaign, periods: Sequence[Period], site_ids: Sequence[int] | None
) -> list[dict[str, int]]:
    """Each column's totals. The last period spans the others, which part it;
    PostgreSQL counts them all in one pass, SQLite (`make run`) one by one."""
    born_from, born_to = _born_between(campaign)
    if facts_ready():
        return _counts_at_once(campaign, periods, site_ids, born_from, born_to)
    return [_one_period(campaign, p, site_ids, born_from, born_to) for p in periods]


def _one_period(
    campaign: Campaign,
    period: Period,
    site_ids: Sequence[int] | None,
    born_from: date,
    born_to: date,
) -> dict[str, int]:
    atoms = count_atoms(
        Scope(campaign.pk, period.first, period.last, site_ids),
        born_from=born_from,
        born_to=born_to,
        bookings=False,
    )
    totals = dict.fromkeys(MEASURES, 0)
    for cell in atoms.values():
        for measure, (n, _keys) in cell.items():
            totals[measure] += n
    return totals


def _counts_at_once(
    campaign: Campaign,
    periods: Sequence[Period],
    site_ids: Sequence[int] | None,
    born_from: date,
    born_to: date,
) -> list[dict[str, int]]:
    *parts, span = periods
    params: dict[str, Any] = {
        "campaign": campaign.pk,
        "born_from": born_from,
        "born_to": born_to,
    }
    for n, part in enumerate(parts):
        params[f"first{n}"], params[f"last{n}"] = part.first, part.last
    scope = Scope(campaign.pk, span.first, span.last, site_ids)
    rows = counting_pg.period_rows(
        where_sql(scope, "f.day", "f.site_id", params),
        params,
        [f"%(first{n})s" for n in range(len(parts))],
        [f"%(last{n})s" for n in range(len(parts))],
    )
    empty = dict.fromkeys(MEASURES, 0)
    return [{**empty, **rows.get(n, {})} for n in [*range(len(parts)), None]]


def run_checks(columns: dict[str, dict[str, int]]) -> list[Failure]:
    failures = []
    for label, cells in columns.items():
        for code, larger, smaller, words in CHECKS:
            if larger not in cells or cells[larger] is None:
                continue  # a site's column has no target population
            total = sum(cells.get(s, 0) for s in smaller)
            if cells[larger] < total:
                failures.append(Failure(code, label, str(words), cells[larger], total))
    return failures


def quarterly_table(
    *, campaign: Campaign, quarter: str | None, site_ids: Sequence[int] | None = None
) -> QuarterlyTable:
    name, periods = parse_periods(quarter)
    target = target_population(campaign) if site_ids is None else None
    columns: dict[str, dict[str, int]] = {}
    rates: dict[str, dict[str, float | None]] = {}
    for period, counts in zip(
        periods, _counts(campaign, periods, site_ids), strict=True
    ):
        column = {
            code: (target if m == TARGET else (counts[m] if m else 0))
            for _s, code, _zh, _en, m in ROWS
        }
        if column["target"] is None:
            del column["target"]
        columns[period.label] = column
        rates[period.label] = {
            code: (counts[num] * 100000 / counts[den] if counts[den] else None)
            for code, _zh, _en, num, den in RATES
        }
    return QuarterlyTable(campaign, name, periods, columns, rates, run_checks(columns))
