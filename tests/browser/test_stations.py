"""A room's screen driven by its keys alone, and the call board refreshing by
itself, in Debian's Chromium."""

import pytest
from playwright.sync_api import Browser, expect

from stations.models import StopStatus
from stations.services import station_call_next
from tests.accounts.factories import STAFF_PASSWORD
from tests.scheduling.desk_support import clinic_user
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import ParticipantFactory
from tests.stations.factories import checked_in, hospital_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 1280, "height": 800}
HALL_SCREEN = {"width": 1920, "height": 1080}


def _signed_in(browser: Browser, live_server, user, viewport):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/staff/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[name=login]")
    return context, page


def test_a_room_calls_starts_and_finishes_a_woman_with_one_key_each(
    live_server, browser: Browser, screenshot
) -> None:  # type: ignore[no-untyped-def]
    registration, *_ = hospital_day(SiteFactory(name="市妇幼保健院"))
    ticket = checked_in(
        registration.site, participant=ParticipantFactory(full_name="孙丽")
    )
    nurse = clinic_user(registration.site)
    context, page = _signed_in(browser, live_server, nurse, TABLET)
    page.goto(f"{live_server.url}/desk/stations/{registration.pk}/rooms/1/")
    screenshot(page, "room-empty")

    page.keyboard.press("n")
    expect(page.locator(".number")).to_have_text("1")
    expect(page.locator(".room-now")).to_contain_text("孙*")
    screenshot(page, "room-called")
    page.keyboard.press("s")
    expect(page.locator("button[data-key=s]")).to_be_disabled()
    page.keyboard.press("d")
    expect(page.locator(".number")).to_have_count(0)
    screenshot(page, "room-done")
    context.close()

    stop = ticket.stops.get(station=registration)
    assert stop.status == StopStatus.DONE
    assert stop.started_at is not None


def test_the_call_board_shows_a_new_call_without_anyone_touching_it(
    live_server, browser: Browser, screenshot
) -> None:  # type: ignore[no-untyped-def]
    registration, *_ = hospital_day(SiteFactory(name="市妇幼保健院"))
    women = [
        checked_in(registration.site, participant=ParticipantFactory(full_name=name))
        for name in ("钱芳", "吴敏")
    ]
    station_call_next(station=registration, room=1)
    nurse = clinic_user(registration.site)
    context, page = _signed_in(browser, live_server, nurse, HALL_SCREEN)
    page.goto(f"{live_server.url}/desk/stations/board/?site={registration.site_id}")
    expect(page.locator("td.number")).to_have_text(["1"])

    station_call_next(station=registration, room=2)
    # The page reloads itself (meta refresh every 5 s): the second call appears.
    expect(page.locator("td.number")).to_have_text(["2", "1"], timeout=12_000)
    screenshot(page, "board")
    text = page.locator("body").inner_text()
    # Large enough to read across the hall: 5rem numbers on a 1080p screen.
    size = page.locator("td.number").first.evaluate(
        "cell => parseFloat(getComputedStyle(cell).fontSize)"
    )
    context.close()

    assert all(woman.visit.participant.full_name[0] not in text for woman in women)
    assert size >= 72


def test_her_phone_page_updates_itself_with_javascript_off(
    live_server, browser: Browser, screenshot
) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings
    from django.test import Client

    from tests.privacy.support import sign_in_page

    registration, *_ = hospital_day(SiteFactory(name="市妇幼保健院"))
    checked_in(registration.site)
    her = ParticipantFactory(phone="13900002222")
    checked_in(registration.site, participant=her)
    client = Client()
    sign_in_page(client, her)
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        java_script_enabled=False,
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(live_server.url + "/my/day/")
    expect(page.locator(".my-number")).to_have_text("2")
    expect(page.locator(".my-ahead")).to_contain_text("1")
    screenshot(page, "her-phone-one-ahead")

    station_call_next(station=registration, room=1)
    # Nobody touches the phone: the Refresh header brings the new state (20 s).
    expect(page.locator(".my-ahead")).to_contain_text("0", timeout=30_000)
    screenshot(page, "her-phone-next")
    context.close()
