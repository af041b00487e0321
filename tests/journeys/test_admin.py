"""The program admin's day: a new campaign from nothing to bookable slots,
through Django's admin alone (no command line)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from scheduling.models import Slot, SlotTemplate
from screening.models import Campaign
from tests.accounts.factories import STAFF_PASSWORD, program_admin
from tests.journeys.conftest import ADMIN, Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CAMPAIGN = "2027年新就业形态女性两癌筛查"
SITE = "焦作市第二人民医院"


def sign_in(journey: Journey) -> None:
    # A program admin as the product makes one: her group's permissions, no
    # superuser's.
    admin = program_admin()
    assert not admin.is_superuser
    page = journey.page
    journey.goto("/admin/")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    expect(page.locator("#site-name, h1").first).to_be_visible()


def save(journey: Journey, name: str) -> None:
    journey.step(name)
    journey.page.click("input[name=_save]")
    expect(journey.page.locator("ul.messagelist li.success")).to_be_visible()


def create_district_campaign_and_site(journey: Journey) -> None:
    page = journey.page
    today = timezone.localdate()
    journey.goto("/admin/screening/district/add/")
    page.fill("#id_code", "410802")
    page.fill("#id_name", "解放区")
    save(journey, "district")

    journey.goto("/admin/screening/campaign/add/")
    page.fill("#id_name", CAMPAIGN)
    page.fill("#id_starts_on", today.isoformat())
    page.fill("#id_ends_on", (today + timedelta(days=60)).isoformat())
    page.fill("#id_registration_opens_at_0", (today - timedelta(days=1)).isoformat())
    page.fill("#id_registration_opens_at_1", "00:00:00")
    page.fill("#id_registration_closes_at_0", (today + timedelta(days=50)).isoformat())
    page.fill("#id_registration_closes_at_1", "00:00:00")
    page.fill("#id_min_age", "35")
    page.fill("#id_max_age", "64")
    page.fill("#id_quota", "500")
    page.select_option("#id_status", "open")
    page.select_option("#id_districts_from", label="解放区")
    page.click("#id_districts_add")
    save(journey, "campaign")

    journey.goto("/admin/scheduling/site/add/")
    page.fill("#id_code", "JZ2")
    page.fill("#id_name", SITE)
    save(journey, "site")


def test_the_admin_sets_up_a_campaign_from_nothing_to_a_bookable_slot_in_the_admin(
    open_journey,  # type: ignore[no-untyped-def]
) -> None:
    journey = open_journey(ADMIN)
    page = journey.page
    sign_in(journey)
    create_district_campaign_and_site(journey)
    campaign = Campaign.objects.get(name=CAMPAIGN)

    # One slot, through the one form per slot that exists today.
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    journey.goto("/admin/scheduling/slot/add/")
    page.select_option("#id_campaign", label=CAMPAIGN)
    page.select_option("#id_site", label=SITE)
    page.fill("#id_starts_at_0", day)
    page.fill("#id_starts_at_1", "09:00:00")
    page.fill("#id_ends_at_0", day)
    page.fill("#id_ends_at_1", "10:00:00")
    page.fill("#id_capacity", "20")
    save(journey, "slot")
    assert Slot.objects.filter(campaign=campaign).count() == 1

    # What a courier's phone asks for: the campaign on the front page, its slot
    # in the public listing.
    journey.goto("/")
    expect(page.locator("main")).to_contain_text(CAMPAIGN)
    journey.step("front-page")
    listing = page.request.get(journey.url(f"/api/v1/campaigns/{campaign.pk}/slots/"))
    assert listing.ok, listing.status
    slots = listing.json()
    assert [(slot["starts_at"], slot["places"]) for slot in slots] == [
        (f"{day}T09:00:00+08:00", "available")
    ]
    journey.done()


def test_the_admin_enters_a_weeks_templates_and_generates_slots_with_a_preview(
    open_journey,  # type: ignore[no-untyped-def]
) -> None:
    journey = open_journey(ADMIN)
    page = journey.page
    sign_in(journey)
    create_district_campaign_and_site(journey)
    campaign = Campaign.objects.get(name=CAMPAIGN)

    # The week on one page: from the site list's link, the campaign chosen,
    # one opening a day.
    journey.goto("/admin/scheduling/site/")
    page.get_by_role("link", name="填写一周").click()
    page.select_option("select[name=campaign]", label=CAMPAIGN)
    page.get_by_role("button", name="查看").click()
    for weekday in range(7):
        page.select_option(f"select[name=form-{weekday}-weekday]", str(weekday))
        page.fill(f"input[name=form-{weekday}-start_time]", "09:00")
        page.fill(f"input[name=form-{weekday}-end_time]", "11:00")
        page.fill(f"input[name=form-{weekday}-capacity]", "20")
    journey.step("week-templates")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    assert SlotTemplate.objects.filter(campaign=campaign).count() == 7

    # Generate from the site list's action, previewed before anything is made.
    journey.goto("/admin/scheduling/site/")
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option(label="按日期生成号源")
    journey.step("generate-action")
    page.click("button[name=index]")
    first = timezone.localdate() + timedelta(days=1)
    page.fill("input[name=date_from]", first.isoformat())
    page.fill("input[name=date_to]", (first + timedelta(days=6)).isoformat())
    page.get_by_role("button", name="预览").click()
    expect(page.locator("#content-main")).to_contain_text("将新建")
    assert not Slot.objects.exists()
    journey.step("generate-preview")
    page.get_by_role("button", name="新建 7 个号源").click()
    expect(page.locator("ul.messagelist li.success")).to_contain_text("7")
    journey.step("slots-made")
    assert Slot.objects.filter(campaign=campaign).count() == 7
    journey.done()


def test_the_admin_pages_have_no_serious_accessibility_violation(
    open_journey,  # type: ignore[no-untyped-def]
) -> None:
    journey = open_journey(ADMIN)
    sign_in(journey)
    journey.goto("/admin/screening/district/add/")
    journey.step("district-form")
    # The forms with Django's split date/time inputs and two-box selectors.
    for name, path in (
        ("campaign-form", "/admin/screening/campaign/add/"),
        ("site-form", "/admin/scheduling/site/add/"),
        ("slot-form", "/admin/scheduling/slot/add/"),
    ):
        journey.goto(path)
        journey.step(name)
    journey.done()
