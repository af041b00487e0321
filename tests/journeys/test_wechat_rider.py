"""A rider inside WeChat's browser at 390x844, zh-CN: WeChat's web authorisation
(a local server playing WeChat), her SMS code once, booking, the confirmation
as a subscribe message; then WeChat signs her straight in. Large text on, and
every page audited by axe-core against WCAG 2.2 AA."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from notifications.backends import locmem
from notifications.models import MessageTemplate, Notification, Status
from reach.models import ReachProfile
from tests.journeys.conftest import Journey, Persona
from tests.journeys.courier_support import PHONE, courier_world, wait_for_code
from tests.pages.flow import registered_woman
from tests.stand_ins.wechat import WeChatStandIn

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800322c) "
    "NetType/4G Language/zh_CN"
)
RIDER = Persona("wechat-rider", {"width": 390, "height": 844}, user_agent=WECHAT_UA)
WCAG22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def wcag_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical violations of WCAG 2.2 A/AA rules."""
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag',"
        " values: tags}, resultTypes: ['violations']})).violations",
        WCAG22_AA,
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def step(journey: Journey, name: str) -> None:
    journey.step(name)
    blocking = wcag_violations(journey.page)
    assert not blocking, f"WCAG 2.2 AA on {journey.page.url}: {blocking}"


def wait_until(condition, seconds: float = 20) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def test_a_rider_signs_in_through_wechat_books_and_gets_her_confirmation_in_wechat(
    open_journey,  # type: ignore[no-untyped-def]
    celery_worker_thread: None,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    world = courier_world()
    registered_woman(PHONE)
    MessageTemplate.objects.update_or_create(
        kind="booking_confirmed",
        defaults={
            "body_zh": "您已预约${date} ${time}在${site},预约号${reference}。",
            "body_en": "Booked: ${site}, ${date} ${time}, reference ${reference}.",
            "param_names": ["date", "time", "site", "reference"],
            "wechat_template_id": "TPL-BOOKED",
            "wechat_fields": {
                "thing1": "site",
                "time2": "time",
                "character_string3": "reference",
            },
        },
    )
    with WeChatStandIn() as wechat:
        wechat.configure(settings)
        journey = open_journey(RIDER)
        page = journey.page

        # Inside WeChat: the official account's menu opens the sign-in.
        journey.goto("/")
        page.get_by_role("button", name="大字").click()
        expect(page.locator("html")).to_have_class("large-text")
        step(journey, "campaign-large-text")
        journey.goto("/wechat/signin/")
        expect(page).to_have_url(re.compile(r"/signin/(#.*)?$"))
        expect(page.locator(".flash")).to_contain_text("微信")
        step(journey, "first-time-in-wechat")

        page.fill("input[name=phone]", PHONE)
        page.click("button[name=send]")
        page.fill("input[name=code]", wait_for_code())
        step(journey, "code")
        page.click("button[name=verify]")
        expect(page).to_have_url(re.compile(r"/(my|book/\d+)/"))
        journey.goto("/my/")
        step(journey, "my")
        assert ReachProfile.objects.get().openid == wechat.state.openid

        journey.goto(f"/book/{world.campaign.pk}/")
        page.get_by_role("link", name=re.compile(world.site.name)).click()
        page.locator("ul.pick a[href*='day=']").first.click()
        page.locator("input[name=slot]:not([disabled])").first.check()
        step(journey, "picker")
        page.click("button[name=choose]")
        step(journey, "booked")

        wait_until(lambda: len(wechat.state.sent) == 1)
        [message] = wechat.state.sent
        assert message["touser"] == wechat.state.openid
        assert message["data"]["thing1"]["value"] == world.site.name
        row = Notification.objects.get(kind="booking_confirmed")
        wait_until(lambda: Notification.objects.get(pk=row.pk).status == Status.SENT)
        assert not [m for m in locmem.outbox if m.kind == "booking_confirmed"]

        journey.goto("/my/channels/")
        step(journey, "channels")
        journey.goto("/my/data/")
        expect(page.locator("main")).to_contain_text("已关联微信")
        step(journey, "my-data")
        assert wechat.state.openid not in page.content()

        # Another day: WeChat signs her straight in, no code.
        page.get_by_role("button", name="退出登录").click()
        journey.goto("/wechat/signin/")
        expect(page).to_have_url(re.compile(r"/my/(#.*)?$"))
        step(journey, "back-through-wechat")
        journey.done()
