"""Large-text mode (适老化) at 390x844, zh-CN, on every participant page: the
switch persists from page to page, text is 18 px or more, every control is 48
px or taller, and axe-core finds no serious or critical WCAG 2.2 AA violation
(contrast included)."""

import re

import pytest
from playwright.sync_api import Page, expect

from scheduling.models import Appointment
from tests.journeys.conftest import COURIER, Journey
from tests.journeys.courier_support import courier_world, wait_for_code
from tests.journeys.test_wechat_rider import wcag_violations
from tests.screening.factories import newcomer_id_number
from tests.specimens.history_support import seed_questions

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

# Every control she taps, and its bounding box height.
_CONTROLS = """() => [...document.querySelectorAll(
  'button, .button, input[type=text], input[type=tel], input[type=password],'
  + ' input[type=date], select, .pick li > a, .appts li a, .check label,'
  + ' .choices label, .slot label, main p > a, .account a')]
  .filter(e => e.offsetParent !== null)
  .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])"""


def check_page(journey: Journey, name: str) -> None:
    page: Page = journey.page
    journey.step(name)
    expect(page.locator("html")).to_have_class("large-text")
    blocking = wcag_violations(page)
    assert not blocking, f"WCAG 2.2 AA on {page.url}: {blocking}"
    base = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert base >= 18, f"{page.url}: body text {base}px"
    small = [(html, h) for html, h in page.evaluate(_CONTROLS) if h < 48]
    assert not small, f"{page.url}: controls under 48px: {small}"


def test_every_participant_page_in_large_text_is_readable_and_tappable(
    open_journey,  # type: ignore[no-untyped-def]
    celery_worker_thread: None,
) -> None:
    world = courier_world()
    # The flush of transactional tests empties the seeded wording; put it back.
    seed_questions()
    journey = open_journey(COURIER)
    page = journey.page
    journey.goto("/")
    page.get_by_role("button", name="大字").click()
    check_page(journey, "campaign")
    journey.goto("/signin/")
    check_page(journey, "signin")

    journey.goto(f"/signup/{world.campaign.pk}/")
    page.fill("input[name=phone]", "13800138000")
    page.click("button[name=send]")
    check_page(journey, "code")
    page.fill("input[name=code]", wait_for_code())
    page.click("button[name=verify]")
    check_page(journey, "profile")
    page.fill("input[name=full_name]", "李桂兰")
    page.fill("input[name=id_number]", newcomer_id_number(3))
    page.check("input[name=employment_type][value=domestic_service]")
    page.select_option("select[name=district_code]", "410802")
    page.click("button[name=next]")
    check_page(journey, "consent")
    page.check("input[name=consent_health_data]")
    page.click("button[name=agree]")
    check_page(journey, "picker-sites")
    page.get_by_role("link", name=re.compile(world.site.name)).click()
    page.locator("ul.pick a[href*='day=']").first.click()
    check_page(journey, "picker-times")
    page.locator("input[name=slot]:not([disabled])").first.check()
    page.click("button[name=choose]")
    check_page(journey, "booked")
    appointment = Appointment.objects.get()

    for name, path in [
        ("my", "/my/"),
        ("appointment", f"/my/appointments/{appointment.pk}/"),
        ("reschedule", f"/my/appointments/{appointment.pk}/reschedule/"),
        ("results", "/my/results/"),
        ("channels", "/my/channels/"),
        ("history", f"/my/history/{world.campaign.pk}/"),
        ("quiz", f"/quiz/{world.campaign.pk}/"),
        ("deferral", "/my/deferral/"),
        ("waitlist", "/my/waitlist/"),
        ("day", "/my/day/"),
        ("data", "/my/data/"),
        ("withdraw", "/my/data/withdraw/"),
    ]:
        journey.goto(path)
        check_page(journey, name)
    page.get_by_role("button", name="标准字号").click()
    expect(page.locator("html")).not_to_have_class("large-text")
    journey.done()
