"""The clinic desk on a tablet-sized Chromium: a nurse logs in, checks a booked
woman in by her reference, and records her results."""

import pytest
from playwright.sync_api import Page, expect

from scheduling.models import AppointmentStatus
from screening.models import Result, ResultCode, ResultTest
from tests.accounts.factories import STAFF_PASSWORD
from tests.scheduling.desk_support import booked_today, clinic_user
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ensure_result_codes() -> None:
    # A transactional test may run after another one flushed the seeded codes.
    for test, code, zh, en in (
        (ResultTest.HPV, "HPV_NEG", "HPV阴性", "HPV negative"),
        (ResultTest.CBE, "CBE_NORMAL", "临床乳腺检查未见异常", "CBE normal"),
    ):
        ResultCode.objects.get_or_create(
            test=test, code=code, defaults={"label_zh": zh, "label_en": en}
        )


def test_a_nurse_checks_a_woman_in_by_reference_and_records_her_results(
    live_server,  # type: ignore[no-untyped-def]
    phone_page: Page,
    screenshot,  # type: ignore[no-untyped-def]
) -> None:
    ensure_result_codes()
    site = SiteFactory(name="焦作市妇幼保健院")
    nurse = clinic_user(site)
    woman = ParticipantFactory(full_name="张秀英", phone="13812345678")
    appointment = booked_today(site=site, participant=woman)
    tablet = phone_page

    tablet.goto(live_server.url + "/desk/")
    expect(tablet).to_have_url(live_server.url + "/staff/login/?next=/desk/")
    tablet.fill("input[name=username]", nurse.username)
    tablet.fill("input[name=password]", STAFF_PASSWORD)
    screenshot(tablet, "1-login")
    tablet.click("button[name=login]")

    expect(tablet.locator("h1").first).to_have_text(site.name)
    expect(tablet.locator(f"#a{appointment.pk}")).to_contain_text("张**")
    expect(tablet.locator(f"#a{appointment.pk}")).to_contain_text("138****5678")
    screenshot(tablet, "2-day-list")

    tablet.fill("input[name=reference]", appointment.reference.lower())
    tablet.click("form.checkin button[name=checkin]")
    expect(tablet.locator(".flash li.success")).to_contain_text(appointment.reference)
    expect(tablet.locator(f"#a{appointment.pk} button[name=undo]")).to_be_visible()
    screenshot(tablet, "3-checked-in")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN

    tablet.locator(
        f"#a{appointment.pk} a[href='/desk/appointments/{appointment.pk}/results/']"
    ).click()
    tablet.select_option("select[name=test_hpv]", "HPV_NEG")
    tablet.select_option("select[name=test_cbe]", "CBE_NORMAL")
    screenshot(tablet, "4-results")
    tablet.click("button[name=record]")

    expect(tablet.locator(".flash li.success")).to_contain_text(appointment.reference)
    screenshot(tablet, "5-recorded")
    assert Result.objects.filter(visit__appointment_id=appointment.pk).count() == 2
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCREENED
