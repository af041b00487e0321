"""The breakdowns of the turnout report as SQL expressions, and the age bands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from screening.models import Campaign


@dataclass(frozen=True)
class AgeBand:
    key: str
    label: str
    youngest: int | None
    oldest: int | None


def group_expression(group_by: str, campaign: Campaign, *, person: str) -> Any:
    if group_by == "employment_type":
        return F(f"{person}employment_type")
    if group_by == "district":
        return F(f"{person}district_id")
    if group_by == "site":
        return F("slot__site_id")
    if group_by == "day":
        return TruncDate("slot__starts_at", tzinfo=timezone.get_default_timezone())
    # Comparing birth dates with fixed cut-off days keeps the band a cheap CASE
    # over a column instead of an age() call per row.
    bands = age_bands(campaign)
    whens = [
        When(
            **{f"{person}birth_date__gt": _born_by(campaign.age_on, band.youngest)},
            then=Value(previous.key),
        )
        for previous, band in pairwise(bands)
        if band.youngest is not None
    ]
    return Case(*whens, default=Value(bands[-1].key), output_field=CharField())


def age_bands(campaign: Campaign) -> list[AgeBand]:
    """Five-year bands (35-39, 40-44, ...) over the campaign's ages, on its age
    reference date, with one band each for anyone younger or older."""
    low, high = campaign.min_age, campaign.max_age
    bands = [
        AgeBand(
            "under",
            gettext("Under %(age)s") % {"age": low},
            None,
            low - 1,
        )
    ]
    youngest = low
    while youngest <= high:
        oldest = min(high, youngest - youngest % 5 + 4)
        bands.append(
            AgeBand(
                f"{youngest}-{oldest}", f"{youngest}\u2013{oldest}", youngest, oldest
            )
        )
        youngest = oldest + 1
    bands.append(
        AgeBand("over", gettext("Over %(age)s") % {"age": high}, high + 1, None)
    )
    return bands


def _born_by(day: date, age: int) -> date:
    """The last birth date of someone who is at least `age` on `day`."""
    try:
        return day.replace(year=day.year - age)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - age, day=28)
