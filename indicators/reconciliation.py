"""Funding reconciliation (SPEC §8.4): the tests done per site, item and month,
priced at the campaign's unit prices, so the union can pay the hospital.

Counted from the current results recorded (one per visit and test), so it
matches what the desk and the lab imports hold. Unreadable results (HPV invalid,
cytology unsatisfactory) and tubes the lab rejected are shown apart and not
priced: the woman is asked back and the repeat is the test that counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError
from indicators.models import PricedItem, UnitPrice
from scheduling.models import Site
from screening.models import Campaign, Result
from specimens.models import Specimen, SpecimenStatus

UNREADABLE = ("HPV_INVALID", "UNSAT")


class InvalidMonth(ApplicationError):
    code = "invalid_month"
    status = 400

    def default_detail(self) -> str | Promise:
        return _("Give the month as YYYY-MM, for example 2026-03.")


@dataclass
class Line:
    site_id: int
    site: str
    item: str
    month: str
    done: int = 0
    unreadable: int = 0
    rejected: int = 0
    price: Decimal | None = None

    @property
    def amount(self) -> Decimal | None:
        return None if self.price is None else self.price * self.done


def parse_month(raw: str | None) -> tuple[date, date] | None:
    if not raw:
        return None
    match = re.fullmatch(r"(20\d\d)-(0[1-9]|1[0-2])", raw.strip())
    if not match:
        raise InvalidMonth
    first = date(int(match.group(1)), int(match.group(2)), 1)
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def _visits(
    campaign: Campaign, span: tuple[date, date] | None, sites: Sequence[int] | None
) -> Q:
    q = Q(visit__campaign=campaign, visit__undone_at__isnull=True)
    if span:
        q &= Q(visit__day__range=span)
    if sites is not None:
        q &= Q(visit__site_id__in=list(sites))
    return q


def reconciliation_lines(
    *,
    campaign: Campaign,
    month: str | None = None,
    site_ids: Sequence[int] | None = None,
) -> list[Line]:
    span = parse_month(month)
    where = _visits(campaign, span, site_ids)
    names = dict(Site.objects.values_list("pk", "name"))
    prices = dict(
        UnitPrice.objects.filter(campaign=campaign).values_list("item", "price")
    )
    lines: dict[tuple[int, str, str], Line] = {}

    def line(site_id: int, item: str, day: date) -> Line:
        key = (site_id, item, day.strftime("%Y-%m"))
        if key not in lines:
            lines[key] = Line(site_id, names.get(site_id, str(site_id)), item, key[2],
                              price=prices.get(item))  # fmt: skip
        return lines[key]

    results = (
        Result.objects.filter(where, is_current=True)
        .annotate(m=TruncMonth("visit__day"))
        .values("visit__site_id", "test", "m")
        .annotate(
            done=Count("id", filter=~Q(value__in=UNREADABLE)),
            unreadable=Count("id", filter=Q(value__in=UNREADABLE)),
        )
        .order_by()
    )
    for row in results:
        found = line(row["visit__site_id"], row["test"], row["m"])
        found.done, found.unreadable = row["done"], row["unreadable"]
    rejected = (
        Specimen.objects.filter(where, status=SpecimenStatus.REJECTED)
        .annotate(m=TruncMonth("visit__day"))
        .values("visit__site_id", "kind", "m")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rejected:
        line(row["visit__site_id"], row["kind"], row["m"]).rejected = row["n"]
    order = {item: n for n, item in enumerate(PricedItem.values)}
    return sorted(
        lines.values(), key=lambda x: (x.site, x.month, order.get(x.item, 99))
    )
