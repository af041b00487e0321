"""A woman's day through the stations: her number, her route, the rooms' steps."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stations.errors import (
    NotCalledHere,
    RoomBusy,
    RoomInvalid,
    RouteOpen,
    TicketClosed,
)
from stations.models import StopStatus, TicketStatus
from stations.selectors import ticket_whereabouts
from stations.services import (
    station_call_next,
    stop_done,
    stop_no_answer,
    stop_not_today,
    stop_start,
    ticket_finish,
    ticket_left_early,
    ticket_open,
)
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import CampaignFactory
from tests.stations.factories import checked_in, hospital_day

pytestmark = pytest.mark.django_db


def _statuses(ticket) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {stop.station.name: stop.status for stop in ticket.stops.all()}


def test_women_get_numbers_one_after_another_and_start_at_registration() -> None:
    registration, *_ = hospital_day()

    first = checked_in(registration.site)
    second = checked_in(registration.site)

    assert (first.number, second.number) == (1, 2)
    assert ticket_whereabouts(ticket=second).current.station == registration
    assert ticket_whereabouts(ticket=second).ahead == 1


def test_a_site_without_stations_gives_no_ticket() -> None:
    site = SiteFactory()
    from screening.models import Visit
    from tests.screening.factories import ParticipantFactory

    visit = Visit.objects.create(
        campaign=CampaignFactory(),
        participant=ParticipantFactory(),
        site_id=site.pk,
        site_name=site.name,
        day=timezone.localdate(),
    )

    assert ticket_open(visit=visit) is None


def test_a_breast_only_campaign_routes_past_the_gynaecological_exam() -> None:
    registration, gyn, *_ = hospital_day()

    ticket = checked_in(registration.site, campaign=CampaignFactory(services="breast"))

    assert gyn.name not in _statuses(ticket)


def test_after_registration_she_joins_the_shortest_expected_wait() -> None:
    registration, gyn, cbe, ultrasound = hospital_day()
    now = timezone.now()
    busy = [checked_in(registration.site, now=now) for _ in range(3)]
    for ticket in busy:
        station_call_next(station=registration, room=1, now=now)
        stop_done(station=registration, visit_id=ticket.visit_id, now=now)
    ticket = checked_in(registration.site, now=now)

    station_call_next(station=registration, room=1, now=now)
    stop_done(station=registration, visit_id=ticket.visit_id, now=now)

    # Three women went to the breast exam (4 min, 2 rooms) ... or wherever the
    # rule sent them; hers is the least loaded of the three at that moment.
    current = ticket_whereabouts(ticket=ticket).current
    assert current.status == StopStatus.WAITING
    assert current.station in (gyn, cbe, ultrasound)
    assert _statuses(busy[0])[gyn.name] == StopStatus.WAITING


def test_a_room_walks_her_through_call_start_and_done() -> None:
    registration, *_ = hospital_day()
    ticket = checked_in(registration.site)

    called = station_call_next(station=registration, room=2)
    stop_start(station=registration, visit_id=ticket.visit_id)
    done = stop_done(station=registration, visit_id=ticket.visit_id)

    assert called.ticket_id == ticket.pk
    assert called.room == 2
    assert done.status == StopStatus.DONE
    assert ticket_whereabouts(ticket=ticket).current.station != registration


def test_nobody_waiting_means_no_one_is_called() -> None:
    registration, *_ = hospital_day()

    assert station_call_next(station=registration, room=1) is None


def test_a_room_with_a_woman_cannot_call_another() -> None:
    registration, *_ = hospital_day()
    checked_in(registration.site)
    checked_in(registration.site)
    station_call_next(station=registration, room=1)

    with pytest.raises(RoomBusy):
        station_call_next(station=registration, room=1)


def test_a_room_the_station_does_not_have_is_refused() -> None:
    registration, *_ = hospital_day()

    with pytest.raises(RoomInvalid):
        station_call_next(station=registration, room=3)


def test_not_answering_puts_her_behind_those_waiting_and_she_is_called_again() -> None:
    registration, *_ = hospital_day()
    now = timezone.now()
    late = checked_in(registration.site, now=now)
    other = checked_in(registration.site, now=now)
    station_call_next(station=registration, room=1, now=now)

    later = now + timedelta(minutes=2)
    stop_no_answer(station=registration, visit_id=late.visit_id, now=later)
    again = station_call_next(station=registration, room=1, now=later)
    stop_done(station=registration, visit_id=other.visit_id, now=later)
    last = station_call_next(station=registration, room=1, now=later)

    assert again.ticket_id == other.pk
    assert last.ticket_id == late.pk
    assert last.no_answers == 1


def test_done_for_a_woman_not_called_here_is_a_conflict() -> None:
    registration, gyn, *_ = hospital_day()
    ticket = checked_in(registration.site)

    with pytest.raises(NotCalledHere):
        stop_done(station=registration, visit_id=ticket.visit_id)
    with pytest.raises(NotCalledHere):
        stop_start(station=gyn, visit_id=ticket.visit_id)


def test_not_today_lists_the_station_and_she_carries_on() -> None:
    registration, gyn, *_ = hospital_day()
    ticket = checked_in(
        registration.site, campaign=CampaignFactory(services="cervical")
    )
    station_call_next(station=registration, room=1)
    stop_done(station=registration, visit_id=ticket.visit_id)
    station_call_next(station=gyn, room=1)

    stop_not_today(station=gyn, visit_id=ticket.visit_id)

    where = ticket_whereabouts(ticket=ticket)
    assert where.unserved == [gyn.name]
    assert where.current is None
    assert ticket_finish(ticket=ticket).status == TicketStatus.FINISHED


def test_she_cannot_be_finished_while_a_station_is_open() -> None:
    registration, *_ = hospital_day()
    ticket = checked_in(registration.site)

    with pytest.raises(RouteOpen):
        ticket_finish(ticket=ticket)


def test_leaving_early_closes_her_open_stations_as_missed() -> None:
    registration, *_ = hospital_day()
    ticket = checked_in(registration.site)
    station_call_next(station=registration, room=1)

    ticket_left_early(ticket=ticket, now=timezone.now() + timedelta(minutes=5))

    assert set(_statuses(ticket).values()) == {StopStatus.MISSED}
    assert station_call_next(station=registration, room=1) is None
    with pytest.raises(TicketClosed):
        ticket_left_early(ticket=ticket)


def test_opening_her_ticket_twice_keeps_one_number() -> None:
    registration, *_ = hospital_day()
    ticket = checked_in(registration.site)

    assert ticket_open(visit=ticket.visit).pk == ticket.pk
