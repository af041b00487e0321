"""The breakdowns of the turnout report as SQL expressions, the age bands, and
the groups' order and names in the report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from common.suppression import TOTAL
from scheduling.models import Site
from screening.models import Campaign, District, EmploymentType


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


def group_key_text(key: Any) -> str:
    if key is None:
        return TOTAL
    if isinstance(key, date):
        return key.isoformat()
    return str(key)


def group_sort_key(group_by: str, campaign: Campaign) -> Any:
    if group_by == "employment_type":
        order = {value: i for i, value in enumerate(EmploymentType.values)}
        return lambda k: (order.get(k, len(order)), str(k))
    if group_by == "age_band":
        order = {band.key: i for i, band in enumerate(age_bands(campaign))}
        return lambda k: order.get(k, len(order))
    if group_by in ("district", "site"):
        model = District if group_by == "district" else Site
        codes = dict(model.objects.values_list("pk", "code"))
        return lambda k: codes.get(k, "")
    return lambda k: k


def group_labels(group_by: str | None, campaign: Campaign, keys: list[Any]) -> dict:
    if group_by == "employment_type":
        return {k: str(EmploymentType(k).label) for k in keys if k in EmploymentType}
    if group_by == "district":
        return dict(District.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group_by == "site":
        return dict(Site.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group_by == "age_band":
        return {band.key: band.label for band in age_bands(campaign)}
    return {}
