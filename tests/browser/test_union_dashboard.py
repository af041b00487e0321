"""A union officer on a phone-sized Chromium: logs in, reads the turnout, breaks it
down by district and downloads the spreadsheet."""

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from accounts.models import Role
from tests.accounts.factories import STAFF_PASSWORD, UserFactory
from tests.scheduling.test_reports_turnout import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_union_officer_reads_turnout_changes_the_breakdown_and_downloads_xlsx(
    live_server,  # type: ignore[no-untyped-def]
    phone_page: Page,
    screenshot,  # type: ignore[no-untyped-def]
) -> None:
    world = build_world()
    officer = UserFactory(username="union-officer", role=Role.UNION)
    page = phone_page

    page.goto(live_server.url + "/union/")
    expect(page).to_have_url(re.compile(r"/staff/login/"))
    page.fill("#id_username", officer.username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("button[name=login]")
    page.goto(live_server.url + "/union/")

    expect(page.locator("#totals-h")).to_have_text(world.campaign.name)
    expect(page.locator("svg.chart.bars").first).to_be_visible()
    expect(page.locator("svg.chart.lines")).to_be_visible()
    expect(page.locator("#breakdown")).to_contain_text("<5")
    screenshot(page, "employment")

    page.select_option("#id_group_by", "district")
    page.click("form.filters button[type=submit]")

    expect(page).to_have_url(re.compile(r"group_by=district"))
    expect(page.locator("#breakdown")).to_contain_text("解放区")
    expect(page.locator("#breakdown")).to_contain_text("山阳区")
    screenshot(page, "district")

    with page.expect_download() as download_info:
        page.click("a[href*='turnout.xlsx']")
    download = download_info.value

    assert download.suggested_filename == f"turnout-{world.campaign.pk}-all-all.xlsx"
    book = load_workbook(io.BytesIO(download.path().read_bytes()))
    rows = list(book["到检情况"].iter_rows(values_only=True))
    assert rows[0][:2] == ("区县", "已报名")
    # 20 registered, published perturbed (common.cellkey): a multiple of 5 near it.
    assert rows[1][0] == "合计"
    assert rows[1][1] % 5 == 0
    assert abs(rows[1][1] - 20) <= 16
    assert {row[0] for row in rows[2:4]} == {"解放区", "山阳区"}
