"""A place given back goes to the first woman in line, and is held for her.

The held place stays counted in `Slot.booked` and `Campaign.places_taken`, taken
by the same conditional updates as a booking (scheduling.booking_statements), so
no one else can book it and nothing is ever overbooked. Three ways in:

- `waitlist_place_given_back`, called by `scheduling.transitions` in the very
  transaction that gave the place back (a cancellation, a move away, an undone
  walk-in), with the slot and campaign rows already locked by it;
- `offer_pass_on`, when an offer lapses or she leaves: the place goes to the
  next in line without ever becoming free, or back to the pool;
- `waitlist_fill_campaign`, the beat's safety net for funded places given back
  where nobody waited for that slot (its own transactions, lock order kept).

Lock order (ADR 0009, extended): offer, entry, slots, campaign. The path from a
transition holds slots and the campaign first, so there it only ever takes
entries with SKIP LOCKED and never waits for one: no lock cycle can form.
"""

import logging
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from common.enqueue import task_named
from notifications.services import notification_schedule
from scheduling import booking_statements as statements
from scheduling.appointment_places import campaign_place_release, slot_place_release
from scheduling.models import ACTIVE_STATUSES, Appointment, Slot
from scheduling.waitlist.models import (
    EntryStatus,
    OfferStatus,
    WaitlistEntry,
    WaitlistOffer,
)
from scheduling.waitlist.timing import BEFORE_VISIT, DEFAULT_HOLD, offer_expiry

logger = logging.getLogger(__name__)

FILL_TASK = "waitlist.fill_campaign"


def hold_length() -> timedelta:
    minutes = getattr(settings, "WAITLIST_HOLD_MINUTES", None)
    return timedelta(minutes=minutes) if minutes else DEFAULT_HOLD


def _expiry(slot: Slot, now: datetime) -> datetime | None:
    return offer_expiry(
        now=now,
        starts_at=slot.starts_at,
        zone=ZoneInfo(slot.site.timezone),
        quiet_start=settings.QUIET_HOURS_START,
        quiet_end=settings.QUIET_HOURS_END,
        hold=hold_length(),
    )


def _not_booked() -> Exists:
    """She has no active appointment in the entry's campaign (a woman who booked
    another day meanwhile is passed over, not offered a second place)."""
    return Exists(
        Appointment.objects.filter(
            participant_id=OuterRef("participant_id"),
            campaign_id=OuterRef("campaign_id"),
            status__in=ACTIVE_STATUSES,
        )
    )


def _line(slot: Slot) -> QuerySet[WaitlistEntry]:
    """The waiting entries this slot suits, first in line first."""
    day = slot.starts_at.astimezone(ZoneInfo(slot.site.timezone)).date()
    return (
        WaitlistEntry.objects.filter(
            campaign_id=slot.campaign_id,
            site_id=slot.site_id,
            status=EntryStatus.WAITING,
        )
        .filter(Q(day__isnull=True) | Q(day=day))
        .exclude(_not_booked())
        .order_by("created_at", "id")
    )


def _first_in_line(slot: Slot, *, exclude: int | None = None) -> WaitlistEntry | None:
    # SKIP LOCKED: two places given back at once go to two different women,
    # and a caller already holding slot and campaign rows never waits here.
    line = _line(slot)
    if exclude is not None:
        line = line.exclude(pk=exclude)
    return line.select_for_update(skip_locked=True, of=("self",)).first()


def _offer_message(offer: WaitlistOffer, slot: Slot, participant_id: int) -> None:
    zone = ZoneInfo(slot.site.timezone)
    local, until = slot.starts_at.astimezone(zone), offer.expires_at.astimezone(zone)
    participant = offer.entry.participant
    notification_schedule(
        phone=participant.phone,
        kind="waitlist_offer",
        dedupe_key=f"waitlist-offer:{offer.pk}",
        context={
            "date": f"{local.month}月{local.day}日",
            "time": f"{local:%H:%M}",
            "site": slot.site.name,
            "until": f"{until.month}月{until.day}日{until:%H:%M}",
        },
        # Useless once the hold is over; quiet hours move it, never past that.
        not_after=offer.expires_at + BEFORE_VISIT,
        recipient_ref=f"participant:{participant_id}",
        zone=zone,
    )


def _offer(
    entry: WaitlistEntry, slot: Slot, *, expires_at: datetime, now: datetime
) -> WaitlistOffer:
    """Make the offer of a place the caller already holds for `entry`."""
    WaitlistEntry.objects.filter(pk=entry.pk, status=EntryStatus.WAITING).update(
        status=EntryStatus.OFFERED, updated_at=now
    )
    offer = WaitlistOffer.objects.create(
        entry=entry, slot=slot, offered_at=now, expires_at=expires_at
    )
    _offer_message(offer, slot, entry.participant_id)
    logger.info(
        "waitlist.offered offer=%s entry=%s slot=%s", offer.pk, entry.pk, slot.pk
    )
    return offer


def _slot(slot_id: int) -> Slot:
    return Slot.objects.select_related("site").get(pk=slot_id)


def _fill_later(campaign_id: int) -> None:
    """After the commit, look for a waiting woman a free place suits; nothing to
    enqueue when nobody waits in this campaign (most cancellations)."""
    waiting = WaitlistEntry.objects.filter(
        campaign_id=campaign_id, status=EntryStatus.WAITING
    )
    if waiting.exists():
        transaction.on_commit(partial(task_named(FILL_TASK).delay, campaign_id))


def waitlist_place_given_back(
    *, slot_id: int, campaign_id: int, funded: bool, now: datetime
) -> WaitlistOffer | None:
    """Offer the place just given back in `slot_id` to the first in line, in the
    caller's transaction (which holds the slot and campaign rows).

    `funded` says the campaign's funded place came back too; when nobody waits
    for this slot, that place may still suit someone waiting elsewhere, which the
    fill task looks for after the commit.
    """
    slot = _slot(slot_id)
    expires_at = _expiry(slot, now)
    entry = _first_in_line(slot) if expires_at is not None else None
    if entry is None or expires_at is None:
        if funded:
            _fill_later(campaign_id)
        return None
    # Taken back by the booking's own conditional updates: held, not free.
    with transaction.atomic():
        if not statements.slot_place_take(slot_id=slot.pk, now=now):
            return None
        if not statements.campaign_place_take(campaign_id=campaign_id):
            transaction.set_rollback(True)
            return None
    return _offer(entry, slot, expires_at=expires_at, now=now)


def offer_pass_on(*, offer: WaitlistOffer, now: datetime) -> WaitlistOffer | None:
    """The held place of `offer` (locked, just closed by the caller) goes to the
    next in line without ever being free, or back to the pool when nobody waits
    or it is too late to offer it."""
    slot = _slot(offer.slot_id)
    expires_at = _expiry(slot, now)
    entry = (
        _first_in_line(slot, exclude=offer.entry_id) if expires_at is not None else None
    )
    if entry is not None and expires_at is not None:
        return _offer(entry, slot, expires_at=expires_at, now=now)
    # Slot first, then the campaign: the lock order.
    slot_place_release(slot_id=slot.pk)
    campaign_place_release(campaign_id=slot.campaign_id)
    _fill_later(slot.campaign_id)
    return None


def _open_slot_for(entry: WaitlistEntry, *, now: datetime) -> Slot | None:
    slots = Slot.objects.filter(
        campaign_id=entry.campaign_id,
        site_id=entry.site_id,
        starts_at__gt=now + BEFORE_VISIT,
    ).select_related("site")
    for slot in slots.order_by("starts_at", "id")[:50]:
        if slot.booked >= slot.capacity:
            continue
        local_day = slot.starts_at.astimezone(ZoneInfo(slot.site.timezone)).date()
        if entry.day is None or entry.day == local_day:
            return slot
    return None


@transaction.atomic
def _fill_one(*, campaign_id: int, now: datetime, skip: set[int]) -> int | None:
    """One offer of a free place to the first waiting entry it suits; returns the
    entry looked at (None when nobody is left to look at)."""
    # Entry first, then slot, then campaign: the lock order. SKIP LOCKED leaves
    # an entry being offered by a cancellation to that cancellation.
    entry = (
        WaitlistEntry.objects.filter(campaign_id=campaign_id, status="waiting")
        .exclude(pk__in=skip)
        .exclude(_not_booked())
        .order_by("created_at", "id")
        .select_for_update(skip_locked=True, of=("self",))
        .first()
    )
    if entry is None:
        return None
    slot = _open_slot_for(entry, now=now)
    expires_at = _expiry(slot, now) if slot is not None else None
    if slot is None or expires_at is None:
        return entry.pk
    with transaction.atomic():
        if not statements.slot_place_take(slot_id=slot.pk, now=now):
            return entry.pk
        if not statements.campaign_place_take(campaign_id=campaign_id):
            transaction.set_rollback(True)
            return None
    _offer(entry, slot, expires_at=expires_at, now=now)
    return entry.pk


def waitlist_fill_campaign(*, campaign_id: int, now: datetime, limit: int = 200) -> int:
    """Offer free places of the campaign to waiting women whose day has one.
    Safe to run twice: every place is taken by a conditional update."""
    looked: set[int] = set()
    for _ in range(limit):
        seen = _fill_one(campaign_id=campaign_id, now=now, skip=looked)
        if seen is None:
            break
        looked.add(seen)
    return WaitlistOffer.objects.filter(
        entry_id__in=looked, status=OfferStatus.HELD
    ).count()
