"""Selectors for the clinic's specimen list: her sites' tubes, filtered by site,
status and overdue, newest first, one page at a time, names masked. The read
is audited, as every staff read of individual records is."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from common.audit import audit_record
from common.masking import mask_name
from specimens.errors import OtherSite
from specimens.failsafe.policy import DEFAULT_LIMITS, Limits, limits_by_campaign
from specimens.failsafe_models import Tier
from specimens.models import Specimen, SpecimenStatus

PAGE_SIZE = 50
MAX_PAGE = 10_000
# A tube in one of these still owes a result; only such a tube can be overdue.
OPEN_STATUSES = (
    SpecimenStatus.COLLECTED,
    SpecimenStatus.DISPATCHED,
    SpecimenStatus.RECEIVED,
)


@dataclass(frozen=True)
class SpecimenRow:
    id: int
    barcode: str
    kind: str
    status: str
    collected_at: datetime
    site_id: int
    site_name: str
    appointment_id: int | None
    reference: str
    name: str
    overdue: bool


@dataclass(frozen=True)
class SpecimenPage:
    page: int
    next_page: int | None
    rows: list[SpecimenRow]


def _overdue_q(limits: dict[int, Limits], now: datetime) -> Q:
    """Open tubes past their campaign's first failsafe limit (the reminder to
    the lab), whether or not the daily sweep has listed them yet."""
    cutoff = DEFAULT_LIMITS.cutoff(Tier.REMIND, now)
    q = Q(collected_at__lte=cutoff)
    if limits:
        q &= ~Q(visit__campaign_id__in=list(limits))
    for campaign_id, own in limits.items():
        q |= Q(
            visit__campaign_id=campaign_id,
            collected_at__lte=own.cutoff(Tier.REMIND, now),
        )
    return Q(status__in=OPEN_STATUSES) & q


def _filtered(
    *,
    site_ids: list[int] | None,
    site: int | None,
    status: str | None,
    overdue: bool | None,
    limits: dict[int, Limits],
    now: datetime,
) -> QuerySet[Specimen]:
    if site is not None and site_ids is not None and site not in site_ids:
        raise OtherSite
    specimens = Specimen.objects.all()
    if site_ids is not None:
        specimens = specimens.filter(visit__site_id__in=site_ids)
    if site is not None:
        specimens = specimens.filter(visit__site_id=site)
    if status:
        specimens = specimens.filter(status=status)
    if overdue is not None:
        late = _overdue_q(limits, now)
        specimens = specimens.filter(late) if overdue else specimens.exclude(late)
    return specimens


def _row(specimen: Specimen, limits: dict[int, Limits], now: datetime) -> SpecimenRow:
    visit = specimen.visit
    own = limits.get(visit.campaign_id, DEFAULT_LIMITS)
    return SpecimenRow(
        id=specimen.pk,
        barcode=specimen.barcode,
        kind=specimen.kind,
        status=specimen.status,
        collected_at=specimen.collected_at,
        site_id=visit.site_id,
        site_name=visit.site_name,
        appointment_id=visit.appointment_id,
        reference=visit.reference,
        name=mask_name(visit.participant.full_name),
        overdue=specimen.status in OPEN_STATUSES
        and own.tier_at(now - specimen.collected_at) is not None,
    )


def specimen_list(
    *,
    site_ids: list[int] | None,
    by: Any,
    site: int | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    page: int = 1,
    request: HttpRequest | None = None,
) -> SpecimenPage:
    """One page of her sites' tubes, newest first. OtherSite for a site that is
    not hers. One row more than a page is read to know whether another follows."""
    now = timezone.now()
    limits = limits_by_campaign()
    page = max(1, min(page, MAX_PAGE))
    start = (page - 1) * PAGE_SIZE
    specimens = list(
        _filtered(
            site_ids=site_ids,
            site=site,
            status=status,
            overdue=overdue,
            limits=limits,
            now=now,
        )
        .select_related("visit__participant")
        .order_by("-collected_at", "-id")[start : start + PAGE_SIZE + 1]
    )
    rows = [_row(s, limits, now) for s in specimens[:PAGE_SIZE]]
    audit_record(
        actor=by,
        action="specimens.listed",
        obj_type="specimen",
        obj_id="list",
        request=request,
        purpose="specimen list",
        details={"ids": [row.id for row in rows], "page": page},
    )
    more = len(specimens) > PAGE_SIZE
    return SpecimenPage(page=page, next_page=page + 1 if more else None, rows=rows)
