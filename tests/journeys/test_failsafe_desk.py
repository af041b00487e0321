"""The clinic lead's failsafe round at a 1280x800 desk: the list of tubes with
no result, worst tier first; one tier alone; a lost tube closed with a reason
(and never without one); this morning's digest; the turnaround of her site."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from specimens.failsafe.services import failsafe_sweep
from specimens.failsafe_models import FailsafeItem, Recall
from specimens.services import specimen_step
from tests.accounts.factories import STAFF_PASSWORD
from tests.journeys.conftest import NURSE, Journey
from tests.scheduling.desk_support import clinic_user
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import CampaignFactory
from tests.screening.result_factories import VisitFactory
from tests.specimens.factories import collected

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Days since collection of each woman's tubes: every tier, and one not yet due.
AGES = (30, 29, 24, 22, 17, 15, 15, 9)


def overdue_tubes(site) -> None:  # type: ignore[no-untyped-def]
    campaign = CampaignFactory(name="新就业形态女性两癌筛查", status="open")
    now = timezone.now()
    for n, days in enumerate(AGES):
        visit = VisitFactory(
            campaign=campaign,
            site_id=site.pk,
            site_name=site.name,
            participant__full_name=f"王{n}英",
        )
        with time_machine.travel(now - timedelta(days=days, hours=1), tick=False):
            collected(visit)
    # Two women whose results came back in six days: the turnaround has figures.
    for n in range(2):
        visit = VisitFactory(campaign=campaign, site_id=site.pk, site_name=site.name)
        taken = now - timedelta(days=12 + n)
        with time_machine.travel(taken, tick=False):
            tubes = collected(visit)
        with time_machine.travel(taken + timedelta(days=6), tick=False):
            for tube in tubes:
                specimen_step(
                    specimen_id=tube.pk, to="resulted", by=None, site_ids=None
                )
    failsafe_sweep()


def sign_in(journey: Journey, username: str) -> None:
    page = journey.page
    journey.goto("/desk/specimens/failsafe/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[name=login]")


def test_the_clinic_lead_works_the_failsafe_list(
    open_journey,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setattr(
        "notifications.services.handover.enqueue_send", lambda _pk: None
    )
    site = SiteFactory(name="焦作市妇幼保健院")
    overdue_tubes(site)
    lead = clinic_user(site)
    journey = open_journey(NURSE)
    page = journey.page

    sign_in(journey, lead.username)
    expect(page.locator("h1")).to_contain_text("标本追踪")
    rows = page.locator("table.worklist tbody tr")
    expect(rows).to_have_count(14)  # seven women past 14 days, two tubes each
    expect(rows.first).to_have_attribute("data-tier", "3")
    expect(rows.last).to_have_attribute("data-tier", "1")
    assert "王0英" not in page.content()
    journey.step("worklist")

    page.click("nav.tiers a[data-tier='3']")
    expect(rows).to_have_count(4)
    journey.step("lost-only")

    first = rows.first
    item_id = first.get_attribute("data-item")
    first.locator("button[type=submit]").click()
    # The browser keeps a form without a reason from being sent at all.
    expect(rows).to_have_count(4)
    first.locator("select[name=reason]").select_option("recalled")
    first.locator("button[type=submit]").click()
    expect(page.locator(".flash li.success")).to_be_visible()
    expect(page.locator("table.worklist tbody tr")).to_have_count(13)
    journey.step("closed-with-reason")
    item = FailsafeItem.objects.get(pk=item_id)
    assert item.close_reason == "recalled"
    assert Recall.objects.filter(item=item).exists()

    page.click("nav.tiers >> text=今日汇总")
    expect(page.locator("table.digest tbody tr")).to_have_count(1)
    journey.step("digest")

    journey.goto("/desk/specimens/turnaround/")
    expect(page.locator("table.day-list tbody tr")).to_have_count(2)
    expect(page.locator("table.day-list tbody tr").first).to_contain_text("6.0")
    journey.step("turnaround")
    journey.done()
