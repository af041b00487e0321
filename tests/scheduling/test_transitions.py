"""One way in for each change of an appointment: the transition table, the one
compare-and-swap that makes a change and moves the counters, and the lock order
it keeps (ADR 0009)."""

import ast
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scheduling import receivers, transitions
from scheduling.desk.checkin import appointment_check_in, appointment_check_in_undo
from scheduling.models import Appointment, AppointmentStatus
from scheduling.transitions import (
    CANCEL,
    CHECK_IN,
    MOVE,
    NO_SHOW,
    TRANSITIONS,
    appointment_transition,
)
from screening.privacy import participant_withdraw_consent
from tests.scheduling.desk_support import booked_today, clinic_user
from tests.scheduling.factories import (
    AppointmentFactory,
    ConsentedParticipantFactory,
    SiteFactory,
    SlotFactory,
    tomorrow_at,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
_S = AppointmentStatus


def counters(appointment: Appointment) -> tuple[int, int]:
    appointment.slot.refresh_from_db(fields=["booked"])
    appointment.campaign.refresh_from_db(fields=["places_taken"])
    return appointment.slot.booked, appointment.campaign.places_taken


def booked(**kwargs) -> Appointment:  # type: ignore[no-untyped-def]
    slot = SlotFactory(starts_at=tomorrow_at(9), booked=1, **kwargs)
    return AppointmentFactory(slot=slot)


def test_the_table_holds_every_change_and_which_ones_give_places_back() -> None:
    table = {
        name: (t.source, t.target, t.gives_places_back, t.slot_count_moves)
        for name, t in TRANSITIONS.items()
    }

    assert table == {
        "check_in": (_S.BOOKED, _S.CHECKED_IN, False, False),
        "move": (_S.BOOKED, _S.BOOKED, False, True),
        "cancel": (_S.BOOKED, _S.CANCELLED, True, True),
        "no_show": (_S.BOOKED, _S.NO_SHOW, True, False),
        "undo_check_in": (_S.CHECKED_IN, _S.BOOKED, False, False),
        "undo_walk_in": (_S.CHECKED_IN, _S.CANCELLED, True, True),
        "screen": (_S.CHECKED_IN, _S.SCREENED, False, False),
        "undo_results": (_S.SCREENED, _S.CHECKED_IN, False, False),
    }


def test_a_cancel_gives_back_the_slots_place_and_the_funded_place() -> None:
    appointment = booked()

    with transaction.atomic():
        assert appointment_transition(appointment, CANCEL, now=timezone.now())

    assert counters(appointment) == (0, 0)
    appointment.refresh_from_db()
    assert appointment.status == _S.CANCELLED


def test_a_no_show_gives_back_the_funded_place_and_keeps_the_slots_count() -> None:
    appointment = booked()

    with transaction.atomic():
        assert appointment_transition(appointment, NO_SHOW, now=timezone.now())

    assert counters(appointment) == (1, 0)


def test_a_move_takes_the_new_slots_place_and_gives_back_the_old_one() -> None:
    appointment = booked()
    other = SlotFactory(campaign=appointment.campaign, starts_at=tomorrow_at(11))
    old_slot = appointment.slot

    with transaction.atomic():
        assert appointment_transition(
            appointment, MOVE, now=timezone.now(), to_slot=other
        )

    old_slot.refresh_from_db()
    other.refresh_from_db()
    assert (old_slot.booked, other.booked) == (0, 1)
    appointment.refresh_from_db()
    assert (appointment.slot_id, appointment.reschedule_count) == (other.pk, 1)


def test_a_change_that_lost_the_race_changes_nothing_and_moves_no_counter() -> None:
    appointment = booked()
    Appointment.objects.filter(pk=appointment.pk).update(status=_S.CHECKED_IN)

    with transaction.atomic():
        assert not appointment_transition(appointment, CANCEL, now=timezone.now())

    assert counters(appointment) == (1, 1)
    assert appointment.status == _S.BOOKED


def test_only_a_move_names_a_slot_to_move_to() -> None:
    appointment = booked()

    with pytest.raises(ValueError, match="to_slot"):
        appointment_transition(appointment, MOVE, now=timezone.now())
    with pytest.raises(ValueError, match="to_slot"):
        appointment_transition(
            appointment, CHECK_IN, now=timezone.now(), to_slot=appointment.slot
        )


def _updates_appointments(call: ast.Call) -> bool:
    """`Appointment.objects….update(…)`, however the queryset is built."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "update"):
        return False
    node = call.func.value
    while isinstance(node, ast.Call | ast.Attribute):
        node = node.func if isinstance(node, ast.Call) else node.value
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "objects"
            and isinstance(node.value, ast.Name)
            and node.value.id == "Appointment"
        ):
            return True
    return False


def test_no_module_but_the_transitions_updates_an_appointment_row() -> None:
    allowed = {Path(transitions.__file__).resolve()}
    writers = []
    for package in ("scheduling", "screening", "notifications", "accounts", "common"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts or path.resolve() in allowed:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and _updates_appointments(node):
                    writers.append(f"{path.relative_to(ROOT)}:{node.lineno}")

    assert writers == []


def test_a_check_in_locks_her_visit_before_the_appointment() -> None:
    site = SiteFactory()
    nurse = clinic_user(site)
    appointment = booked_today(site=site)
    appointment_check_in(by=nurse, reference=appointment.reference)
    appointment_check_in_undo(by=nurse, appointment_id=appointment.pk)

    with CaptureQueriesContext(connection) as queries:
        appointment_check_in(by=nurse, reference=appointment.reference)

    statements = [query["sql"] for query in queries.captured_queries]
    visit_lock = next(
        i
        for i, sql in enumerate(statements)
        if '"screening_visit"' in sql and "FOR UPDATE" in sql
    )
    appointment_swap = next(
        i
        for i, sql in enumerate(statements)
        if sql.startswith('UPDATE "scheduling_appointment"')
    )
    assert visit_lock < appointment_swap


def test_a_withdrawal_cancels_her_bookings_in_the_order_of_their_slots(
    monkeypatch,
) -> None:  # type: ignore[no-untyped-def]
    woman = ConsentedParticipantFactory()
    earlier_slot = SlotFactory(starts_at=tomorrow_at(9), booked=1)
    later_slot = SlotFactory(starts_at=tomorrow_at(10), booked=1)
    # Her newest booking is in the later slot: her own list shows it first.
    AppointmentFactory(participant=woman, slot=earlier_slot)
    AppointmentFactory(participant=woman, slot=later_slot)
    cancelled: list[int] = []
    cancel = receivers.appointment_cancel

    def recording_cancel(*, appointment: Appointment) -> Appointment:
        cancelled.append(appointment.slot_id)
        return cancel(appointment=appointment)

    monkeypatch.setattr(receivers, "appointment_cancel", recording_cancel)

    participant_withdraw_consent(participant=woman)

    assert cancelled == [earlier_slot.pk, later_slot.pk]
    assert not Appointment.objects.filter(participant=woman, status=_S.BOOKED).exists()
