"""Her health questions on her phone before the visit (390x844, zh-CN, also
without JavaScript), and the nurse confirming them at the 1280x800 desk."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, expect

from common.crypto import keyed_hash
from scheduling.desk.checkin import appointment_check_in
from screening.authentication import token_hash
from screening.models import ParticipantToken
from screening.session import SIGNED_IN_KEY
from specimens.history.models import ClinicalHistory
from tests.accounts.factories import STAFF_PASSWORD
from tests.journeys.conftest import COURIER, NURSE, Journey
from tests.scheduling.desk_support import booked_today, clinic_user
from tests.scheduling.factories import ConsentedParticipantFactory, SiteFactory
from tests.specimens.history_support import seed_questions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _questions(transactional_db: None) -> None:
    seed_questions()


def her_cookie(participant, base_url: str) -> dict:  # type: ignore[no-untyped-def]
    """Her page session, signed in as the SMS-code step leaves it."""
    token = ParticipantToken.objects.create(
        key_hash=token_hash(f"journey-{participant.pk}"),
        phone=participant.phone,
        phone_hash=keyed_hash(participant.phone, purpose="phone"),
        participant=participant,
        expires_at=timezone.now() + timedelta(days=1),
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SIGNED_IN_KEY] = token.pk
    store.create()
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": store.session_key,
        "url": base_url,
    }


def test_she_answers_on_her_phone_and_the_nurse_confirms_in_one_press(
    open_journey, result_rules
):
    site = SiteFactory(name="焦作市妇幼保健院")
    nurse = clinic_user(site)
    appointment = booked_today(site=site, participant=ConsentedParticipantFactory())
    woman: Journey = open_journey(COURIER)
    woman.context.add_cookies([her_cookie(appointment.participant, woman.base_url)])
    page = woman.page

    woman.goto(f"/my/history/{appointment.campaign_id}/")
    expect(page.locator("h1")).to_have_text("就诊前:几个健康问题")
    woman.step("questions")
    page.fill("input[name=lmp]", f"{timezone.localdate() - timedelta(days=12)}")
    page.locator("[data-key=pregnant] label", has_text="否").click()
    page.locator("[data-key=iud] label", has_text="是").click()
    page.locator("[data-key=contact_bleeding] label", has_text="不清楚").click()
    page.get_by_role("button", name="保存我的回答").click()
    expect(page.locator(".flash")).to_contain_text("已保存")
    woman.step("saved")

    appointment_check_in(by=nurse, reference=appointment.reference)
    desk: Journey = open_journey(NURSE)
    desk.goto("/desk/")
    desk.page.fill("input[name=username]", nurse.username)
    desk.page.fill("input[name=password]", STAFF_PASSWORD)
    desk.page.click("button[name=login]")
    desk.goto(f"/desk/specimens/appointments/{appointment.pk}/")
    desk.page.get_by_role("link", name="她的病史").click()
    expect(desk.page.locator("[data-key=iud] input[value=yes]")).to_be_checked()
    expect(desk.page.locator("h1")).not_to_contain_text(
        appointment.participant.full_name
    )
    desk.step("to-confirm")
    # The confirm button has the focus: one key press.
    desk.page.keyboard.press("Enter")
    expect(desk.page.locator(".flash")).to_contain_text("病史已确认")
    desk.step("confirmed")
    history = ClinicalHistory.objects.get()
    assert history.confirmed_by == nurse
    assert {e["key"] for e in history.answers} == {
        "lmp",
        "pregnant",
        "iud",
        "contact_bleeding",
    }
    woman.done()
    desk.done()


def test_her_form_saves_with_javascript_off(browser: Browser, live_server):  # type: ignore[no-untyped-def]
    appointment = booked_today(
        site=SiteFactory(), participant=ConsentedParticipantFactory()
    )
    context = browser.new_context(
        viewport=COURIER.viewport, locale="zh-CN", java_script_enabled=False
    )
    context.add_cookies([her_cookie(appointment.participant, live_server.url)])
    page = context.new_page()
    page.goto(f"{live_server.url}/my/history/{appointment.campaign_id}/")
    page.locator("[data-key=hysterectomy] label", has_text="否").click()
    page.get_by_role("button", name="保存我的回答").click()
    expect(page.locator(".flash")).to_contain_text("已保存")
    context.close()
    answers = ClinicalHistory.objects.get().answers
    assert answers[0]["key"] == "hysterectomy"
