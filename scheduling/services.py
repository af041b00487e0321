"""Writes of the scheduling app."""

import logging
from datetime import date, datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from common.audit import audit_record
from common.rawsql import insert_returning_pk
from notifications.services import notifications_cancel_pending
from scheduling import booking_statements as statements
from scheduling.errors import (
    AlreadyBooked,
    AppointmentChanged,
    NotCancellable,
    NotReschedulable,
    SameSlot,
    SlotClosed,
    SlotFull,
    SlotNotFound,
    WrongCampaign,
)
from scheduling.listing_cache import slot_listing_changed_on_commit
from scheduling.messages import dedupe_prefix, message_cancelled, messages_for_visit
from scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    Site,
    Slot,
)
from scheduling.references import new_checkin_token, new_reference
from scheduling.slot_plans import slots_existing, slots_wanted
from screening.eligibility import eligibility_reasons
from screening.errors import NotEligible
from screening.models import Campaign, CampaignStatus, Participant
from screening.selectors import participant_eligibility

logger = logging.getLogger(__name__)


@transaction.atomic
def slots_generate(
    *, campaign: Campaign, site: Site, date_from: date, date_to: date
) -> list[Slot]:
    """Create the slots the site's templates describe in a date range, within the
    campaign's screening days. Existing slots are kept as they are, so running it
    twice creates nothing more. Returns the slots it created."""
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    wanted = slots_wanted(
        campaign=campaign, site=site, date_from=date_from, date_to=date_to
    )
    existing = set(
        slots_existing(campaign=campaign, site=site, wanted=wanted).values_list(
            "starts_at", flat=True
        )
    )
    new = [slot for slot in wanted if slot.starts_at not in existing]
    # ignore_conflicts covers a concurrent run racing this one on the unique key.
    Slot.objects.bulk_create(new, ignore_conflicts=True)
    slot_listing_changed_on_commit(campaign_id=campaign.pk, site_id=site.pk)
    logger.info(
        "scheduling.slots_generated site=%s campaign=%s count=%s",
        site.pk,
        campaign.pk,
        len(new),
    )
    return new


# --- Booking -----------------------------------------------------------------
#
# Lock order, everywhere: slots (in pk order), then the appointment, then the
# campaign. Every path that holds two of these takes them in this order, so no two
# transactions can each hold one lock the other waits for. Slot locks are FOR NO
# KEY UPDATE (only `booked` changes): inserts that merely reference a slot, such
# as a walk-in's appointment, do not queue behind them.

MAX_REFERENCE_ATTEMPTS = 5


def _slot_for_booking(*, slot_id: int) -> Slot:
    slot = Slot.objects.select_related("site", "campaign").filter(pk=slot_id).first()
    if slot is None:
        raise SlotNotFound
    return slot


def _ensure_bookable(*, slot: Slot, now: datetime) -> None:
    campaign = slot.campaign
    opens, closes = campaign.registration_opens_at, campaign.registration_closes_at
    window_open = opens <= now < closes
    if (
        slot.starts_at <= now
        or not slot.site.is_active
        or campaign.status != CampaignStatus.OPEN
        or not window_open
    ):
        raise SlotClosed


def _take_place(*, slot: Slot, now: datetime) -> None:
    """Take one place in `slot` or raise SlotFull / SlotClosed."""
    # One statement, so two requests can never both take the last place; the
    # start time is in it too, so a slot that began meanwhile is not taken.
    if not statements.slot_place_take(slot_id=slot.pk, now=now):
        if slot.starts_at <= now:
            raise SlotClosed
        raise SlotFull


def _release_place(*, slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id).update(booked=F("booked") - 1)


def _has_active_appointment(*, participant: Participant, campaign_id: int) -> bool:
    return Appointment.objects.filter(
        participant=participant, campaign_id=campaign_id, status__in=ACTIVE_STATUSES
    ).exists()


def _new_appointment(*, participant: Participant, slot: Slot) -> Appointment:
    """The unsaved booked appointment of her place in `slot`, with fresh codes."""
    return Appointment(
        participant=participant,
        campaign_id=slot.campaign_id,
        slot=slot,
        status=AppointmentStatus.BOOKED,
        reference=new_reference(),
        checkin_token=new_checkin_token(),
    )


def appointment_insert(*, participant: Participant, slot: Slot) -> Appointment:
    """Insert the appointment; the partial unique constraint is what decides
    `already_booked` when the same woman books twice at once."""
    for attempt in range(1, MAX_REFERENCE_ATTEMPTS + 1):
        try:
            # A savepoint, so a failed insert leaves the transaction usable.
            with transaction.atomic():
                appointment = _new_appointment(participant=participant, slot=slot)
                appointment.save(force_insert=True)
                return appointment
        except IntegrityError:
            # The insert waited for any concurrent booking of hers to commit, so
            # this read sees it. Otherwise the random reference collided: retry.
            if _has_active_appointment(
                participant=participant, campaign_id=slot.campaign_id
            ):
                raise AlreadyBooked from None
            if attempt == MAX_REFERENCE_ATTEMPTS:
                raise
            logger.warning("scheduling.reference_collision slot=%s", slot.pk)
    raise AssertionError("unreachable")


def campaign_place_take(
    *, participant: Participant, campaign: Campaign, now: datetime
) -> None:
    """Take one funded place of `campaign` for her, or raise NotEligible.

    One conditional update, so two bookings in different slots can never both take
    the last funded place. Call it last in the transaction: the campaign row stays
    locked from here to the commit, and every booking of the campaign passes it.
    """
    if statements.campaign_place_take(campaign_id=campaign.pk):
        return
    campaign.refresh_from_db(fields=["quota", "places_taken"])
    reasons = participant_eligibility(
        participant=participant,
        campaign=campaign,
        now=now,
        quota_used=max(campaign.places_taken, campaign.quota),
        has_active_appointment=False,
    )
    raise NotEligible(reasons=reasons)


def campaign_place_release(*, campaign_id: int) -> None:
    """Give back the funded place of an appointment that stopped being active
    (cancelled, a no-show, an undone walk-in), in the same transaction."""
    Campaign.objects.filter(pk=campaign_id, places_taken__gt=0).update(
        places_taken=F("places_taken") - 1
    )


def campaign_places_recount(*, campaign_id: int) -> int:
    """Set the counter from the appointments themselves: a repair for a database
    edited by hand. The campaign row lock keeps bookings out meanwhile."""
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        used = Appointment.objects.filter(
            campaign_id=campaign_id, status__in=ACTIVE_STATUSES
        ).count()
        Campaign.objects.filter(pk=campaign_id).update(places_taken=used)
    return used


def appointment_book(*, participant: Participant, slot_id: int) -> Appointment:
    """Book one place in `slot_id` for her, with its confirmation and reminders.

    Raises SlotNotFound, SlotClosed, SlotFull, AlreadyBooked or NotEligible; on
    any of them nothing is written. A request repeated with an Idempotency-Key
    is answered at the edge (scheduling.idempotency) and never reaches here.
    """
    return _book(participant=participant, slot_id=slot_id)


def _book(*, participant: Participant, slot_id: int) -> Appointment:
    for attempt in range(1, MAX_REFERENCE_ATTEMPTS + 1):
        try:
            return _book_once(participant=participant, slot_id=slot_id)
        except IntegrityError:
            # Her own booking made at the same moment committed first (the
            # partial unique index waited for it), or the random reference
            # collided: the whole booking rolled back, so try it again.
            if _has_active_appointment(
                participant=participant, campaign_id=_campaign_of(slot_id)
            ):
                raise AlreadyBooked from None
            if attempt == MAX_REFERENCE_ATTEMPTS:
                raise
            logger.warning("scheduling.reference_collision slot=%s", slot_id)
    raise AssertionError("unreachable")


def _campaign_of(slot_id: int) -> int | None:
    return Slot.objects.filter(pk=slot_id).values_list("campaign_id", flat=True).first()


@transaction.atomic
def _book_once(*, participant: Participant, slot_id: int) -> Appointment:
    """One attempt, in as few statements as the rules allow: a surge of
    bookings runs through here (see docs/benchmarks.md)."""
    now = timezone.now()
    slot = statements.slot_for_booking(slot_id=slot_id, participant_id=participant.pk)
    if slot is None:
        raise SlotNotFound
    _ensure_bookable(slot=slot, now=now)
    # Checked first for a plain answer; the unique constraint decides in a race.
    if slot.her_active:
        raise AlreadyBooked
    reasons = eligibility_reasons(
        campaign=slot.campaign,
        sex=participant.sex,
        birth_date=participant.birth_date,
        now=now,
        quota_used=slot.campaign.places_taken,
        has_active_appointment=False,
        consent_given=slot.her_consent,
    )
    if reasons:
        raise NotEligible(reasons=reasons)

    _take_place(slot=slot, now=now)
    # No savepoint: a failed insert rolls back the whole attempt (see _book).
    appointment = _new_appointment(participant=participant, slot=slot)
    insert_returning_pk([appointment])
    messages_for_visit(
        appointment=appointment, kind="booking_confirmed", suffix="confirmed", now=now
    )
    # Last, so that the campaign row is locked only from here to the commit.
    campaign_place_take(participant=participant, campaign=slot.campaign, now=now)
    logger.info(
        "scheduling.appointment_booked id=%s slot=%s participant=%s",
        appointment.pk,
        slot.pk,
        participant.pk,
    )
    return appointment


# --- Cancelling and moving ------------------------------------------------------


class _Moved(Exception):
    """The appointment moved between reading it and locking its slot."""


def _appointment_current(*, appointment_id: int) -> Appointment:
    return Appointment.objects.select_related("slot__site", "participant").get(
        pk=appointment_id
    )


def appointment_cancel(
    *, appointment: Appointment, by: AbstractBaseUser | None = None
) -> Appointment:
    """Cancel a booked appointment and give its place back at once.

    Idempotent: an appointment already cancelled is returned as it is. After
    check-in, a screening or a no-show, or once the visit has begun, raises
    NotCancellable. `by` is the staff user who did it on her behalf, if any.
    """
    with transaction.atomic():
        for _attempt in range(3):
            current = _appointment_current(appointment_id=appointment.pk)
            if current.status == AppointmentStatus.CANCELLED:
                return current
            if current.status != AppointmentStatus.BOOKED:
                raise NotCancellable
            if current.slot.starts_at <= timezone.now():
                # Her visit time has come: it is a check-in or a no-show now.
                raise NotCancellable
            try:
                with transaction.atomic():
                    return _cancel_in_slot(appointment=current, by=by)
            except _Moved:
                continue
        raise AppointmentChanged


def _cancel_in_slot(
    *, appointment: Appointment, by: AbstractBaseUser | None
) -> Appointment:
    now = timezone.now()
    # The slot before the appointment (the lock order): a move holds its two slots
    # and then changes the appointment; taking them the other way round deadlocks.
    Slot.objects.select_for_update(no_key=True).filter(pk=appointment.slot_id).first()
    # Compare-and-swap: only a booking still in this slot becomes cancelled.
    changed = Appointment.objects.filter(
        pk=appointment.pk, status=AppointmentStatus.BOOKED, slot_id=appointment.slot_id
    ).update(status=AppointmentStatus.CANCELLED, cancelled_at=now, updated_at=now)
    if changed != 1:
        raise _Moved
    _release_place(slot_id=appointment.slot_id)
    # A place given back shows at once; a place taken may show for a few more
    # seconds, and the next woman's booking is refused by the slot row (ADR 0006).
    slot_listing_changed_on_commit(
        campaign_id=appointment.campaign_id, site_id=appointment.slot.site_id
    )
    campaign_place_release(campaign_id=appointment.campaign_id)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = now
    notifications_cancel_pending(dedupe_key_prefix=dedupe_prefix(appointment))
    message_cancelled(appointment=appointment)
    # Staff acting for her leave a trace; her own cancellation needs none.
    if by is not None:
        audit_record(
            actor=by,
            action="appointment.cancel",
            obj_type="appointment",
            obj_id=appointment.pk,
        )
    logger.info(
        "scheduling.appointment_cancelled id=%s slot=%s",
        appointment.pk,
        appointment.slot_id,
    )
    return appointment


@transaction.atomic
def appointment_reschedule(*, appointment: Appointment, slot_id: int) -> Appointment:
    """Move a booked appointment to another slot of its campaign, atomically.

    The new place is taken first: when the slot is full (SlotFull) or anything
    else fails, the old booking stands untouched. Also raises SameSlot,
    SlotNotFound, WrongCampaign, SlotClosed, NotReschedulable and, when another
    change to the same appointment won the race, AppointmentChanged.
    """
    now = timezone.now()
    current = _appointment_current(appointment_id=appointment.pk)
    if current.status != AppointmentStatus.BOOKED:
        raise NotReschedulable
    if current.slot.starts_at <= now:
        raise NotReschedulable
    if slot_id == current.slot_id:
        raise SameSlot
    new_slot = _slot_for_booking(slot_id=slot_id)
    if new_slot.campaign_id != current.campaign_id:
        raise WrongCampaign
    _ensure_bookable(slot=new_slot, now=now)

    old_slot_id = current.slot_id
    # Both slots locked in pk order: two moves crossing between the same two slots
    # would otherwise each hold one and wait for the other.
    list(
        Slot.objects.select_for_update(no_key=True)
        .filter(pk__in=[old_slot_id, new_slot.pk])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    _take_place(slot=new_slot, now=now)
    # Compare-and-swap on status and slot: a cancel or another move that got there
    # first makes this one fail, and the new place goes back with the rollback.
    moved = Appointment.objects.filter(
        pk=current.pk, status=AppointmentStatus.BOOKED, slot_id=old_slot_id
    ).update(
        slot_id=new_slot.pk,
        reschedule_count=F("reschedule_count") + 1,
        updated_at=now,
    )
    if moved != 1:
        raise AppointmentChanged
    _release_place(slot_id=old_slot_id)
    slot_listing_changed_on_commit(
        campaign_id=current.campaign_id, site_id=current.slot.site_id
    )
    notifications_cancel_pending(dedupe_key_prefix=dedupe_prefix(current))

    current.slot = new_slot
    current.reschedule_count += 1
    messages_for_visit(
        appointment=current, kind="rescheduled", suffix="rescheduled", now=now
    )
    logger.info(
        "scheduling.appointment_rescheduled id=%s from_slot=%s to_slot=%s",
        current.pk,
        old_slot_id,
        new_slot.pk,
    )
    return current
