"""The places an appointment holds, and the ways a booked appointment is made.

An active appointment (booked, checked in, screened) holds two places: one in
its slot (`Slot.booked`) and one of its campaign's funded places
(`Campaign.places_taken`). Both counters move here only: taken by
`appointment_create_booked` (a walk-in, an offer taken, a booking on SQLite),
by `appointment_book_at_once` (a booking on PostgreSQL: every write in one
statement, ADR 0024) and by a move to another slot, given back by
`scheduling.transitions` when an appointment stops holding them. Each take is
one conditional update, so two requests can never both take the last place
(ADR 0002); the campaign's is taken last, so its row is locked only from there
to the commit (ADR 0007, ADR 0009).
"""

import logging
from contextlib import nullcontext
from datetime import datetime
from typing import NoReturn

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from common.locks import rows_lock
from common.rawsql import insert_returning_pk, saved_as
from notifications.services import notifications_written
from scheduling import booking_statements as statements
from scheduling.errors import AlreadyBooked, SlotClosed, SlotFull, WalkInsFull
from scheduling.messages import messages_for_visit, visit_notifications
from scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus, Slot
from scheduling.references import new_checkin_token, new_reference
from screening.errors import NotEligible
from screening.models import Campaign, Participant
from screening.selectors import participant_eligibility

logger = logging.getLogger(__name__)

MAX_REFERENCE_ATTEMPTS = 5


# --- The slot's count -----------------------------------------------------------------


def slot_place_take(*, slot: Slot, now: datetime, walk_in: bool = False) -> None:
    """Take one place in `slot`, or raise SlotFull / SlotClosed (WalkInsFull for
    the day's walk-in slot)."""
    if walk_in:
        # The walk-in slot began at midnight by design: only its size counts.
        taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
            booked=F("booked") + 1
        )
        if taken != 1:
            raise WalkInsFull
        return
    # One statement, so two requests can never both take the last place; the
    # start time is in it too, so a slot that began meanwhile is not taken.
    if not statements.slot_place_take(slot_id=slot.pk, now=now):
        _refuse_place(slot=slot, now=now)


def _refuse_place(*, slot: Slot, now: datetime) -> NoReturn:
    """Why the conditional update took no place: the slot began, or is full."""
    if slot.starts_at <= now:
        raise SlotClosed
    raise SlotFull


def slot_place_release(*, slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id).update(booked=F("booked") - 1)


# --- The campaign's funded places -----------------------------------------------------


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
    _refuse_funded_place(participant=participant, campaign=campaign, now=now)


def _refuse_funded_place(
    *, participant: Participant, campaign: Campaign, now: datetime
) -> NoReturn:
    """NotEligible with her reasons, read afresh: no funded place was left."""
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
    """Give back the funded place of an appointment that stopped being active,
    in the same transaction."""
    Campaign.objects.filter(pk=campaign_id, places_taken__gt=0).update(
        places_taken=F("places_taken") - 1
    )


def campaign_places_recount(*, campaign_id: int) -> int:
    """Set the counter from the appointments themselves: a repair for a database
    edited by hand. The campaign row lock keeps bookings out meanwhile."""
    with transaction.atomic():
        rows_lock(Campaign.objects.filter(pk=campaign_id))
        used = Appointment.objects.filter(
            campaign_id=campaign_id, status__in=ACTIVE_STATUSES
        ).count()
        Campaign.objects.filter(pk=campaign_id).update(places_taken=used)
    return used


# --- A booked appointment comes into being --------------------------------------------


def has_active_appointment(
    *, participant: Participant, campaign_id: int | None
) -> bool:
    return Appointment.objects.filter(
        participant=participant, campaign_id=campaign_id, status__in=ACTIVE_STATUSES
    ).exists()


def _new_appointment(
    *, participant: Participant, slot: Slot, walk_in: bool
) -> Appointment:
    """The unsaved booked appointment of her place in `slot`, with fresh codes."""
    return Appointment(
        participant=participant,
        campaign_id=slot.campaign_id,
        slot=slot,
        status=AppointmentStatus.BOOKED,
        reference=new_reference(),
        checkin_token=new_checkin_token(),
        is_walk_in=walk_in,
    )


def _insert_under_savepoint(*, participant: Participant, slot: Slot) -> Appointment:
    """Insert a walk-in's appointment; the partial unique constraint is what
    decides `already_booked` when the same woman is booked twice at once."""
    for attempt in range(1, MAX_REFERENCE_ATTEMPTS + 1):
        try:
            # A savepoint, so a failed insert leaves her registration standing.
            with transaction.atomic():
                appointment = _new_appointment(
                    participant=participant, slot=slot, walk_in=True
                )
                insert_returning_pk([appointment])
                return appointment
        except IntegrityError:
            # The insert waited for any concurrent booking of hers to commit, so
            # this read sees it. Otherwise the random reference collided: retry.
            if has_active_appointment(
                participant=participant, campaign_id=slot.campaign_id
            ):
                raise AlreadyBooked from None
            if attempt == MAX_REFERENCE_ATTEMPTS:
                raise
            logger.warning("scheduling.reference_collision slot=%s", slot.pk)
    raise AssertionError("unreachable")


def appointment_create_booked(
    *, participant: Participant, slot: Slot, now: datetime, walk_in: bool = False
) -> Appointment:
    """Her booked appointment in `slot`, holding both its places: the slot's, the
    row, a booking's confirmation and reminders, and last the funded place.

    `slot.campaign` must be loaded. Raises SlotFull, SlotClosed or WalkInsFull,
    NotEligible when the funded places ran out, and AlreadyBooked. A booking's
    insert has no savepoint: a failed one (her own booking made at the same
    moment, a colliding reference) rolls back the caller's whole attempt, which
    is retried (ADR 0007). A walk-in's transaction also holds her registration,
    so only its insert is retried.
    """
    if walk_in:
        slot_place_take(slot=slot, now=now, walk_in=True)
        appointment = _insert_under_savepoint(participant=participant, slot=slot)
    else:
        appointment = _new_appointment(
            participant=participant, slot=slot, walk_in=False
        )
        # The place and the row in one statement, the slot's row locked first.
        if not statements.slot_place_take_and_insert(appointment=appointment, now=now):
            _refuse_place(slot=slot, now=now)
        messages_for_visit(
            appointment=appointment,
            kind="booking_confirmed",
            suffix="confirmed",
            now=now,
        )
    # Last, so that the campaign row is locked only from here to the commit.
    campaign_place_take(participant=participant, campaign=slot.campaign, now=now)
    return appointment


def appointment_book_at_once(
    *, participant: Participant, slot: Slot, now: datetime
) -> Appointment:
    """A booking's `appointment_create_booked` on PostgreSQL, as one statement
    (statements.booking_write, ADR 0024): the slot's place, the row, its
    confirmation and reminders, and last the funded place. `slot` is as
    statements.slot_for_booking read it, with the appointment's key drawn.

    Outside a transaction the statement is one of its own: no BEGIN or COMMIT
    round trip. Inside the caller's, it runs under a savepoint, so a refusal
    leaves the caller's transaction usable. Raises as appointment_create_booked
    does; an IntegrityError of her own booking made at the same moment or of a
    colliding reference is the caller's to retry, with a fresh read."""
    appointment = _new_appointment(participant=participant, slot=slot, walk_in=False)
    appointment.pk = slot.next_appointment_key  # type: ignore[attr-defined]
    notes = visit_notifications(
        appointment=appointment, kind="booking_confirmed", suffix="confirmed", now=now
    )
    own = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with own:
            keys = statements.booking_write(
                appointment=appointment, notes=notes, now=now
            )
    except IntegrityError as error:
        if not statements.refused_for_funded_places(error):
            raise
        _refuse_funded_place(participant=participant, campaign=slot.campaign, now=now)
    if keys is None:
        _refuse_place(slot=slot, now=now)
    saved_as([appointment], [appointment.pk])
    saved_as(notes, keys)
    notifications_written(notes, now=now)
    return appointment
