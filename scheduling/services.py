"""Writes of the scheduling app."""

import logging
from datetime import date, datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.audit import audit_record
from notifications.services import notifications_cancel_pending
from scheduling import booking_statements as statements
from scheduling.appointment_places import (
    MAX_REFERENCE_ATTEMPTS,
    appointment_book_at_once,
    appointment_create_booked,
    has_active_appointment,
)
from scheduling.errors import (
    AlreadyBooked,
    AppointmentChanged,
    NotCancellable,
    NotReschedulable,
    SameSlot,
    SlotClosed,
    SlotNotFound,
    WrongCampaign,
)
from scheduling.listing_cache import slot_listing_changed_on_commit
from scheduling.messages import dedupe_prefix, message_cancelled, messages_for_visit
from scheduling.models import Appointment, AppointmentStatus, Site, Slot
from scheduling.slot_plans import slots_existing, slots_wanted
from scheduling.transitions import CANCEL, MOVE, appointment_transition
from screening.eligibility import eligibility_reasons
from screening.errors import NotEligible
from screening.models import Campaign, CampaignStatus, Participant
from screening.recall.eligibility import recall_reasons_of

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
# Lock order, everywhere (ADR 0009): slots (in pk order), then the appointment,
# then the campaign. The places an appointment holds move in
# scheduling.appointment_places, its status in scheduling.transitions, and
# nowhere else.


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


def appointment_book(
    *, participant: Participant, slot_id: int, read: Slot | None = None
) -> Appointment:
    """Book one place in `slot_id` for her, with its confirmation and reminders.

    Raises SlotNotFound, SlotClosed, SlotFull, AlreadyBooked or NotEligible; on
    any of them nothing is written. A request repeated with an Idempotency-Key
    is answered at the edge (scheduling.idempotency) and never reaches here.
    `read`: the slot as statements.slot_for_booking reads it for her, when the
    caller read it already (statements.token_and_slot); a retry reads again.
    """
    for attempt in range(1, MAX_REFERENCE_ATTEMPTS + 1):
        try:
            first_read = read if attempt == 1 else None
            return _book_once(participant=participant, slot_id=slot_id, read=first_read)
        except IntegrityError:
            # Her own booking made at the same moment committed first (the
            # partial unique index waited for it), or the random reference
            # collided: the whole booking rolled back, so try it again.
            if has_active_appointment(
                participant=participant, campaign_id=_campaign_of(slot_id)
            ):
                raise AlreadyBooked from None
            if attempt == MAX_REFERENCE_ATTEMPTS:
                raise
            logger.warning("scheduling.reference_collision slot=%s", slot_id)
    raise AssertionError("unreachable")


def _campaign_of(slot_id: int) -> int | None:
    return Slot.objects.filter(pk=slot_id).values_list("campaign_id", flat=True).first()


def _refuse_unless_eligible(
    *, participant: Participant, slot: Slot, now: datetime
) -> None:
    """The rules on the slot as read with her answers (statements.slot_for_booking):
    SlotClosed, AlreadyBooked, NotEligible."""
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
    # Read by the same statement as the slot (statements.slot_for_booking).
    reasons += recall_reasons_of(until=slot.her_deferred_until, ceased=slot.her_ceased)
    if reasons:
        raise NotEligible(reasons=reasons)


def _book_once(
    *, participant: Participant, slot_id: int, read: Slot | None
) -> Appointment:
    """One attempt, in as few statements as the rules allow: a surge of
    bookings runs through here (see docs/benchmarks.md). A slot read before the
    writes is as good as one read with them: nothing is locked by the read,
    and the places are taken by conditional updates. On PostgreSQL the writes
    are one statement (appointment_book_at_once); elsewhere several, in a
    transaction."""
    now = timezone.now()
    slot = (
        read
        if read is not None
        else statements.slot_for_booking(
            slot_id=slot_id,
            participant_id=participant.pk,
            today=timezone.localdate(now),
        )
    )
    if slot is None:
        raise SlotNotFound
    _refuse_unless_eligible(participant=participant, slot=slot, now=now)
    if statements.writes_at_once(slot):
        appointment = appointment_book_at_once(
            participant=participant, slot=slot, now=now
        )
    else:
        with transaction.atomic():
            appointment = appointment_create_booked(
                participant=participant, slot=slot, now=now
            )
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
    # Only a booking still in this slot becomes cancelled; the slot is locked
    # first (the lock order): a move holds its two slots, then the appointment.
    if not appointment_transition(
        appointment, CANCEL, now=now, changes={"cancelled_at": now}
    ):
        raise _Moved
    # A place given back shows at once; a place taken may show for a few more
    # seconds, and the next woman's booking is refused by the slot row (ADR 0006).
    slot_listing_changed_on_commit(
        campaign_id=appointment.campaign_id, site_id=appointment.slot.site_id
    )
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


def _slot_to_move_to(*, current: Appointment, slot_id: int, now: datetime) -> Slot:
    """The slot a move may go to: NotReschedulable, SameSlot, SlotNotFound,
    WrongCampaign or SlotClosed otherwise."""
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
    return new_slot


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
    new_slot = _slot_to_move_to(current=current, slot_id=slot_id, now=now)
    old_slot_id, old_site_id = current.slot_id, current.slot.site_id
    # A cancel or another move that got there first makes this one fail, and
    # the new place goes back with the rollback.
    if not appointment_transition(current, MOVE, now=now, to_slot=new_slot):
        raise AppointmentChanged
    slot_listing_changed_on_commit(campaign_id=current.campaign_id, site_id=old_site_id)
    # The keys of the slot she left: the appointment id and the old slot.
    notifications_cancel_pending(dedupe_key_prefix=dedupe_prefix(current))
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
