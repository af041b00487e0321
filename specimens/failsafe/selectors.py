"""The failsafe's reads: the worklist by tier and age, its counts, and what her
result page must say about tubes still out."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet
from django.utils import timezone

from specimens.failsafe_models import FailsafeItem, Tier
from specimens.models import Specimen, SpecimenStatus

PAGE_SIZE = 50
MAX_PAGE = 10_000
OPEN_STATUSES = (
    SpecimenStatus.COLLECTED,
    SpecimenStatus.DISPATCHED,
    SpecimenStatus.RECEIVED,
)


@dataclass(frozen=True)
class WorklistRow:
    id: int
    specimen_id: int
    barcode: str
    kind: str
    site_id: int
    site_name: str
    status: str
    tier: int
    collected_at: datetime
    age_days: int
    recalled: bool


def _open_items(site_ids: list[int] | None) -> QuerySet[FailsafeItem]:
    items = FailsafeItem.objects.filter(closed_at__isnull=True)
    if site_ids is not None:
        items = items.filter(site_id__in=site_ids)
    return items


def failsafe_worklist(
    *,
    site_ids: list[int] | None,
    tier: int | None = None,
    page: int = 1,
    now: datetime | None = None,
) -> list[WorklistRow]:
    """One page of open items of her sites, worst tier first, then oldest.
    Two statements: the page from the item table alone (its partial indexes
    give the order), then the tubes' current status by primary key. No name is
    read here: the list shows barcodes."""
    now = now or timezone.now()
    items = _open_items(site_ids)
    if tier is not None:
        items = items.filter(tier=tier)
    start = (max(1, min(page, MAX_PAGE)) - 1) * PAGE_SIZE
    rows = list(
        items.order_by("-tier", "collected_at", "id").values_list(*ITEM_COLUMNS)[
            start : start + PAGE_SIZE
        ]
    )
    statuses = dict(
        Specimen.objects.filter(pk__in=[row[1] for row in rows]).values_list(
            "pk", "status"
        )
    )
    return [_row(row, statuses, now) for row in rows]


ITEM_COLUMNS = (
    "pk",
    "specimen_id",
    "barcode",
    "kind",
    "site_id",
    "site_name",
    "tier",
    "collected_at",
    "recalled_at",
)


def _row(row: tuple, statuses: dict[int, str], now: datetime) -> WorklistRow:
    pk, specimen_id, barcode, kind, site_id, site_name, tier, collected, recalled = row
    return WorklistRow(
        id=pk,
        specimen_id=specimen_id,
        barcode=barcode,
        kind=kind,
        site_id=site_id,
        site_name=site_name,
        status=statuses.get(specimen_id, ""),
        tier=tier,
        collected_at=collected,
        age_days=(now - collected).days,
        recalled=recalled is not None,
    )


def failsafe_counts(*, site_ids: list[int] | None) -> dict[int, int]:
    """Open items per tier (every tier present, zero when empty)."""
    counts = dict.fromkeys(Tier.values, 0)
    rows = _open_items(site_ids).values_list("tier").annotate(n=Count("id"))
    counts.update(dict(rows.order_by()))
    return counts


def failsafe_item_for_staff(
    *, item_id: int, site_ids: list[int] | None
) -> FailsafeItem | None:
    items = FailsafeItem.objects.select_related("specimen")
    if site_ids is not None:
        items = items.filter(site_id__in=site_ids)
    return items.filter(pk=item_id).first()


@dataclass(frozen=True)
class PendingTest:
    kind: str
    chased: bool


def pending_for_participant(*, participant_id: int) -> dict[int, list[PendingTest]]:
    """Her visits' tubes with no result yet, by visit id: what her result page
    must call "not back yet" (and "being chased" once overdue), never normal."""
    rows = (
        Specimen.objects.filter(
            visit__participant_id=participant_id,
            visit__undone_at__isnull=True,
            status__in=OPEN_STATUSES,
        )
        .order_by("visit_id", "kind")
        .values_list("visit_id", "kind", "failsafe_item__id")
    )
    pending: dict[int, list[PendingTest]] = {}
    for visit_id, kind, item_id in rows:
        pending.setdefault(visit_id, []).append(PendingTest(kind, item_id is not None))
    return pending
