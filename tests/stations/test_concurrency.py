"""Rooms calling at once over one line, with real threads against PostgreSQL."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from stations.models import Stop, StopStatus
from stations.services import station_call_next, stop_done
from tests.stations.factories import StationFactory, checked_in

pytestmark = pytest.mark.django_db(transaction=True)

ROOMS = 6
WOMEN = 90
BARRIER_TIMEOUT_SECONDS = 60


def _room_calls_until_the_line_is_empty(station, room, barrier, called):  # type: ignore[no-untyped-def]
    """One room's morning: call, see her, done, call again, until nobody waits.
    Each round starts with every room calling at the same instant."""
    try:
        while True:
            barrier.wait(timeout=BARRIER_TIMEOUT_SECONDS)
            stop = station_call_next(station=station, room=room)
            if stop is None:
                barrier.abort()  # the line is empty: the others stop too
                return
            called.append(stop.ticket_id)
            stop_done(station=station, visit_id=stop.ticket.visit_id)
    except threading.BrokenBarrierError:
        # Another room found the line empty; drain what is left without the barrier.
        while (stop := station_call_next(station=station, room=room)) is not None:
            called.append(stop.ticket_id)
            stop_done(station=station, visit_id=stop.ticket.visit_id)
    finally:
        connection.close()


def test_rooms_calling_at_once_never_call_one_woman_twice_and_skip_none() -> None:
    station = StationFactory(rooms=ROOMS)
    tickets = [checked_in(station.site) for _ in range(WOMEN)]
    barrier = threading.Barrier(ROOMS)
    called: list[int] = []

    with ThreadPoolExecutor(max_workers=ROOMS) as pool:
        futures = [
            pool.submit(
                _room_calls_until_the_line_is_empty, station, room, barrier, called
            )
            for room in range(1, ROOMS + 1)
        ]
        for future in futures:
            future.result()

    assert max(Counter(called).values()) == 1
    assert sorted(called) == sorted(ticket.pk for ticket in tickets)
    assert not Stop.objects.filter(station=station).exclude(status=StopStatus.DONE)


def test_the_same_room_calling_twice_at_once_gets_one_woman() -> None:
    station = StationFactory(rooms=1)
    for _ in range(4):
        checked_in(station.site)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def call() -> None:
        try:
            barrier.wait(timeout=BARRIER_TIMEOUT_SECONDS)
            station_call_next(station=station, room=1)
            outcomes.append("called")
        except Exception as error:  # noqa: BLE001 - the test counts the refusals
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        for future in [pool.submit(call) for _ in range(4)]:
            future.result()

    assert outcomes.count("called") == 1
    assert outcomes.count("RoomBusy") == 3
    assert Stop.objects.filter(station=station, status=StopStatus.CALLED).count() == 1


def test_desks_checking_women_in_at_once_hand_out_one_number_each() -> None:
    station = StationFactory(rooms=1)
    desks = 6
    barrier = threading.Barrier(desks)
    numbers: list[int] = []

    def check_in() -> None:
        try:
            barrier.wait(timeout=BARRIER_TIMEOUT_SECONDS)
            numbers.append(checked_in(station.site).number)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=desks) as pool:
        for future in [pool.submit(check_in) for _ in range(desks)]:
            future.result()

    assert sorted(numbers) == list(range(1, desks + 1))
