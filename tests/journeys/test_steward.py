"""A union steward at a rider station, on her phone at 390x844 in zh-CN: she
signs a woman up beside her, hands the phone over for the woman's own code
and consent, and sees her count go up, never the woman's ID number."""

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from reach.models import AssistedSignup, AssistedStatus
from screening.models import Participant
from tests.accounts.factories import STAFF_PASSWORD, UserFactory
from tests.journeys.conftest import COURIER, Persona
from tests.journeys.courier_support import courier_world, wait_for_code
from tests.journeys.test_wechat_rider import step
from tests.screening.factories import newcomer_id_number

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

STEWARD = Persona("steward", COURIER.viewport)


def test_a_steward_signs_a_woman_up_beside_her_and_never_sees_her_id_again(
    open_journey,  # type: ignore[no-untyped-def]
    celery_worker_thread: None,
) -> None:
    world = courier_world()
    UserFactory(username="steward-wang", role=Role.STEWARD)
    journey = open_journey(STEWARD)
    page = journey.page
    journey.goto("/steward/")
    page.fill("input[name=username]", "steward-wang")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[name=login]")
    expect(page.locator("h1")).to_have_text("您协助的报名")
    step(journey, "home")

    id_number = newcomer_id_number(5)
    page.get_by_role("link", name=world.campaign.name).click()
    page.fill("input[name=phone]", "13800138000")
    page.fill("input[name=full_name]", "赵桂芝")
    page.fill("input[name=id_number]", id_number)
    page.check("input[name=employment_type][value=domestic_service]")
    page.select_option("select[name=district_code]", "410802")
    step(journey, "start")
    page.get_by_role("button", name="向她的手机发送验证码").click()
    expect(page.locator("h1")).to_have_text("请把手机交给她本人")
    assert id_number not in page.content()
    step(journey, "hand-over")

    # She types the code from her own phone and agrees herself.
    page.fill("input[name=code]", wait_for_code())
    page.check("input[name=consent_health_data]")
    page.get_by_role("button", name="确认我的报名").click()
    expect(page.locator("h1")).to_have_text("她已报名成功")
    step(journey, "done")
    assert Participant.objects.get().id_number == id_number
    assert AssistedSignup.objects.get().status == AssistedStatus.CONFIRMED

    page.get_by_role("link", name="返回协助报名").click()
    expect(page.locator("dd").first).to_have_text("1")
    assert "赵桂芝" not in page.content()
    assert id_number not in page.content()
    step(journey, "count")
    journey.done()
