"""An admin at a 1280x800 desk makes bookable time in the admin alone: a week's
slot templates on one page, then slots generated for a range, previewed first."""

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role
from scheduling.models import Slot, SlotTemplate
from tests.accounts.factories import STAFF_PASSWORD, UserFactory
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import CampaignFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk_page(browser: Browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 1280, "height": 800},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_an_admin_enters_a_week_and_generates_its_slots(
    live_server,  # type: ignore[no-untyped-def]
    desk_page: Page,
    screenshot,  # type: ignore[no-untyped-def]
) -> None:
    admin_user = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    campaign = CampaignFactory(name="2026年两癌筛查")
    site = SiteFactory(name="焦作市妇幼保健院")
    page = desk_page
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", admin_user.username)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("input[type=submit]")

    page.goto(
        f"{live_server.url}/admin/scheduling/site/{site.pk}/week-templates/"
        f"?campaign={campaign.pk}"
    )
    for row, weekday in enumerate(("0", "2", "4")):
        page.select_option(f"select[name=form-{row}-weekday]", weekday)
        page.fill(f"input[name=form-{row}-start_time]", "08:30")
        page.fill(f"input[name=form-{row}-end_time]", "11:30")
        page.fill(f"input[name=form-{row}-capacity]", "40")
    screenshot(page, "1-week-templates")
    page.click("input[type=submit].default")
    expect(page.locator(".messagelist")).to_contain_text("本周号源模板已保存")
    assert SlotTemplate.objects.filter(campaign=campaign, site=site).count() == 3

    page.goto(f"{live_server.url}/admin/screening/campaign/")
    page.check(f"input[name=_selected_action][value='{campaign.pk}']")
    page.select_option("select[name=action]", "generate_slots_action")
    page.click("button[name=index]")
    first = campaign.starts_on + timedelta(days=1)
    page.fill("input[name=date_from]", first.isoformat())
    page.fill("input[name=date_to]", (first + timedelta(days=13)).isoformat())
    page.click("input[name=preview]")
    expect(page.locator("#content-main tbody").first).to_contain_text("将新建")
    screenshot(page, "2-preview")
    assert not Slot.objects.exists()

    page.click("input[name=confirm]")
    expect(page.locator(".messagelist")).to_contain_text("已新建 6 个号源")
    assert Slot.objects.filter(campaign=campaign, site=site).count() == 6
