"""An appointment's status changes here and nowhere else.

The table below is every change there is; `appointment_transition` is the one
function that makes one, by compare-and-swap, and moves the counters of the
places the appointment holds (`scheduling.appointment_places`) in the same step:

| transition      | from       | to         | slot's count       | funded place |
|-----------------|------------|------------|--------------------|--------------|
| (made)          | -          | booked     | taken              | taken        |
| check_in        | booked     | checked_in | held               | held         |
| move            | booked     | booked     | new taken, old back| held         |
| cancel          | booked     | cancelled  | given back         | given back   |
| no_show         | booked     | no_show    | kept (slot is over)| given back   |
| undo_check_in   | checked_in | booked     | held               | held         |
| undo_walk_in    | checked_in | cancelled  | given back         | given back   |
| screen          | checked_in | screened   | held               | held         |
| undo_results    | screened   | checked_in | held               | held         |

A booked appointment is made only by
`appointment_places.appointment_create_booked` (a booking and a walk-in).
Every other path (a move, a cancellation, her withdrawal, a check-in and its
undo, the no-show sweep, results at the desk and their undo) comes through
here.

Locks (ADR 0009): the slots whose count moves are locked first, in primary-key
order, then the appointment (by the compare-and-swap), then the campaign row.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F

from common.locks import rows_lock
from scheduling.appointment_places import (
    campaign_place_release,
    slot_place_release,
    slot_place_take,
)
from scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus, Slot
from scheduling.waitlist.offers import waitlist_place_given_back

_S = AppointmentStatus


@dataclass(frozen=True)
class Transition:
    name: str
    source: str
    target: str
    # A move keeps the status and changes the slot: its place goes with it.
    moves_slot: bool = False
    # A slot that has ended keeps its count: nobody can be given that place now.
    slot_keeps_count: bool = False

    @property
    def gives_places_back(self) -> bool:
        """The appointment stops holding its places."""
        return self.source in ACTIVE_STATUSES and self.target not in ACTIVE_STATUSES

    @property
    def slot_count_moves(self) -> bool:
        return self.moves_slot or (self.gives_places_back and not self.slot_keeps_count)


CHECK_IN = Transition("check_in", _S.BOOKED, _S.CHECKED_IN)
MOVE = Transition("move", _S.BOOKED, _S.BOOKED, moves_slot=True)
CANCEL = Transition("cancel", _S.BOOKED, _S.CANCELLED)
NO_SHOW = Transition("no_show", _S.BOOKED, _S.NO_SHOW, slot_keeps_count=True)
UNDO_CHECK_IN = Transition("undo_check_in", _S.CHECKED_IN, _S.BOOKED)
# Nobody is coming later for a walk-in's place: undoing her check-in frees it.
UNDO_WALK_IN = Transition("undo_walk_in", _S.CHECKED_IN, _S.CANCELLED)
SCREEN = Transition("screen", _S.CHECKED_IN, _S.SCREENED)
# Her last result undone at the desk: she is checked in again, nothing more.
UNDO_RESULTS = Transition("undo_results", _S.SCREENED, _S.CHECKED_IN)

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        CHECK_IN,
        MOVE,
        CANCEL,
        NO_SHOW,
        UNDO_CHECK_IN,
        UNDO_WALK_IN,
        SCREEN,
        UNDO_RESULTS,
    )
}


def _lock_slots(
    appointment: Appointment, transition: Transition, to_slot: Slot | None
) -> None:
    """The slots whose count moves, before the appointment: two moves crossing
    between the same two slots, or a move and a cancel, would otherwise each
    hold one row the other waits for."""
    if not transition.slot_count_moves:
        return
    slot_ids = {appointment.slot_id}
    if to_slot is not None:
        slot_ids.add(to_slot.pk)
    rows_lock(Slot.objects.filter(pk__in=slot_ids), no_key=True)


def _swap(
    appointment: Appointment,
    transition: Transition,
    *,
    now: datetime,
    expect: Mapping[str, Any],
    changes: Mapping[str, Any],
    to_slot: Slot | None,
) -> bool:
    """The compare-and-swap: only a row still in the status (and, when a slot's
    count moves, the slot) the caller saw changes."""
    match = dict(expect)
    if transition.slot_count_moves:
        match["slot_id"] = appointment.slot_id
    values: dict[str, Any] = {"status": transition.target, "updated_at": now}
    values.update(changes)
    if to_slot is not None:
        values["slot_id"] = to_slot.pk
        values["reschedule_count"] = F("reschedule_count") + 1
    changed = Appointment.objects.filter(
        pk=appointment.pk, status=transition.source, **match
    ).update(**values)
    return changed == 1


def _give_places_back(
    appointment: Appointment, transition: Transition, *, now: datetime
) -> None:
    if transition.moves_slot:
        slot_place_release(slot_id=appointment.slot_id)
    if transition.gives_places_back:
        if not transition.slot_keeps_count:
            slot_place_release(slot_id=appointment.slot_id)
        campaign_place_release(campaign_id=appointment.campaign_id)
    if transition.slot_count_moves:
        # The first in line is offered it at once, held in this transaction,
        # so the place is never free for anyone else to take (the waitlist).
        waitlist_place_given_back(
            slot_id=appointment.slot_id,
            campaign_id=appointment.campaign_id,
            funded=transition.gives_places_back,
            now=now,
        )


def _apply(
    appointment: Appointment,
    transition: Transition,
    changes: Mapping[str, Any],
    to_slot: Slot | None,
) -> None:
    appointment.status = transition.target
    for name, value in changes.items():
        setattr(appointment, name, value)
    if to_slot is not None:
        appointment.slot = to_slot
        appointment.reschedule_count += 1


def appointment_transition(
    appointment: Appointment,
    transition: Transition,
    *,
    now: datetime,
    expect: Mapping[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
    to_slot: Slot | None = None,
) -> bool:
    """Make `transition` on `appointment` if it is still as the caller saw it,
    in the caller's transaction, and move the counters it moves.

    `expect` adds fields the row must still have, `changes` fields to set with
    the status; `to_slot`, for a move only, is where her place goes (SlotFull or
    SlotClosed when it cannot, before anything changes). Returns False, having
    changed nothing of the appointment, when another change got there first
    (a failed move has taken the new place: the caller raises, and the rollback
    gives it back); `appointment` is updated to match the row otherwise.
    """
    if (to_slot is not None) != transition.moves_slot:
        raise ValueError(f"{transition.name}: a move needs to_slot, nothing else")
    _lock_slots(appointment, transition, to_slot)
    if to_slot is not None:
        # Taken before the swap: when the new slot is full, the old booking
        # stands untouched.
        slot_place_take(slot=to_slot, now=now)
    swapped = _swap(
        appointment,
        transition,
        now=now,
        expect=expect or {},
        changes=changes or {},
        to_slot=to_slot,
    )
    if not swapped:
        return False
    _give_places_back(appointment, transition, now=now)
    _apply(appointment, transition, changes or {}, to_slot)
    return True
