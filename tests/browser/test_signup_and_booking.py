"""A worker's whole path on a phone-sized Chromium: campaign page to a rescheduled
booking, with the sign-in code travelling through the outbox, a real Celery worker
and the `file` SMS backend."""

import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from scheduling.models import Appointment, AppointmentStatus
from tests.scheduling.factories import SiteFactory, SlotFactory, tomorrow_at
from tests.screening.factories import (
    CampaignFactory,
    DistrictFactory,
    newcomer_id_number,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def code_from_sms_file(path: Path, *, seconds: float = 20) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                if record["kind"] == "otp":
                    return re.search(r"\d{6}", record["text"]).group(0)  # type: ignore[union-attr]
        time.sleep(0.2)
    raise AssertionError("no sign-in code reached the file backend")


def test_a_worker_signs_up_books_and_reschedules_on_her_phone(
    live_server,  # type: ignore[no-untyped-def]
    celery_worker_thread: None,
    phone_page: Page,
    settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    screenshot,  # type: ignore[no-untyped-def]
) -> None:
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    district = DistrictFactory(code="410802", name="解放区")
    campaign = CampaignFactory(name="新就业形态女性两癌筛查", districts=[district])
    site = SiteFactory(name="焦作市妇幼保健院")
    SlotFactory(campaign=campaign, site=site)
    SlotFactory(
        campaign=campaign,
        site=site,
        starts_at=tomorrow_at(10),
        ends_at=tomorrow_at(10) + timedelta(hours=1),
    )
    page = phone_page

    page.goto(live_server.url + "/")
    expect(page.locator("h1").first).to_have_text("新就业形态女性两癌筛查")
    screenshot(page, "1-campaign")
    page.locator(f"a[href='/signup/{campaign.pk}/']").click()

    page.fill("input[name=phone]", "138 0013 8000")
    screenshot(page, "2-phone")
    page.click("button[name=send]")
    page.fill("input[name=code]", code_from_sms_file(settings.SMS_FILE_PATH))
    page.click("button[name=verify]")

    page.fill("input[name=full_name]", "王芳")
    page.fill("input[name=id_number]", newcomer_id_number(7))
    page.check("input[name=employment_type][value=food_delivery]")
    page.select_option("select[name=district_code]", "410802")
    screenshot(page, "3-profile")
    page.click("button[name=next]")

    page.check("input[name=consent_health_data]")
    screenshot(page, "4-consent")
    page.click("button[name=agree]")

    page.get_by_role("link", name=re.compile(site.name)).click()
    page.locator("ul.pick a[href*='day=']").first.click()
    page.locator("input[name=slot]:not([disabled])").first.check()
    screenshot(page, "5-picker")
    page.click("button[name=choose]")

    appointment = Appointment.objects.get(participant__full_name="王芳")
    expect(page.get_by_text(appointment.reference)).to_be_visible()
    qr = page.locator("img.qr")
    expect(qr).to_be_visible()
    # The QR code is a separate request: wait until the image has really loaded.
    page.wait_for_function(
        "() => { const img = document.querySelector('img.qr');"
        " return img.complete && img.naturalWidth > 0; }"
    )
    screenshot(page, "6-confirmation")
    first_slot = appointment.slot_id

    page.get_by_role("button", name="改约其他时间").click()
    page.get_by_role("link", name=re.compile(site.name)).click()
    page.locator("ul.pick a[href*='day=']").first.click()
    page.locator("input[name=slot]:not([disabled])").first.check()
    page.click("button[name=choose]")

    appointment.refresh_from_db()
    expect(page.get_by_text(appointment.reference)).to_be_visible()
    screenshot(page, "7-rescheduled")
    assert appointment.slot_id != first_slot
    assert appointment.status == AppointmentStatus.BOOKED
