"""A room's steps in few statements (ADR 0020), and the loads routing reads
from them. Transactional tests: the steps run on a connection in autocommit,
as in production, so the counts are the statements PostgreSQL sees."""

import pytest
from django.utils import timezone

from stations import statements
from stations.models import Stop, StopStatus
from stations.selectors import ticket_whereabouts
from stations.services import (
    station_call_next,
    stop_done,
    stop_no_answer,
    stop_start,
    ticket_left_early,
)
from tests.stations.factories import checked_in, hospital_day

pytestmark = pytest.mark.django_db(transaction=True)


def test_calling_starting_and_not_answering_are_one_statement_each(
    django_assert_num_queries,
) -> None:
    registration, *_ = hospital_day()
    first = checked_in(registration.site)
    second = checked_in(registration.site)

    with django_assert_num_queries(1):
        called = station_call_next(station=registration, room=1)
        # What the room's page and the API show come with it.
        shown = (called.ticket.number, called.ticket.visit.appointment_id)
    with django_assert_num_queries(1):
        stop_no_answer(station=registration, visit_id=first.visit_id)
    station_call_next(station=registration, room=1)
    with django_assert_num_queries(1):
        started = stop_start(station=registration, visit_id=second.visit_id)

    assert shown == (first.number, None)
    assert started.status == StopStatus.SERVING
    assert started.ticket.visit_id == second.visit_id
    assert started.station == registration


def test_done_reads_her_route_then_ends_her_stop_and_moves_her_on_in_one_statement(
    django_assert_num_queries,
) -> None:
    registration, *_ = hospital_day()
    ticket = checked_in(registration.site)
    station_call_next(station=registration, room=1)

    # Her route ahead read with the loads; then her ticket locked, her stop
    # ended and her next line joined, in one statement and one commit.
    with django_assert_num_queries(2):
        done = stop_done(station=registration, visit_id=ticket.visit_id)

    assert done.status == StopStatus.DONE
    assert done.ticket.number == ticket.number
    assert ticket_whereabouts(ticket=ticket).current.status == StopStatus.WAITING


def _stand(ticket, station, status: str) -> None:  # type: ignore[no-untyped-def]
    """Put a woman straight into `station`'s line or room (her registration
    behind her), as the day would have."""
    now = timezone.now()
    Stop.objects.filter(ticket=ticket).update(status=StopStatus.DONE)
    Stop.objects.filter(ticket=ticket, station=station).update(
        status=status,
        joined_at=now,
        queued_at=now,
        called_at=now if status != StopStatus.WAITING else None,
        room=1 if status != StopStatus.WAITING else None,
    )


def test_she_joins_the_shortest_expected_wait_counting_women_in_the_rooms() -> None:
    registration, gyn, cbe, ultrasound = hospital_day()
    # gynaecology: one inside, 8 min / 3 rooms = 2.7 min; breast exam: one
    # waiting, 4 min / 2 rooms = 2 min; ultrasound: one called, 7 / 2 = 3.5.
    _stand(checked_in(registration.site), gyn, StopStatus.SERVING)
    _stand(checked_in(registration.site), cbe, StopStatus.WAITING)
    _stand(checked_in(registration.site), ultrasound, StopStatus.CALLED)
    ticket = checked_in(registration.site)

    station_call_next(station=registration, room=1)
    stop_done(station=registration, visit_id=ticket.visit_id)

    assert ticket_whereabouts(ticket=ticket).current.station == cbe


def test_the_plain_way_of_make_run_walks_her_through_the_same_steps(
    monkeypatch,
) -> None:
    # SQLite (ADR 0011) has no SKIP LOCKED: the same steps through the ORM.
    monkeypatch.setattr(statements, "_postgresql", lambda: False)
    registration, gyn, cbe, ultrasound = hospital_day()
    _stand(checked_in(registration.site), gyn, StopStatus.SERVING)
    _stand(checked_in(registration.site), cbe, StopStatus.WAITING)
    _stand(checked_in(registration.site), ultrasound, StopStatus.CALLED)
    late = checked_in(registration.site)
    ticket = checked_in(registration.site)

    station_call_next(station=registration, room=1)
    stop_no_answer(station=registration, visit_id=late.visit_id)
    called = station_call_next(station=registration, room=1)
    stop_start(station=registration, visit_id=ticket.visit_id)
    done = stop_done(station=registration, visit_id=ticket.visit_id)

    assert called.ticket.visit_id == ticket.visit_id
    assert done.status == StopStatus.DONE
    assert ticket_whereabouts(ticket=ticket).current.station == cbe
    assert station_call_next(station=registration, room=1).no_answers == 1


def test_done_after_she_left_early_since_her_route_was_read_moves_nothing() -> None:
    registration, *_ = hospital_day()
    ticket = checked_in(registration.site)
    station_call_next(station=registration, room=1)
    ahead = statements.route_ahead(visit_id=ticket.visit_id)

    ticket_left_early(ticket=ticket)
    ended = statements.stop_end(
        station_id=registration.pk,
        visit_id=ticket.visit_id,
        status=StopStatus.DONE,
        now=timezone.now(),
        by_id=None,
        then_join=ahead[0][0],
    )

    assert ended is None
    assert set(Stop.objects.filter(ticket=ticket).values_list("status", flat=True)) == {
        StopStatus.MISSED
    }
