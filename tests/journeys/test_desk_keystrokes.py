"""How many keys the nurse presses per woman in a queue, with a USB barcode
scanner and no mouse: check her in, record two results, and be ready for the
next woman. The scanner's own characters and its Enter are not counted."""

import pytest
from playwright.sync_api import Page

from scheduling.models import Appointment, AppointmentStatus
from tests.journeys.conftest import NURSE, Journey
from tests.journeys.test_nurse import queue_of_thirty, sign_in
from tests.scheduling.desk_support import clinic_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What README's desk section reports; a change of the desk that costs the nurse
# more keys per woman fails here first.
KEYS_PER_WOMAN = 12


def tabs_to(page: Page, selector: str, limit: int = 120) -> int:
    """Tab until `selector` has the focus; how many presses that took."""
    presses = 0
    while not page.evaluate(
        "s => !!document.activeElement && document.activeElement.matches(s)",
        selector,
    ):
        page.keyboard.press("Tab")
        presses += 1
        assert presses <= limit, f"{selector} is not reachable with Tab"
    return presses


def arrow_to(page: Page, selector: str, value: str) -> int:
    presses = 0
    while page.locator(selector).input_value() != value:
        page.keyboard.press("ArrowDown")
        presses += 1
        assert presses <= 40, f"{value} is not an option of {selector}"
    return presses


def one_woman(journey: Journey, appointment: Appointment) -> int:
    page = journey.page
    keys = tabs_to(page, "form.checkin input[name=reference]")
    # The scanner types the reference and presses Enter.
    page.keyboard.type(appointment.reference)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    keys += tabs_to(page, f"a[href*='/appointments/{appointment.pk}/results/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    keys += 1
    keys += tabs_to(page, "select[name=test_hpv]")
    keys += arrow_to(page, "select[name=test_hpv]", "HPV_NEG")
    keys += tabs_to(page, "select[name=test_cbe]")
    keys += arrow_to(page, "select[name=test_cbe]", "CBE_NORMAL")
    keys += tabs_to(page, "button[name=record]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    keys += 1
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCREENED
    return keys


def test_a_woman_in_the_queue_costs_the_nurse_few_keys(
    open_journey,  # type: ignore[no-untyped-def]
    result_rules: None,
) -> None:
    site, queue = queue_of_thirty()
    nurse = clinic_user(site)
    journey = open_journey(NURSE)
    sign_in(journey, nurse.username)
    journey.page.wait_for_load_state("load")
    # The first woman after sign-in, then the next ones as the day goes on.
    counts = [one_woman(journey, appointment) for appointment in queue[4:7]]
    journey.step("after-three-women")
    print(f"keys per woman: {counts}")
    assert counts[-1] <= KEYS_PER_WOMAN, counts
