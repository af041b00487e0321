"""The days a desk or a day list may ask about.

A date is parsed and then bounded: a year 9999 or year 1 date is valid ISO but
overflows the day's bounds (start + one day) and would answer 500. The desk
looks at most a few years either way; anything further is a 400 with a code.
"""

from __future__ import annotations

from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError

DAYS_EITHER_WAY = 3 * 366


class DateOutOfRange(ApplicationError):
    code = "date_out_of_range"
    status = 400

    def default_detail(self) -> str | Promise:
        return _("Choose a date within three years of today.")


class DateInvalid(ApplicationError):
    code = "date_invalid"
    status = 400

    def default_detail(self) -> str | Promise:
        return _("Enter the date as YYYY-MM-DD.")


def desk_date_bounded(day: date, *, today: date) -> date:
    """`day`, or DateOutOfRange when it is further from today than a desk looks."""
    if abs((day - today).days) > DAYS_EITHER_WAY:
        raise DateOutOfRange
    return day


def desk_date_parse(raw: str, *, today: date) -> date:
    """The day in `raw` (YYYY-MM-DD), `today` when empty. Raises DateInvalid or
    DateOutOfRange."""
    raw = (raw or "").strip()
    if not raw:
        return today
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise DateInvalid from None
    return desk_date_bounded(day, today=today)
