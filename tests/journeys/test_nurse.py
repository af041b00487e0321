"""The nurse's day at a 1280x800 desk with a queue of 30 women: check-in by
reference, by a USB scanner (the reference typed, then Enter), by search, a
walk-in, results, a correction in the review window, a follow-up call."""

import re

import pytest
from playwright.sync_api import expect

from notifications.models import Notification, Status
from scheduling.desk.checkin import appointment_check_in
from scheduling.desk.results import appointment_results_record
from scheduling.models import Appointment, AppointmentStatus
from screening.models import FollowUpCase, Visit
from screening.tasks import summary_compute_task
from tests.accounts.factories import STAFF_PASSWORD
from tests.journeys.conftest import NURSE, Journey
from tests.scheduling.desk_support import clinic_user, slot_today
from tests.scheduling.factories import (
    AppointmentFactory,
    ConsentedParticipantFactory,
    SiteFactory,
)
from tests.screening.factories import (
    CampaignFactory,
    DistrictFactory,
    newcomer_id_number,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"


def queue_of_thirty() -> tuple[object, list[Appointment]]:
    district = DistrictFactory(code="410802", name="解放区")
    campaign = CampaignFactory(name="新就业形态女性两癌筛查", districts=[district])
    site = SiteFactory(name="焦作市妇幼保健院")
    slots = [
        slot_today(site=site, campaign=campaign, hour=8 + hour, capacity=5, booked=3)
        for hour in range(10)
    ]
    queue = [
        AppointmentFactory(
            slot=slots[n % 10],
            # Every woman who booked has agreed to the processing of her data.
            participant=ConsentedParticipantFactory(
                full_name=f"{SURNAMES[n]}秀英", phone=f"1381234{n:04d}"
            ),
        )
        for n in range(30)
    ]
    return site, queue


def sign_in(journey: Journey, username: str) -> None:
    page = journey.page
    journey.goto("/desk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", STAFF_PASSWORD)
    journey.step("login")
    page.click("button[name=login]")


def checked_in(journey: Journey, appointment: Appointment) -> None:
    page = journey.page
    expect(page.locator(".flash li.success")).to_contain_text(appointment.reference)
    # Named in full beside the box, which has the focus for the next woman.
    expect(page.locator(".just .full-name")).to_have_text(
        appointment.participant.full_name
    )
    expect(page.locator("form.checkin input[name=reference]")).to_be_focused()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN


def test_the_nurse_works_through_a_queue_of_thirty_women(
    open_journey,  # type: ignore[no-untyped-def]
    result_rules: None,
) -> None:
    site, queue = queue_of_thirty()
    nurse = clinic_user(site)
    journey = open_journey(NURSE)
    page = journey.page
    sign_in(journey, nurse.username)
    expect(page.locator("h1").first).to_have_text(site.name)
    expect(page.locator("tr[id^=a]")).to_have_count(30)
    journey.step("day-list")

    by_reference, by_scanner, by_search = queue[0], queue[1], queue[2]
    page.fill("form.checkin input[name=reference]", by_reference.reference.lower())
    page.click("form.checkin button[name=checkin]")
    checked_in(journey, by_reference)
    journey.step("checked-in-by-reference")

    # A USB scanner types the QR code's reference and presses Enter.
    page.locator("form.checkin input[name=reference]").press_sequentially(
        by_scanner.reference
    )
    page.locator("form.checkin input[name=reference]").press("Enter")
    checked_in(journey, by_scanner)
    journey.step("checked-in-by-scanner")

    page.get_by_role("link", name="查找预约").click()
    page.fill("input[name=phone_last4]", by_search.participant.phone[-4:])
    page.fill("input[name=name_initial]", by_search.participant.full_name[0])
    page.locator("select[name=purpose]").select_option(index=1)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("main")).to_contain_text(by_search.reference)
    journey.step("search")
    page.get_by_role("button", name="签到").first.click()
    checked_in(journey, by_search)
    journey.step("checked-in-by-search")

    page.get_by_role("link", name="现场登记").click()
    page.fill("input[name=phone]", "13912340000")
    page.fill("input[name=full_name]", "周丽")
    page.fill("input[name=id_number]", newcomer_id_number(3))
    page.check("input[name=employment_type][value=food_delivery]")
    page.select_option("select[name=district_code]", "410802")
    page.check("input[name=consent]")
    journey.step("walk-in-form")
    page.get_by_role("button", name="登记并签到").click()
    walk_in = Appointment.objects.get(participant__full_name="周丽")
    expect(page.locator(".flash li.success")).to_contain_text(walk_in.reference)
    expect(page.locator(".just .full-name")).to_have_text("周丽")
    journey.step("walk-in-checked-in")
    # Straight from her check-in to her results, and back to the box.
    page.locator(".just .results-link").click()
    expect(page.locator(".full-name")).to_have_text("周丽")
    expect(page.locator("select[name=test_hpv]")).to_be_focused()
    page.select_option("select[name=test_hpv]", "HPV_NEG")
    page.get_by_role("button", name="录入结果").click()
    expect(page.locator(".flash li.success")).to_contain_text(walk_in.reference)
    expect(page.locator("form.checkin input[name=reference]")).to_be_focused()

    journey.goto(f"/desk/?site={site.pk}")
    page.locator(f"#a{by_reference.pk}").get_by_role("link", name="结果").click()
    page.select_option("select[name=test_hpv]", "HPV_NEG")
    page.select_option("select[name=test_cbe]", "CBE_NORMAL")
    journey.step("results-form")
    page.get_by_role("button", name="录入结果").click()
    expect(page.locator(".flash li.success")).to_contain_text(by_reference.reference)
    expect(page.locator("form.checkin input[name=reference]")).to_be_focused()
    journey.step("results-recorded")
    by_reference.refresh_from_db()
    assert by_reference.status == AppointmentStatus.SCREENED
    # A colleague who reads English switches the desk's language.
    page.get_by_role("button", name="English").click()
    expect(page.locator("form.checkin label")).to_contain_text("Check in")
    expect(page.locator("form.checkin input[name=reference]")).to_be_focused()
    journey.step("desk-in-english")
    journey.done()


def screened(nurse, appointment: Appointment, **values: str) -> None:  # type: ignore[no-untyped-def]
    """Checked in and results recorded at the desk, as the journey above does
    through the pages."""
    appointment_check_in(by=nurse, reference=appointment.reference)
    appointment_results_record(
        by=nurse,
        appointment_id=appointment.pk,
        tests=[{"test": test, "value": value} for test, value in values.items()],
        notes="",
    )
    # What the worker does after commit, done here in the test's own thread.
    summary_compute_task(Visit.objects.get(appointment_id=appointment.pk).pk)


def test_the_nurse_reopens_recorded_results_and_corrects_one_inside_the_review_window(
    open_journey,  # type: ignore[no-untyped-def]
    result_rules: None,
) -> None:
    site, queue = queue_of_thirty()
    nurse = clinic_user(site)
    woman = queue[0]
    screened(nurse, woman, hpv="HPV_NEG", cbe="CBE_NORMAL")
    journey = open_journey(NURSE)
    page = journey.page
    sign_in(journey, nurse.username)
    journey.goto(f"/desk/appointments/{woman.pk}/results/?site={site.pk}")
    journey.step("recorded-results-reopened")
    expect(page.locator("select[name=test_hpv]")).to_have_value("HPV_NEG")
    expect(page.locator("select[name=test_cbe]")).to_have_value("CBE_NORMAL")
    expect(page.locator(".pending-message")).to_be_visible()
    page.select_option("select[name=test_hpv]", "HPV_OTHER_POS")
    page.get_by_role("button", name="录入结果").click()
    expect(page.locator(".flash li.success")).to_contain_text(woman.reference)
    journey.step("corrected")
    summary_compute_task(Visit.objects.get(appointment_id=woman.pk).pk)
    # One message waits for her, the corrected one; the first never goes.
    waiting = Notification.objects.filter(kind="result_ready").order_by("id")
    assert [message.status for message in waiting] == [
        Status.CANCELLED,
        Status.PENDING,
    ]
    journey.goto(f"/desk/appointments/{woman.pk}/results/?site={site.pk}")
    expect(page.locator("select[name=test_hpv]")).to_have_value("HPV_OTHER_POS")
    expect(page.locator("table.history")).to_contain_text("HPV_NEG")
    journey.step("history")
    # The correction was itself a slip: undo it while the window lasts.
    page.get_by_role("button", name="撤销最近一次录入").click()
    expect(page.locator(".flash li.success")).to_be_visible()
    expect(page.locator("select[name=test_hpv]")).to_have_value("HPV_NEG")
    journey.step("correction-undone")
    journey.done()


def test_the_nurse_reveals_a_number_on_the_follow_up_list_and_records_the_call(
    open_journey,  # type: ignore[no-untyped-def]
    result_rules: None,
) -> None:
    site, queue = queue_of_thirty()
    nurse = clinic_user(site)
    woman = queue[0]
    screened(nurse, woman, hpv="HPV_16_18_POS", cbe="CBE_NORMAL")
    journey = open_journey(NURSE)
    page = journey.page
    sign_in(journey, nurse.username)
    journey.goto(f"/desk/follow-up/?site={site.pk}")
    expect(page.locator("main")).to_contain_text(woman.participant.full_name[0])
    journey.step("follow-up-list")
    page.get_by_role("button", name=re.compile("号码")).first.click(timeout=3_000)
    expect(page.locator("main")).to_contain_text(woman.participant.phone)
    journey.step("number-revealed")
    page.select_option("select[name=outcome]", "reached")
    page.fill("input[name=note]", "约下周三复查")
    page.get_by_role("button", name="记录这次通话").click()
    expect(page.locator(".flash li.success")).to_contain_text(woman.reference)
    expect(page.locator(f"#case-{case_id(woman)} .last-call")).to_contain_text(
        "已联系上"
    )
    expect(page.locator("main")).not_to_contain_text(woman.participant.phone)
    journey.step("call-recorded")
    journey.done()


def case_id(appointment: Appointment) -> int:
    return FollowUpCase.objects.get(visit__appointment_id=appointment.pk).pk


def test_the_desk_list_has_no_serious_accessibility_violation_after_a_check_in(
    open_journey,  # type: ignore[no-untyped-def]
) -> None:
    site, queue = queue_of_thirty()
    nurse = clinic_user(site)
    appointment_check_in(by=nurse, reference=queue[0].reference)
    journey = open_journey(NURSE)
    sign_in(journey, nurse.username)
    journey.step("day-list-with-one-in")


def test_the_nurse_is_stopped_by_a_walk_in_of_another_woman_and_a_booking_elsewhere(
    open_journey,  # type: ignore[no-untyped-def]
    result_rules: None,
) -> None:
    site, queue = queue_of_thirty()
    other_site = SiteFactory(name="解放区妇幼保健院")
    nurse = clinic_user(site, other_site)
    elsewhere = AppointmentFactory(
        slot=slot_today(site=other_site, campaign=queue[0].campaign, hour=9)
    )
    on_record = queue[5].participant
    journey = open_journey(NURSE)
    page = journey.page
    sign_in(journey, nurse.username)
    page.get_by_role("link", name=site.name).click()

    # Typed with a new phone and name, but the ID number of a woman on record.
    page.get_by_role("link", name="现场登记").click()
    page.fill("input[name=phone]", "13912349999")
    page.fill("input[name=full_name]", "周丽")
    page.fill("input[name=id_number]", on_record.id_number)
    page.check("input[name=employment_type][value=food_delivery]")
    page.select_option("select[name=district_code]", "410802")
    page.check("input[name=consent]")
    page.get_by_role("button", name="登记并签到").click()
    expect(page.locator(".conflict")).to_contain_text(on_record.phone[:3] + "****")
    expect(page.locator("input[name=phone]")).to_have_value("13912349999")
    journey.step("walk-in-identity-conflict")
    page.get_by_role("button", name="她就是这位女性:使用此记录").click()
    # She is that woman, and she booked: the desk names the booking to check in.
    expect(page.locator("[role=alert]")).to_contain_text(queue[5].reference)
    journey.step("walk-in-confirmed-has-a-booking")
    assert not Appointment.objects.filter(is_walk_in=True).exists()
    page.get_by_role("link", name="当日名单", exact=True).click()
    page.fill("form.checkin input[name=reference]", queue[5].reference)
    page.keyboard.press("Enter")
    expect(page.locator(".just .full-name")).to_have_text(on_record.full_name)
    journey.step("checked-in-by-the-reference-named")

    # A booking for the other hospital, brought to this desk.
    page.fill("form.checkin input[name=reference]", elsewhere.reference)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("解放区妇幼保健院")
    expect(page.locator(".full-name")).to_have_text(elsewhere.participant.full_name)
    elsewhere.refresh_from_db()
    assert elsewhere.status == AppointmentStatus.BOOKED
    journey.step("booked-at-another-site")
    page.get_by_role("button", name="她现在就在这里:在本机构签到").click()
    expect(page.locator(".flash li.success")).to_contain_text(elsewhere.reference)
    journey.step("checked-in-here")
    assert Visit.objects.get(appointment_id=elsewhere.pk).site_id == site.pk
    journey.done()
