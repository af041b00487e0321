"""The day's pages through the test client: a room's screen, the board, her
phone, who is inside, and the day close with its come-back messages."""

import pytest
from django.test import Client

from notifications.models import Notification
from stations.models import StopStatus, Ticket, TicketStatus
from tests.privacy.support import sign_in_page
from tests.scheduling.desk_support import clinic_user
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import ParticipantFactory
from tests.stations.factories import checked_in, hospital_day

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(
        "notifications.services.handover.enqueue_send", lambda _pk: None
    )


@pytest.fixture
def stations():  # type: ignore[no-untyped-def]
    return hospital_day(SiteFactory(name="市妇幼保健院"))


@pytest.fixture
def desk(stations):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(clinic_user(stations[0].site))
    return client


def _room(station, room=1) -> str:  # type: ignore[no-untyped-def]
    return f"/desk/stations/{station.pk}/rooms/{room}/"


def test_the_room_calls_her_and_shows_her_number_and_masked_name(
    desk, stations
) -> None:  # type: ignore[no-untyped-def]
    checked_in(stations[0].site, participant=ParticipantFactory(full_name="李秀兰"))

    desk.post(_room(stations[0]), {"action": "call"})
    page = desk.get(_room(stations[0]))

    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-number="1"' in text
    assert "李**" in text
    assert "李秀兰" not in text
    assert page["Refresh"] == "30"


def test_every_step_has_its_own_key(desk, stations) -> None:  # type: ignore[no-untyped-def]
    page = desk.get(_room(stations[0])).content.decode()

    for key in ("n", "s", "d", "a", "t"):
        assert f'data-key="{key}"' in page


def test_done_from_the_room_sends_her_to_the_next_line(desk, stations) -> None:  # type: ignore[no-untyped-def]
    ticket = checked_in(stations[0].site)
    desk.post(_room(stations[0]), {"action": "call"})

    desk.post(_room(stations[0]), {"action": "done"})

    statuses = set(ticket.stops.values_list("status", flat=True))
    assert StopStatus.DONE in statuses
    assert StopStatus.WAITING in statuses


def test_a_step_that_does_not_apply_says_so_on_the_screen(desk, stations) -> None:  # type: ignore[no-untyped-def]
    response = desk.post(_room(stations[0]), {"action": "done"}, follow=True)

    assert "她没有在本站被叫号" in response.content.decode()


def test_the_board_shows_numbers_and_rooms_never_a_name(desk, stations) -> None:  # type: ignore[no-untyped-def]
    checked_in(stations[0].site, participant=ParticipantFactory(full_name="赵春梅"))
    desk.post(_room(stations[0], 2), {"action": "call"})

    page = desk.get(f"/desk/stations/board/?site={stations[0].site_id}")

    text = page.content.decode()
    assert page["Refresh"] == "5"
    assert ">1</td>" in text
    assert "赵" not in text


def test_another_sites_staff_cannot_open_a_room(stations) -> None:  # type: ignore[no-untyped-def]
    stranger = Client()
    stranger.force_login(clinic_user(SiteFactory()))

    assert stranger.get(_room(stations[0])).status_code == 403
    assert stranger.post(_room(stations[0]), {"action": "call"}).status_code == 403
    assert not Ticket.objects.filter(stops__status=StopStatus.CALLED).exists()


def test_her_phone_shows_her_number_next_place_and_how_many_ahead(stations) -> None:  # type: ignore[no-untyped-def]
    first = ParticipantFactory()
    her = ParticipantFactory(phone="13900001111")
    checked_in(stations[0].site, participant=first)
    checked_in(stations[0].site, participant=her)
    phone = Client()
    sign_in_page(phone, her)

    page = phone.get("/my/day/")

    text = page.content.decode()
    assert page["Refresh"] == "20"
    assert 'class="my-number">2<' in text
    assert stations[0].name in text
    assert "<script" not in text.split("<main", 1)[-1]


def test_she_can_stop_her_page_updating(stations) -> None:  # type: ignore[no-untyped-def]
    her = ParticipantFactory()
    checked_in(stations[0].site, participant=her)
    phone = Client()
    sign_in_page(phone, her)

    page = phone.get("/my/day/?still=1")

    assert "Refresh" not in page
    assert 'class="my-number">1<' in page.content.decode()


def test_the_desk_sees_who_left_early_and_what_is_missing(desk, stations) -> None:  # type: ignore[no-untyped-def]
    ticket = checked_in(stations[0].site)

    desk.post(f"/desk/stations/tickets/{ticket.pk}/", {"action": "left"})
    page = desk.get(f"/desk/stations/day/?site={stations[0].site_id}")

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.LEFT_EARLY
    assert "未检即离开" in page.content.decode()


def test_finishing_her_with_a_station_open_is_refused_on_the_page(
    desk, stations
) -> None:  # type: ignore[no-untyped-def]
    ticket = checked_in(stations[0].site)

    response = desk.post(
        f"/desk/stations/tickets/{ticket.pk}/", {"action": "finish"}, follow=True
    )

    assert "还有未完成的检查站" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.INSIDE


def test_closing_the_day_asks_each_woman_back_once(desk, stations) -> None:  # type: ignore[no-untyped-def]
    gone = checked_in(stations[0].site)
    checked_in(stations[0].site)
    desk.post(f"/desk/stations/tickets/{gone.pk}/", {"action": "left"})
    close = f"/desk/stations/close/?site={stations[0].site_id}"

    page = desk.get(close)
    desk.post(close)
    desk.post(close)

    assert page.status_code == 200
    assert "需再来 (1)" in page.content.decode()
    assert Notification.objects.filter(kind="come_back").count() == 1
    assert (
        Notification.objects.get(kind="come_back").dedupe_key == f"come_back:{gone.pk}"
    )


def test_staff_of_several_sites_choose_one_with_stations_first(stations) -> None:  # type: ignore[no-untyped-def]
    plain = SiteFactory(name="没有检查站的院区")
    client = Client()
    client.force_login(clinic_user(stations[0].site, plain))

    page = client.get("/desk/stations/").content.decode()

    assert f"?site={stations[0].site_id}" in page
    assert plain.name not in page


def test_the_desk_nav_links_to_the_stations_only_where_they_run(desk, stations) -> None:  # type: ignore[no-untyped-def]
    page = desk.get(f"/desk/search/?site={stations[0].site_id}").content.decode()

    assert f"/desk/stations/?site={stations[0].site_id}" in page


def test_the_demo_runs_its_first_site_through_stations() -> None:
    from scheduling.demo import demo_seed
    from stations.models import Station

    demo_seed(password="demo-password-1234")
    demo_seed(password="demo-password-1234")

    assert Station.objects.count() == 4
    assert Station.objects.values("site").distinct().count() == 1


def test_her_bookings_page_links_to_her_day_once_she_has_a_number(stations) -> None:  # type: ignore[no-untyped-def]
    her = ParticipantFactory()
    phone = Client()
    sign_in_page(phone, her)
    before = phone.get("/my/").content.decode()
    checked_in(stations[0].site, participant=her)

    after = phone.get("/my/").content.decode()

    assert 'href="/my/day/"' not in before
    assert 'href="/my/day/"' in after


def test_calling_her_and_listing_the_day_are_audited(desk, stations) -> None:  # type: ignore[no-untyped-def]
    from common.models import AuditEvent

    ticket = checked_in(stations[0].site)

    desk.post(_room(stations[0]), {"action": "call"})
    desk.get(f"/desk/stations/day/?site={stations[0].site_id}")

    events = AuditEvent.objects.filter(action__startswith="stations.")
    assert sorted(events.values_list("action", flat=True)) == [
        "stations.called",
        "stations.day_list",
    ]
    assert all(e.details["visits"] == [ticket.visit_id] for e in events)


def test_the_desk_tells_her_queue_number_at_check_in(desk, stations) -> None:  # type: ignore[no-untyped-def]
    from tests.scheduling.desk_support import booked_today

    site = stations[0].site
    appointment = booked_today(site=site)

    response = desk.post(
        "/desk/checkin/",
        {"site": site.pk, "reference": appointment.reference},
        follow=True,
    )

    assert "排队号:1" in response.content.decode()
