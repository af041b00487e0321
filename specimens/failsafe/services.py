"""The failsafe's writes: the sweep that puts overdue tubes on the list and moves
them up a tier, the recall a lost tube opens, and closing an item with a reason.

Every move is a conditional update on the item's row (its tier below the new
one, or still open), so the sweep running twice, or beside a nurse closing the
item, never does anything twice."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from common.audit import audit_record
from notifications.services import notification_schedule
from screening.models import Result, Visit
from specimens.failsafe.errors import (
    AlreadyClosed,
    CloseReasonInvalid,
    ItemNotFound,
    NotRecollected,
    NotResulted,
)
from specimens.failsafe.policy import DEFAULT_LIMITS, Limits, limits_by_campaign
from specimens.failsafe_models import CloseReason, FailsafeItem, Recall, Tier
from specimens.models import Specimen, SpecimenStatus

logger = logging.getLogger(__name__)

# A tube in one of these has no result yet and is not someone else's task.
OPEN_STATUSES = (
    SpecimenStatus.COLLECTED,
    SpecimenStatus.DISPATCHED,
    SpecimenStatus.RECEIVED,
)
# The neutral "please come back" text a rejected tube sends: a lost tube asks
# her back with the same words, never saying what went wrong.
RECALL_MESSAGE_KIND = "recollection"
MESSAGE_LANGUAGE = "zh-hans"
INSERT_BATCH = 1000


@dataclass
class SweepResult:
    added: int = 0
    escalated: int = 0
    lost: int = 0
    closed: dict[str, int] = field(default_factory=dict)


def _campaign_ids_with_open_tubes(cutoff: datetime) -> list[int]:
    return list(
        Specimen.objects.filter(status__in=OPEN_STATUSES, collected_at__lte=cutoff)
        .values_list("visit__campaign_id", flat=True)
        .distinct()
    )


def _add_items(campaign_id: int, limits: Limits, now: datetime) -> int:
    """Put every tube of the campaign past its first limit on the list."""
    due = (
        Specimen.objects.filter(
            visit__campaign_id=campaign_id,
            status__in=OPEN_STATUSES,
            collected_at__lte=limits.cutoff(Tier.REMIND, now),
            failsafe_item__isnull=True,
        )
        .exclude(_result_recorded())
        .values_list(
            "pk",
            "visit__site_id",
            "visit__site_name",
            "kind",
            "collected_at",
            "barcode",
        )
        .order_by("pk")
    )
    items = [
        _new_item(campaign_id, row, limits.tier_at(now - row[4]) or Tier.REMIND, now)
        for row in due.iterator()
    ]
    # A second sweep at once meets the one-item-per-tube constraint and adds nothing.
    created = FailsafeItem.objects.bulk_create(
        items, batch_size=INSERT_BATCH, ignore_conflicts=True
    )
    return len(created)


def _new_item(campaign_id: int, row: tuple, tier: int, now: datetime) -> FailsafeItem:
    pk, site_id, site_name, kind, collected_at, barcode = row
    # A lost tube goes in as escalated: _declare_lost moves it on and opens its
    # recall, so that every recall is opened by the one conditional update.
    tier = min(tier, Tier.ESCALATE)
    return FailsafeItem(
        specimen_id=pk,
        campaign_id=campaign_id,
        site_id=site_id,
        site_name=site_name,
        kind=kind,
        barcode=barcode,
        collected_at=collected_at,
        tier=tier,
        opened_at=now,
        escalated_at=now if tier == Tier.ESCALATE else None,
    )


def _escalate(campaign_id: int, limits: Limits, now: datetime) -> int:
    # One statement, conditional on the tier still being lower: a sweep running
    # twice escalates each item once.
    return FailsafeItem.objects.filter(
        campaign_id=campaign_id,
        closed_at__isnull=True,
        tier__lt=Tier.ESCALATE,
        collected_at__lte=limits.cutoff(Tier.ESCALATE, now),
    ).update(tier=Tier.ESCALATE, escalated_at=now)


def _declare_lost(campaign_id: int, limits: Limits, now: datetime) -> int:
    ids = FailsafeItem.objects.filter(
        campaign_id=campaign_id,
        closed_at__isnull=True,
        tier__lt=Tier.LOST,
        collected_at__lte=limits.cutoff(Tier.LOST, now),
    ).values_list("pk", flat=True)
    lost = 0
    for item_id in list(ids):
        with transaction.atomic():
            # Conditional on the tier: of two sweeps at once, one declares it
            # lost and opens the recall; the other finds nothing to do.
            moved = FailsafeItem.objects.filter(
                pk=item_id, closed_at__isnull=True, tier__lt=Tier.LOST
            ).update(tier=Tier.LOST, lost_at=now)
            if moved:
                recall_open(item=FailsafeItem.objects.get(pk=item_id), by=None)
                lost += 1
    return lost


def _result_recorded() -> Exists:
    """A current result of the tube's test on its visit: a result typed or
    imported by reference, without the barcode, is back all the same."""
    return Exists(
        Result.objects.filter(
            visit_id=OuterRef("visit_id"), test=OuterRef("kind"), is_current=True
        )
    )


def _close_settled(now: datetime) -> dict[str, int]:
    """Items whose tube has since been resulted or rejected close by themselves,
    with the reason: a rejection has opened its recollection task."""
    closed = {}
    for status, reason in (
        (SpecimenStatus.RESULTED, CloseReason.RESULTED),
        (SpecimenStatus.REJECTED, CloseReason.RECOLLECTED),
    ):
        closed[reason.value] = FailsafeItem.objects.filter(
            closed_at__isnull=True, specimen__status=status
        ).update(closed_at=now, close_reason=reason)
    typed = Specimen.objects.filter(failsafe_item__closed_at__isnull=True).filter(
        _result_recorded()
    )
    closed[CloseReason.RESULTED.value] += FailsafeItem.objects.filter(
        closed_at__isnull=True, specimen__in=typed
    ).update(closed_at=now, close_reason=CloseReason.RESULTED)
    return closed


def failsafe_sweep(*, now: datetime | None = None) -> SweepResult:
    """Bring the list up to date at `now`: settled items closed, overdue tubes
    added, items moved up to the tier their age has reached, lost ones
    recalled. Safe to run twice, or two at once."""
    now = now or timezone.now()
    result = SweepResult(closed=_close_settled(now))
    limits = limits_by_campaign()
    earliest = min(
        [DEFAULT_LIMITS.remind_days, *(lim.remind_days for lim in limits.values())]
    )
    cutoff = now - timedelta(days=earliest)
    campaigns = set(_campaign_ids_with_open_tubes(cutoff))
    campaigns |= set(
        FailsafeItem.objects.filter(closed_at__isnull=True)
        .values_list("campaign_id", flat=True)
        .distinct()
    )
    for campaign_id in sorted(campaigns):
        campaign_limits = limits.get(campaign_id, DEFAULT_LIMITS)
        result.added += _add_items(campaign_id, campaign_limits, now)
        result.escalated += _escalate(campaign_id, campaign_limits, now)
        result.lost += _declare_lost(campaign_id, campaign_limits, now)
    logger.info(
        "specimens.failsafe.swept added=%s escalated=%s lost=%s",
        result.added,
        result.escalated,
        result.lost,
    )
    return result


def recall_open(*, item: FailsafeItem, by: Any) -> Recall:
    """Open her recall for a lost tube (once: one recall per item) and ask her
    back through the outbox in neutral words. The caller holds a transaction."""
    visit = _visit_of(item)
    recall, created = Recall.objects.get_or_create(
        item=item,
        defaults={
            "visit_id": visit.pk,
            "participant_id": visit.participant_id,
            "site_id": item.site_id,
        },
    )
    if not created:
        return recall
    FailsafeItem.objects.filter(pk=item.pk).update(recalled_at=recall.opened_at)
    participant = visit.participant
    # Sent even to a woman who turned reminders off: without a new sample her
    # screening has no result, and silence would read as good news.
    if participant.anonymised_at is None and participant.phone:
        notification_schedule(
            phone=participant.phone,
            kind=RECALL_MESSAGE_KIND,
            # One key per lost tube, so a second sweep never sends a second copy.
            dedupe_key=f"specimen-lost:{item.specimen_id}",
            context={"site": visit.site_name, "tel": visit.campaign.contact_phone},
            recipient_ref=f"participant:{participant.pk}",
            language=MESSAGE_LANGUAGE,
        )
        Recall.objects.filter(pk=recall.pk).update(message_sent=True)
    audit_record(
        actor=by,
        action="specimen.recall_opened",
        obj_type="specimen",
        obj_id=item.specimen_id,
        details={"recall": recall.pk},
    )
    logger.info("specimens.failsafe.recall_opened item=%s", item.pk)
    return recall


def _visit_of(item: FailsafeItem) -> Visit:
    visit_id = Specimen.objects.filter(pk=item.specimen_id).values_list(
        "visit_id", flat=True
    )[0]
    return Visit.objects.select_related("participant", "campaign").get(pk=visit_id)


def _check_reason(item: FailsafeItem, reason: str) -> None:
    specimen = Specimen.objects.select_related("visit").get(pk=item.specimen_id)
    if reason == CloseReason.RESULTED and not (
        specimen.status == SpecimenStatus.RESULTED
        or Specimen.objects.filter(pk=specimen.pk).filter(_result_recorded()).exists()
    ):
        raise NotResulted
    if reason == CloseReason.RECOLLECTED:
        newer = Specimen.objects.filter(
            Q(visit__participant_id=specimen.visit.participant_id),
            kind=specimen.kind,
            collected_at__gt=specimen.collected_at,
        ).exclude(pk=specimen.pk)
        if specimen.status != SpecimenStatus.REJECTED and not newer.exists():
            raise NotRecollected


def failsafe_item_close(
    *, item_id: int, reason: str, by: Any, site_ids: list[int] | None
) -> FailsafeItem:
    """Close one item with its reason: `resulted` once the result is recorded,
    `recollected` once she has been sampled again, `recalled` when she is asked
    back (which opens her recall, if the sweep has not already)."""
    if reason not in CloseReason.values:
        raise CloseReasonInvalid
    item = _item_in_scope(item_id, site_ids)
    _check_reason(item, reason)
    now = timezone.now()
    with transaction.atomic():
        # Conditional on it being open: of two nurses closing it at once, one
        # closes it and the other is told it was closed already.
        closed = FailsafeItem.objects.filter(pk=item.pk, closed_at__isnull=True).update(
            closed_at=now, close_reason=reason, closed_by=_user(by)
        )
        if not closed:
            raise AlreadyClosed
        if reason == CloseReason.RECALLED:
            recall_open(item=item, by=by)
        audit_record(
            actor=by,
            action="specimen.failsafe_closed",
            obj_type="specimen",
            obj_id=item.specimen_id,
            details={"item": item.pk, "reason": reason},
        )
    item.refresh_from_db()
    return item


def _item_in_scope(item_id: int, site_ids: list[int] | None) -> FailsafeItem:
    items = FailsafeItem.objects.filter(pk=item_id)
    if site_ids is not None:
        # Another site's item is as unknown as a missing one.
        items = items.filter(site_id__in=site_ids)
    item = items.first()
    if item is None:
        raise ItemNotFound
    return item


def _user(by: Any) -> Any:
    return by if by is not None and getattr(by, "is_authenticated", False) else None
