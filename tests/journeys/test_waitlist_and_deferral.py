"""A courier on her 390x844 phone, in zh-CN, without JavaScript needed: her day is
full, she joins the waitlist, a place is given back and held for her, she books
it; later she defers her next screening herself."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from scheduling.services import appointment_book, appointment_cancel
from tests.journeys.conftest import COURIER, Journey
from tests.pages.flow import registered_woman
from tests.privacy.support import sign_in_page
from tests.scheduling.factories import (
    ConsentedParticipantFactory,
    SiteFactory,
    SlotFactory,
)
from tests.screening.factories import CampaignFactory, DistrictFactory
from tests.waitlist.support import day_after_tomorrow_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """Messages wait in the outbox; no worker is part of this journey."""
    monkeypatch.setattr(
        "notifications.services.handover.enqueue_send", lambda _pk: None
    )
    monkeypatch.setattr(
        "scheduling.waitlist.offers._fill_later", lambda _campaign_id: None
    )


def signed_in(journey: Journey, phone: str):  # type: ignore[no-untyped-def]
    woman = registered_woman(phone)
    client = Client()
    sign_in_page(client, woman)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    journey.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": journey.base_url}]
    )
    return woman


def test_a_courier_waits_for_a_full_day_books_the_place_held_and_defers_herself(
    open_journey,  # type: ignore[no-untyped-def]
) -> None:
    district = DistrictFactory(code="410802", name="解放区")
    campaign = CampaignFactory(name="新就业形态女性两癌筛查", districts=[district])
    site = SiteFactory(name="焦作市妇幼保健院")
    slot = SlotFactory(
        campaign=campaign,
        site=site,
        capacity=1,
        starts_at=day_after_tomorrow_at(15),
        ends_at=day_after_tomorrow_at(15) + timedelta(hours=1),
    )
    other = appointment_book(participant=ConsentedParticipantFactory(), slot_id=slot.pk)
    journey = open_journey(COURIER)
    page = journey.page
    signed_in(journey, "13800138001")

    # Her day is full: the picker offers the waitlist instead of a dead end.
    journey.goto(f"/book/{campaign.pk}/?site={site.pk}")
    expect(page.locator("form.waitlist legend")).to_contain_text("加入候补")
    journey.step("day-full")
    page.click("button[name=join]")
    expect(page.locator(".flash")).to_contain_text("您已加入候补")
    expect(page.locator("ul.appts")).to_contain_text("排在第1位")
    journey.step("waiting")

    # The other woman cancels: the place is held for her, not left open.
    appointment_cancel(appointment=other)
    page.reload()
    expect(page.locator(".alert")).to_contain_text("已为您保留")
    journey.step("place-held")
    page.click("button[name=claim]")
    expect(page.locator(".flash")).to_contain_text("名额已确认")
    journey.step("booked")

    # Later she defers her next screening herself.
    journey.goto("/my/deferral/")
    journey.step("deferral-form")
    page.get_by_label("哺乳期").check()
    page.get_by_label("12个月").check()
    page.click("button[name=defer]")
    expect(page.locator(".card p").first).to_contain_text("我们会再邀请您")
    journey.step("deferred")
    journey.done()
