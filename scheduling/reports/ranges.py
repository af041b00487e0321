"""The date ranges a union report accepts.

A range is bounded on both sides: before `EARLIEST` nothing was counted, and a
day more than `YEARS_AHEAD` years away is a typing slip or a probe (far dates
such as 9999-12-31 used to overflow the day arithmetic into a 500). Either
answers 400 ``invalid_date_range``, like an unreadable or inverted range.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from scheduling.reports.errors import InvalidDateRange

EARLIEST = date(2000, 1, 1)
YEARS_AHEAD = 10


def latest_report_day() -> date:
    return timezone.localdate() + timedelta(days=366 * YEARS_AHEAD)


def range_problem(date_from: date | None, date_to: date | None) -> bool:
    """Whether a range of dates is outside what a report answers."""
    latest = latest_report_day()
    for day in (date_from, date_to):
        if day is not None and not EARLIEST <= day <= latest:
            return True
    return bool(date_from and date_to and date_from > date_to)


def parse_report_range(
    raw_from: str | None, raw_to: str | None
) -> tuple[date | None, date | None]:
    """``from``/``to`` query values as dates (either may be empty)."""
    try:
        date_from = date.fromisoformat(raw_from) if raw_from else None
        date_to = date.fromisoformat(raw_to) if raw_to else None
    except ValueError:
        raise InvalidDateRange from None
    if range_problem(date_from, date_to):
        raise InvalidDateRange
    return date_from, date_to
