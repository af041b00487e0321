"""A request repeated with an Idempotency-Key gets its first answer, at the edge;
the booking service under it takes and returns domain objects only."""

import inspect

import pytest

from scheduling.errors import IdempotencyKeyReused, SlotFull
from scheduling.idempotency import (
    answer_once,
    appointment_book_with_key,
    booking_answer_once,
)
from scheduling.models import Appointment, IdempotencyRecord, Slot
from scheduling.services import appointment_book
from tests.scheduling.factories import ConsentedParticipantFactory, SlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def slot() -> Slot:
    return SlotFactory(capacity=10)


@pytest.fixture
def participant():
    return ConsentedParticipantFactory()


def test_a_repeated_key_returns_the_first_answer_and_books_once(slot, participant):
    first = booking_answer_once(participant=participant, slot_id=slot.pk, key="k-1")
    second = booking_answer_once(participant=participant, slot_id=slot.pk, key="k-1")

    slot.refresh_from_db()
    assert first == second
    assert first[0] == 201
    assert slot.booked == 1
    assert Appointment.objects.count() == 1


def test_a_refusal_is_remembered_for_its_key_too(participant):
    slot = SlotFactory(capacity=1, booked=1)
    first = booking_answer_once(participant=participant, slot_id=slot.pk, key="k-1")
    Slot.objects.filter(pk=slot.pk).update(booked=0)

    second = booking_answer_once(participant=participant, slot_id=slot.pk, key="k-1")

    assert first == second
    assert first[0] == 409
    assert first[1]["code"] == "slot_full"
    assert not Appointment.objects.exists()


def test_a_key_used_for_another_slot_is_refused(slot, participant):
    other = SlotFactory(campaign=slot.campaign, starts_at=slot.ends_at)
    booking_answer_once(participant=participant, slot_id=slot.pk, key="k-1")

    with pytest.raises(IdempotencyKeyReused):
        booking_answer_once(participant=participant, slot_id=other.pk, key="k-1")


def test_booking_with_a_key_replays_a_stored_refusal_as_its_error(participant):
    slot = SlotFactory(capacity=1, booked=1)
    with pytest.raises(SlotFull):
        appointment_book_with_key(participant=participant, slot_id=slot.pk, key="a")
    Slot.objects.filter(pk=slot.pk).update(booked=0)

    with pytest.raises(SlotFull):
        appointment_book_with_key(participant=participant, slot_id=slot.pk, key="a")


def test_booking_with_a_key_twice_returns_the_same_appointment(slot, participant):
    first = appointment_book_with_key(participant=participant, slot_id=slot.pk, key="a")
    second = appointment_book_with_key(
        participant=participant, slot_id=slot.pk, key="a"
    )

    assert first.pk == second.pk


def test_any_handler_is_run_once_per_key_and_its_answer_replayed(participant):
    calls: list[int] = []

    def handler() -> tuple[int, dict]:
        calls.append(1)
        return 200, {"n": len(calls)}

    answers = [
        answer_once(participant=participant, key="k", fingerprint="f", handler=handler)
        for _ in range(3)
    ]

    assert answers == [(200, {"n": 1})] * 3
    assert len(calls) == 1


def test_a_handler_refusal_keeps_nothing_it_wrote_but_its_answer(participant, slot):
    def handler() -> tuple[int, dict]:
        Slot.objects.filter(pk=slot.pk).update(booked=5)
        return 409, {"code": "conflict", "detail": "no"}

    answer = answer_once(
        participant=participant, key="k", fingerprint="f", handler=handler
    )

    slot.refresh_from_db()
    assert answer == (409, {"code": "conflict", "detail": "no"})
    assert slot.booked == 0
    stored = IdempotencyRecord.objects.get(participant=participant, key="k")
    assert (stored.response_status, stored.response_body) == answer


def test_the_booking_service_knows_nothing_of_keys() -> None:
    # `read` is the slot already read with her token (scheduling.booking_edge).
    assert list(inspect.signature(appointment_book).parameters) == [
        "participant",
        "slot_id",
        "read",
    ]
