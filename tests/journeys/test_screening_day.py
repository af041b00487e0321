"""The screening day with stations: three women checked in at the desk, a
registration room at 1280x800 calling them with one key per step (one does
not answer, goes to the back of the line and is called again), the
gynaecological room unable to examine one of them today, her phone at
390x844 telling her where to go, the hall's call board, the desk marking one
woman as gone early, and the day's close asking the two with tests missing
back, once each."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from notifications.models import Notification
from stations import services
from stations.models import StopStatus, Ticket, TicketStatus
from tests.journeys.conftest import COURIER, NURSE, Journey, Persona
from tests.journeys.test_nurse import sign_in
from tests.privacy.support import sign_in_page
from tests.scheduling.desk_support import booked_today, clinic_user
from tests.scheduling.factories import ConsentedParticipantFactory, SiteFactory
from tests.stations.factories import hospital_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HALL = Persona("hall-board", {"width": 1920, "height": 1080})
NAMES = ("陈秀英", "林春梅", "黄丽娟")


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(
        "notifications.services.handover.enqueue_send", lambda _pk: None
    )


def _check_in_at_the_desk(journey: Journey, appointments) -> None:  # type: ignore[no-untyped-def]
    page = journey.page
    for appointment in appointments:
        page.fill("form.checkin input[name=reference]", appointment.reference)
        page.click("form.checkin button[name=checkin]")
        expect(page.locator(".flash li.success")).to_contain_text(appointment.reference)
    journey.step("three-checked-in")


def _press(journey: Journey, key: str, name: str) -> None:
    # Each key submits the room's form: wait for the answer's page, not for
    # the page that was already there (a loaded machine is slower than a key).
    with journey.page.expect_navigation():
        journey.page.keyboard.press(key)
    journey.step(name)


def _her_phone(open_journey, participant) -> Journey:  # type: ignore[no-untyped-def]
    client = Client()
    sign_in_page(client, participant)
    phone = open_journey(COURIER)
    phone.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": phone.base_url,
            }
        ]
    )
    return phone


def test_a_morning_of_stations_for_three_women(open_journey) -> None:  # type: ignore[no-untyped-def]
    registration, *_ = hospital_day(SiteFactory(name="焦作市妇幼保健院"))
    site = registration.site
    women = [ConsentedParticipantFactory(full_name=name) for name in NAMES]
    appointments = [booked_today(site=site, participant=woman) for woman in women]
    nurse = clinic_user(site)

    desk = open_journey(NURSE)
    sign_in(desk, nurse.username)
    _check_in_at_the_desk(desk, appointments)
    first, second, third = (Ticket.objects.get(visit__participant=w) for w in women)
    assert (first.number, second.number, third.number) == (1, 2, 3)

    # Her phone: number 2, registration next, one woman ahead.
    phone = _her_phone(open_journey, women[1])
    phone.goto("/my/day/")
    expect(phone.page.locator(".my-number")).to_have_text("2")
    expect(phone.page.locator(".my-ahead")).to_contain_text("1")
    phone.step("her-number-and-one-ahead")

    # The registration room: 陈 does not answer, 林 comes, 陈 is called again.
    desk.goto("/desk/stations/")
    desk.step("stations")
    with desk.page.expect_navigation():
        desk.page.get_by_role("link", name="诊室 1").first.click()
    _press(desk, "n", "room-called-first")
    expect(desk.page.locator(".number")).to_have_text("1")
    _press(desk, "a", "room-first-not-answering")
    _press(desk, "n", "room-called-second")
    expect(desk.page.locator(".number")).to_have_text("2")
    _press(desk, "s", "room-second-inside")
    _press(desk, "d", "room-second-done")
    # She who did not answer went behind 黄, who is called before her.
    _press(desk, "n", "room-called-third")
    expect(desk.page.locator(".number")).to_have_text("3")
    _press(desk, "s", "room-third-inside")
    _press(desk, "d", "room-third-done")
    _press(desk, "n", "room-first-called-again")
    expect(desk.page.locator(".number")).to_have_text("1")
    expect(desk.page.locator(".room-now")).to_contain_text("未应答 1 次")

    # The hall's board: number 1 at registration, room 1; never a name.
    board = open_journey(HALL)
    sign_in(board, nurse.username)
    board.goto(f"/desk/stations/board/?site={site.pk}")
    expect(board.page.locator("td.number")).to_have_text(["1"])
    board.step("call-board")
    assert not any(name[0] in board.page.locator("body").inner_text() for name in NAMES)

    # 林 is sent on; at the gynaecological room she cannot be examined today.
    phone.goto("/my/day/")
    phone.step("her-next-station")
    second_stop = second.stops.get(status=StopStatus.WAITING)
    other_room = second_stop.station
    services.station_call_next(station=other_room, room=1)
    phone.goto("/my/day/")
    expect(phone.page.locator(".my-next")).to_contain_text(other_room.name)
    phone.step("her-called-to-a-room")
    services.stop_not_today(station=other_room, visit_id=second.visit_id)

    # 黄 goes home before her next stations.
    desk.goto(f"/desk/stations/day/?site={site.pk}")
    desk.page.locator(f"#t{third.pk} button[value=left]").click()
    expect(desk.page.locator(f"#t{third.pk}")).to_contain_text("提前离开")
    desk.step("who-is-inside")

    desk.goto(f"/desk/stations/close/?site={site.pk}")
    expect(desk.page.locator("main")).to_contain_text("需再来 (2)")
    desk.step("day-close")
    desk.page.get_by_role("button", name="通知她们再来(每人一条短信)").click()
    desk.step("come-back-sent")
    desk.page.get_by_role("button", name="通知她们再来(每人一条短信)").click()

    third.refresh_from_db()
    assert third.status == TicketStatus.LEFT_EARLY
    assert Notification.objects.filter(kind="come_back").count() == 2
    for journey in (desk, phone, board):
        journey.done()
