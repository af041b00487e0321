"""The courier's day on a 390x844 phone over a slow network, in zh-CN: sign-up
with a slow SMS, a wrong code, a mistyped ID, booking, reschedule, cancel,
rebook, her results once the desk has recorded them, her data, withdrawal."""

import json
import re
import time

import pytest
from playwright.sync_api import Page, expect

from scheduling.desk.checkin import appointment_check_in
from scheduling.desk.results import appointment_results_record
from scheduling.models import Appointment, AppointmentStatus
from screening.models import Visit
from tests.journeys.conftest import COURIER, Journey
from tests.journeys.courier_support import courier_world, wait_for_code
from tests.scheduling.desk_support import clinic_user
from tests.screening.factories import newcomer_id_number

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def mistyped(id_number: str) -> str:
    """The same ID with its check digit wrong, as a thumb slipping would do."""
    last = id_number[-1]
    return id_number[:-1] + ("1" if last != "1" else "2")


def sign_up(journey: Journey, campaign_id: int) -> None:
    page = journey.page
    journey.goto("/")
    expect(page.locator("h1").first).to_have_text("新就业形态女性两癌筛查")
    journey.step("campaign")
    page.locator(f"a[href='/signup/{campaign_id}/']").click()
    page.fill("input[name=phone]", "138 0013 8000")
    journey.step("phone")
    page.click("button[name=send]")
    expect(page.locator("input[name=code]")).to_be_visible()
    journey.step("code-page")


def wait_for_summary(appointment_id: int, seconds: float = 20) -> None:
    """The worker writes her summary a moment after the desk records results."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if Visit.objects.filter(
            appointment_id=appointment_id, summary__isnull=False
        ).exists():
            return
        time.sleep(0.1)
    raise AssertionError("no summary was written for her results")


def pick_first_time(page: Page, site_name: str) -> None:
    page.get_by_role("link", name=re.compile(site_name)).click()
    page.locator("ul.pick a[href*='day=']").first.click()
    page.locator("input[name=slot]:not([disabled])").first.check()


def test_the_courier_signs_up_books_moves_cancels_rebooks_reads_results_and_withdraws(
    open_journey,  # type: ignore[no-untyped-def]
    celery_worker_thread: None,
    result_rules: None,
) -> None:
    world = courier_world()
    journey = open_journey(COURIER)
    page = journey.page
    sign_up(journey, world.campaign.pk)

    # The SMS is slow; when it comes she first types it wrong.
    code = wait_for_code()
    page.fill("input[name=code]", "000000" if code != "000000" else "111111")
    page.click("button[name=verify]")
    expect(page.locator(".field:has(input[name=code])")).to_contain_text(
        "验证码错误或已过期"
    )
    journey.step("wrong-code")
    page.fill("input[name=code]", code)
    page.click("button[name=verify]")

    id_number = newcomer_id_number(7)
    page.fill("input[name=full_name]", "王芳")
    page.fill("input[name=id_number]", mistyped(id_number))
    page.check("input[name=employment_type][value=food_delivery]")
    page.select_option("select[name=district_code]", "410802")
    page.click("button[name=next]")
    id_error = page.locator(".field:has(input[name=id_number])")
    expect(id_error).to_contain_text("身份证")
    expect(page.locator("input[name=full_name]")).to_have_value("王芳")
    journey.step("mistyped-id")
    page.fill("input[name=id_number]", id_number)
    page.click("button[name=next]")

    page.check("input[name=consent_health_data]")
    journey.step("consent")
    page.click("button[name=agree]")

    pick_first_time(page, world.site.name)
    journey.step("picker")
    page.click("button[name=choose]")
    appointment = Appointment.objects.get(participant__full_name="王芳")
    expect(page.get_by_text(appointment.reference)).to_be_visible()
    expect(page.locator("main")).to_contain_text(world.site.name)
    journey.step("booked")
    first_slot = appointment.slot_id

    page.get_by_role("button", name="改约其他时间").click()
    page.get_by_role("link", name=re.compile(world.site.name)).click()
    page.locator("ul.pick a[href*='day=']").first.click()
    page.locator("input[name=slot]:not([disabled]):not(:checked)").first.check()
    page.click("button[name=choose]")
    appointment.refresh_from_db()
    assert appointment.slot_id != first_slot
    expect(page.get_by_text(appointment.reference)).to_be_visible()
    journey.step("rescheduled")

    page.get_by_role("button", name="取消预约").click()
    journey.step("cancel-confirm")
    page.get_by_role("button", name="确定取消预约").click()
    expect(page.locator("main")).to_contain_text("取消")
    journey.step("cancelled")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED

    journey.goto(f"/book/{world.campaign.pk}/")
    pick_first_time(page, world.site.name)
    page.click("button[name=choose]")
    rebooked = Appointment.objects.get(
        participant__full_name="王芳", status=AppointmentStatus.BOOKED
    )
    expect(page.get_by_text(rebooked.reference)).to_be_visible()
    journey.step("rebooked")

    # The desk checks her in and records her results (the nurse's own journey
    # walks those pages); a worker writes her summary.
    nurse = clinic_user(world.site)
    appointment_check_in(by=nurse, reference=rebooked.reference, force=True)
    appointment_results_record(
        by=nurse,
        appointment_id=rebooked.pk,
        tests=[
            {"test": "hpv", "value": "HPV_NEG"},
            {"test": "cbe", "value": "CBE_NORMAL"},
        ],
        notes="",
    )
    wait_for_summary(rebooked.pk)
    journey.goto("/my/results/")
    expect(page.locator("main")).to_contain_text("HPV阴性")
    journey.step("results")

    journey.goto("/my/data/")
    expect(page.locator("main")).to_contain_text("王芳")
    expect(page.locator("main")).to_contain_text(rebooked.reference)
    journey.step("my-data")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("JSON")).click()
    downloaded = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert rebooked.reference in json.dumps(downloaded, ensure_ascii=False)
    page.get_by_role("button", name="撤回我的同意").click()
    journey.step("withdraw-asked")
    page.get_by_role("button", name="确定撤回我的同意").click()
    expect(page.locator("main")).to_contain_text("您已撤回同意")
    expect(page.get_by_role("button", name="重新同意处理我的健康信息")).to_be_visible()
    journey.step("withdrawn")
    journey.done()


def test_the_courier_asks_for_a_new_code_while_the_sms_is_slow_and_her_code_still_works(
    open_journey,  # type: ignore[no-untyped-def]
    celery_worker_thread: None,
) -> None:
    world = courier_world()
    journey = open_journey(COURIER)
    page = journey.page
    sign_up(journey, world.campaign.pk)
    code = wait_for_code()

    page.get_by_role("button", name="重新发送验证码").click()
    journey.step("resend-too-soon")
    assert not journey.server_errors, journey.server_errors
    expect(page.locator("main")).to_contain_text("秒")
    expect(page.locator("main")).to_contain_text("验证码仍然有效")
    page.fill("input[name=code]", code)
    page.click("button[name=verify]")
    expect(page.locator("input[name=full_name]")).to_be_visible()
    journey.done()


def signed_up_with_a_booking(
    journey: Journey, campaign_id: int, site_name: str
) -> None:
    page = journey.page
    sign_up(journey, campaign_id)
    page.fill("input[name=code]", wait_for_code())
    page.click("button[name=verify]")
    page.fill("input[name=full_name]", "李娟")
    page.fill("input[name=id_number]", newcomer_id_number(8))
    page.check("input[name=employment_type][value=food_delivery]")
    page.select_option("select[name=district_code]", "410802")
    page.click("button[name=next]")
    page.check("input[name=consent_health_data]")
    page.click("button[name=agree]")
    pick_first_time(page, site_name)
    page.click("button[name=choose]")
    expect(page.get_by_role("button", name="取消预约")).to_be_visible()


def test_the_courier_is_asked_to_confirm_before_her_consent_is_withdrawn(
    open_journey,  # type: ignore[no-untyped-def]
    celery_worker_thread: None,
) -> None:
    world = courier_world()
    journey = open_journey(COURIER)
    signed_up_with_a_booking(journey, world.campaign.pk, world.site.name)
    journey.goto("/my/data/")
    journey.page.get_by_role("button", name="撤回我的同意").click()
    journey.step("withdraw-asked")
    expect(journey.page.locator("main")).to_contain_text("以下预约将被取消")
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).exists()
    journey.page.get_by_role("link", name="不,保留我的同意").click()
    expect(journey.page.get_by_role("button", name="撤回我的同意")).to_be_visible()
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).exists()
    journey.done()


def test_the_courier_gives_consent_again_after_withdrawing_it_and_can_book(
    open_journey,  # type: ignore[no-untyped-def]
    celery_worker_thread: None,
) -> None:
    world = courier_world()
    journey = open_journey(COURIER)
    page = journey.page
    signed_up_with_a_booking(journey, world.campaign.pk, world.site.name)
    journey.goto("/my/data/")
    page.get_by_role("button", name="撤回我的同意").click()
    # Withdrawing always asks first; waiting for that page (not peeking at
    # whether it has come yet) keeps the walk the same on a slow machine.
    page.get_by_role("button", name="确定撤回我的同意").click()
    page.get_by_role("button", name=re.compile("重新同意|再次同意")).click()
    journey.step("consent-again")
    journey.goto(f"/book/{world.campaign.pk}/")
    pick_first_time(page, world.site.name)
    page.click("button[name=choose]")
    expect(page.get_by_role("button", name="取消预约")).to_be_visible()
    journey.done()


def error_in_view_and_focused(page: Page) -> None:
    error = page.locator("#choice-error")
    expect(error).to_contain_text("请先选择一个时间")
    expect(error).to_be_focused()
    expect(error).to_be_in_viewport()


def test_the_courier_who_forgets_to_choose_a_time_lands_on_the_error(
    open_journey,  # type: ignore[no-untyped-def]
    celery_worker_thread: None,
) -> None:
    world = courier_world()
    journey = open_journey(COURIER)
    page = journey.page
    signed_up_with_a_booking(journey, world.campaign.pk, world.site.name)

    page.get_by_role("button", name="改约其他时间").click()
    page.get_by_role("link", name=re.compile(world.site.name)).click()
    page.locator("ul.pick a[href*='day=']").first.click()
    page.click("button[name=choose]")
    error_in_view_and_focused(page)
    journey.step("reschedule-without-a-time")

    page.get_by_role("link", name="保留原预约").click()
    page.get_by_role("button", name="取消预约").click()
    page.get_by_role("button", name="确定取消预约").click()
    journey.goto(f"/book/{world.campaign.pk}/")
    page.get_by_role("link", name=re.compile(world.site.name)).click()
    page.locator("ul.pick a[href*='day=']").first.click()
    page.click("button[name=choose]")
    error_in_view_and_focused(page)
    journey.step("book-without-a-time")
    page.locator("input[name=slot]:not([disabled])").first.check()
    page.click("button[name=choose]")
    expect(page.get_by_role("button", name="取消预约")).to_be_visible()
    journey.done()


def test_the_courier_switches_language_mid_form_and_keeps_what_she_typed(
    open_journey,  # type: ignore[no-untyped-def]
    celery_worker_thread: None,
) -> None:
    world = courier_world()
    journey = open_journey(COURIER)
    page = journey.page
    sign_up(journey, world.campaign.pk)
    page.fill("input[name=code]", wait_for_code())
    page.click("button[name=verify]")
    id_number = newcomer_id_number(9)
    page.fill("input[name=full_name]", "张敏")
    page.fill("input[name=id_number]", f"{id_number[:6]} {id_number[6:]}")

    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("About you")
    expect(page.locator("input[name=full_name]")).to_have_value("张敏")
    journey.step("profile-in-english")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("input[name=id_number]")).to_have_value(
        f"{id_number[:6]} {id_number[6:]}"
    )
    page.check("input[name=employment_type][value=food_delivery]")
    page.select_option("select[name=district_code]", "410802")
    # Enter still means "Next", not a change of language.
    page.press("input[name=full_name]", "Enter")
    expect(page.locator("input[name=consent_health_data]")).to_be_visible()
    journey.done()
