"""The union officer's day at her desk: the dashboard mid-campaign, every
breakdown, both downloads read back and matched against what the page says."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from accounts.models import Role
from tests.accounts.factories import STAFF_PASSWORD, UserFactory
from tests.journeys.conftest import UNION_OFFICER, Journey
from tests.scheduling.test_reports_turnout import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GROUP_BYS = ("employment_type", "district", "site", "day", "age_band")


def sign_in(journey: Journey, username: str) -> None:
    page = journey.page
    journey.goto("/union/")
    expect(page).to_have_url(re.compile(r"/staff/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("button[name=login]")
    journey.goto("/union/")


def breakdown_on_page(page: Page) -> dict[str, list[str]]:
    rows = page.locator("#breakdown tbody tr")
    return {
        rows.nth(i).locator("th").inner_text().strip(): [
            cell.strip() for cell in rows.nth(i).locator("td").all_inner_texts()
        ]
        for i in range(rows.count())
    }


def download(journey: Journey, selector: str) -> bytes:
    with journey.page.expect_download() as info:
        journey.page.click(selector)
    return info.value.path().read_bytes()


def test_the_union_officer_reads_every_breakdown_and_both_exports_agree_with_the_page(
    open_journey,  # type: ignore[no-untyped-def]
) -> None:
    world = build_world()
    officer = UserFactory(username="union-officer", role=Role.UNION)
    journey = open_journey(UNION_OFFICER)
    page = journey.page
    sign_in(journey, officer.username)
    expect(page.locator("#totals-h")).to_have_text(world.campaign.name)
    journey.step("dashboard")

    seen: dict[str, dict[str, list[str]]] = {}
    for group_by in GROUP_BYS:
        page.select_option("#id_group_by", group_by)
        page.click("form.filters button[type=submit]")
        expect(page).to_have_url(re.compile(f"group_by={group_by}"))
        seen[group_by] = breakdown_on_page(page)
        assert seen[group_by], f"no rows shown grouped by {group_by}"
        journey.step(f"by-{group_by}")
    assert {"解放区", "山阳区"} <= set(seen["district"])
    assert {"市妇幼保健院", "区人民医院"} <= set(seen["site"])

    page.select_option("#id_group_by", "district")
    page.click("form.filters button[type=submit]")
    csv_text = download(journey, "a[href*='turnout.csv']").decode("utf-8-sig")
    csv_rows = list(csv.reader(io.StringIO(csv_text)))
    book = load_workbook(io.BytesIO(download(journey, "a[href*='turnout.xlsx']")))
    # Both files speak her language, as the page does: headers she can read.
    assert book.sheetnames == ["到检情况", "每日情况"]
    xlsx_rows = [
        ["" if value is None else str(value) for value in row]
        for row in book["到检情况"].iter_rows(values_only=True)
    ]
    assert csv_rows[0] == xlsx_rows[0], "the CSV and the XLSX head their columns apart"
    # The page's columns, and the funded places used, which only the totals carry.
    on_page = [h.strip() for h in page.locator("#breakdown thead th").all_inner_texts()]
    assert csv_rows[0] == [*on_page[:-2], "已用资助名额", *on_page[-2:]], csv_rows[0]
    places = {"合计", *seen["district"]}

    def counted(rows: list[list[str]]) -> list[list[str]]:
        # The counts, up to the funded places used; the XLSX keeps rates as
        # numbers (0.6) where the CSV writes them out (60.0%).
        return [row[:8] for row in rows if row and row[0] in places]

    assert counted(csv_rows) == counted(xlsx_rows), "the CSV and the XLSX disagree"
    exported = {row[0]: row for row in csv_rows if row and row[0] in seen["district"]}
    assert set(exported) == set(seen["district"])
    for district, cells in seen["district"].items():
        # Every count and rate the page shows for a district is the CSV's.
        row = exported[district]
        assert cells == [*row[1:7], *row[8:10]], (district, cells, row)
    journey.done()


def test_the_union_dashboard_has_no_serious_accessibility_violation(
    open_journey,  # type: ignore[no-untyped-def]
) -> None:
    build_world()
    officer = UserFactory(username="union-officer", role=Role.UNION)
    journey = open_journey(UNION_OFFICER)
    sign_in(journey, officer.username)
    # The hidden figures she must still be able to read, and why they may differ.
    expect(journey.page.locator("#breakdown td.hidden").first).to_be_visible()
    expect(journey.page.locator("#privacy-note")).to_contain_text("为保护隐私")
    assert journey.step("dashboard") == []
