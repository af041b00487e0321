"""Races, with real threads on real PostgreSQL connections.

Each call runs in its own thread and connection; a barrier releases a wave of them
at once. Waves are as wide as the pool (50), which keeps the suite under
PostgreSQL's default of 100 connections.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from common.errors import ApplicationError
from scheduling.errors import AlreadyBooked, SlotFull
from scheduling.idempotency import booking_answer_once
from scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus, Slot
from scheduling.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from screening.errors import NotEligible
from tests.scheduling.factories import (
    ConsentedParticipantFactory,
    SlotFactory,
    tomorrow_at,
)
from tests.screening.factories import CampaignFactory

pytestmark = pytest.mark.django_db(transaction=True)

MAX_WORKERS = 50
BARRIER_TIMEOUT_SECONDS = 60


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """Confirmations are enqueued on commit here; the broker is not under test."""
    monkeypatch.setattr(
        "notifications.services.handover.enqueue_send", lambda _pk: None
    )


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in waves of threads released together by a barrier, and
    return their results in order: an ApplicationError is returned, anything else
    (a deadlock, say) propagates and fails the test."""
    workers = min(len(calls), MAX_WORKERS)
    assert len(calls) % workers == 0, "every wave must fill the barrier"
    barrier = threading.Barrier(workers)
    results: list[Any] = [None] * len(calls)

    def worker(first: int) -> None:
        try:
            for index in range(first, len(calls), workers):
                barrier.wait(timeout=BARRIER_TIMEOUT_SECONDS)
                try:
                    results[index] = calls[index]()
                except ApplicationError as error:
                    results[index] = error
        finally:
            # Each thread has its own connection; leave none open behind it.
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(worker, first) for first in range(workers)]:
            future.result()
    return results


def active_in(slot: Slot) -> int:
    return Appointment.objects.filter(slot=slot, status__in=ACTIVE_STATUSES).count()


ROUNDS = 20


def test_two_hundred_women_on_the_last_ten_places_get_exactly_ten_every_time():
    women = ConsentedParticipantFactory.create_batch(200)
    outcomes = []

    for _round in range(ROUNDS):
        # A fresh campaign each round: the same women may book again in it.
        slot = SlotFactory(capacity=10, campaign__quota=1000)
        results = at_once(
            [
                lambda p=p, s=slot.pk: appointment_book(participant=p, slot_id=s)
                for p in women
            ]
        )
        slot.refresh_from_db()
        outcomes.append(
            (
                sum(isinstance(r, Appointment) for r in results),
                sum(isinstance(r, SlotFull) for r in results),
                slot.booked,
                active_in(slot),
            )
        )

    assert outcomes == [(10, 190, 10, 10)] * ROUNDS


def test_one_woman_booking_ten_slots_at_once_gets_exactly_one():
    campaign = CampaignFactory()
    slots = [
        SlotFactory(campaign=campaign, starts_at=tomorrow_at(8 + n)) for n in range(10)
    ]
    woman = ConsentedParticipantFactory()

    results = at_once(
        [lambda s=s: appointment_book(participant=woman, slot_id=s.pk) for s in slots]
    )

    assert sum(isinstance(r, Appointment) for r in results) == 1
    assert sum(isinstance(r, AlreadyBooked) for r in results) == 9
    assert (
        sum(Slot.objects.filter(campaign=campaign).values_list("booked", flat=True))
        == 1
    )
    assert Appointment.objects.filter(participant=woman).count() == 1


def test_the_funded_quota_holds_across_slots_booked_at_once():
    campaign = CampaignFactory(quota=5)
    slots = [
        SlotFactory(campaign=campaign, starts_at=tomorrow_at(8 + n), capacity=10)
        for n in range(5)
    ]
    women = ConsentedParticipantFactory.create_batch(50)

    results = at_once(
        [
            lambda p=p, s=slots[n % 5]: appointment_book(participant=p, slot_id=s.pk)
            for n, p in enumerate(women)
        ]
    )

    assert sum(isinstance(r, Appointment) for r in results) == 5
    assert sum(isinstance(r, NotEligible) for r in results) == 45
    assert Appointment.objects.filter(status__in=ACTIVE_STATUSES).count() == 5
    campaign.refresh_from_db()
    assert campaign.places_taken == 5
    for slot in slots:
        slot.refresh_from_db()
        assert slot.booked == active_in(slot)


def test_the_same_idempotency_key_sent_at_once_books_once_and_answers_alike():
    slot = SlotFactory(capacity=10)
    woman = ConsentedParticipantFactory()

    results = at_once(
        [
            lambda: booking_answer_once(
                participant=woman, slot_id=slot.pk, key="same-key"
            )
        ]
        * 10
    )

    slot.refresh_from_db()
    assert {status for status, _body in results} == {201}
    assert all(body == results[0][1] for _status, body in results)
    assert slot.booked == 1 == Appointment.objects.count()


@pytest.mark.parametrize("round_", range(10))
def test_cancel_and_reschedule_racing_leave_the_counts_consistent(round_):
    old = SlotFactory(capacity=5)
    new = SlotFactory(campaign=old.campaign, site=old.site, starts_at=tomorrow_at(15))
    appointment = appointment_book(
        participant=ConsentedParticipantFactory(), slot_id=old.pk
    )

    at_once(
        [
            lambda: appointment_cancel(appointment=appointment),
            lambda: appointment_reschedule(appointment=appointment, slot_id=new.pk),
        ]
    )

    appointment.refresh_from_db()
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.booked == active_in(old)
    assert new.booked == active_in(new)
    assert (appointment.status, old.booked, new.booked) in {
        (AppointmentStatus.CANCELLED, 0, 0),
        (AppointmentStatus.BOOKED, 0, 1),
    }
    assert (
        appointment.status == AppointmentStatus.CANCELLED
        or appointment.slot_id == new.pk
    )


@pytest.mark.parametrize("round_", range(10))
def test_two_moves_crossing_between_the_same_slots_both_go_through(round_):
    first = SlotFactory(capacity=2)
    second = SlotFactory(
        campaign=first.campaign, site=first.site, starts_at=tomorrow_at(15), capacity=2
    )
    a = appointment_book(participant=ConsentedParticipantFactory(), slot_id=first.pk)
    b = appointment_book(participant=ConsentedParticipantFactory(), slot_id=second.pk)

    results = at_once(
        [
            lambda: appointment_reschedule(appointment=a, slot_id=second.pk),
            lambda: appointment_reschedule(appointment=b, slot_id=first.pk),
        ]
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert all(isinstance(r, Appointment) for r in results)
    assert (first.booked, second.booked) == (1, 1)
    assert first.booked == active_in(first)
    assert second.booked == active_in(second)
