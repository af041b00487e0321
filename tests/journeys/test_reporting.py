"""Reporting in the browser: a clinic lead reads her sites' indicators, checks the
quarter and downloads both filings (1280 by 800); the union officer reads the same
indicators suppressed; a woman answers the quiz on her phone (390 by 844) with
JavaScript off."""

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from accounts.models import Role
from common.crypto import keyed_hash
from indicators.models import QuizTake
from screening.authentication import token_hash
from screening.models import ParticipantToken
from screening.session import SIGNED_IN_KEY
from tests.accounts.factories import STAFF_PASSWORD, UserFactory
from tests.indicators.crowd import add_screened_women
from tests.indicators.fixture import build
from tests.journeys.conftest import ARTEFACTS, NURSE, UNION_OFFICER, Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAGE = "/reports/indicators/"


@pytest.fixture(autouse=True)
def reporting_seed(transactional_db: None) -> None:
    """The seeded definitions and quiz, which a transactional test's flush removes."""
    from indicators.definitions import seed_definitions
    from indicators.models import (
        IndicatorDefinition,
        QuizChoice,
        QuizQuestion,
        QuizVersion,
    )
    from indicators.quiz_seed import seed_quiz

    seed_definitions(IndicatorDefinition)
    seed_quiz(QuizVersion, QuizQuestion, QuizChoice)


def sign_in(journey: Journey, username: str) -> None:
    page = journey.page
    journey.goto(PAGE)
    expect(page).to_have_url(re.compile(r"/staff/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("button[name=login]")
    journey.goto(PAGE)


def download(journey: Journey, selector: str) -> bytes:
    with journey.page.expect_download() as info:
        journey.page.click(selector)
    return info.value.path().read_bytes()


def value_of(journey: Journey, name: str) -> str:
    row = journey.page.locator("#ind-h ~ div table tbody tr", has_text=name).first
    return row.locator("td").first.inner_text().strip()


def test_a_clinic_lead_reads_her_indicators_checks_the_quarter_and_gets_both_files(
    open_journey,  # type: ignore[no-untyped-def]
) -> None:
    built = build()
    lead = UserFactory(username="clinic-lead", role=Role.CLINIC)
    built.site_a.staff.add(lead)
    journey = open_journey(NURSE)
    sign_in(journey, lead.username)
    page = journey.page
    expect(page.locator("#who-note")).to_contain_text("精确")
    assert value_of(journey, "实查人数") == "3"
    journey.step("indicators")
    page.select_option("#f-group", "occupation")
    page.fill("#f-quarter", "2026Q1")
    page.click("form.filters button[type=submit]")
    expect(page.locator("#files-h ~ p.note")).to_contain_text("通过")
    journey.step("by-occupation-and-checks")
    book = load_workbook(io.BytesIO(download(journey, "a[href*='quarterly.xlsx']")))
    assert book.sheetnames == ["季报表", "逻辑校验"]
    rows = {r[1]: r[3:] for r in book["季报表"].iter_rows(min_row=4, values_only=True)}
    assert rows["实查人数"][-1] == 3
    money = load_workbook(
        io.BytesIO(download(journey, "a[href*='reconciliation.xlsx']"))
    )
    sites = {r[0] for r in money.active.iter_rows(min_row=3, values_only=True)}
    assert built.site_b.name not in sites
    journey.done()


def test_the_union_officer_sees_the_same_indicators_suppressed(
    open_journey,  # type: ignore[no-untyped-def]
) -> None:
    built = build()
    add_screened_women(built, 37)
    officer = UserFactory(username="union-officer", role=Role.UNION)
    journey = open_journey(UNION_OFFICER)
    sign_in(journey, officer.username)
    expect(journey.page.locator("#who-note")).to_contain_text("10")
    assert value_of(journey, "HPV阳性率") == "<10"
    assert int(value_of(journey, "实查人数")) % 10 == 0
    expect(journey.page.locator("#files-h")).to_have_count(0)
    journey.step("indicators-union")
    journey.done()


def _signed_in_cookie(participant) -> dict:  # type: ignore[no-untyped-def]
    token = ParticipantToken.objects.create(
        key_hash=token_hash(f"journey-{participant.pk}"),
        phone=participant.phone,
        phone_hash=keyed_hash(participant.phone, purpose="phone"),
        participant=participant,
        expires_at=timezone.now() + timedelta(days=1),
    )
    session = SessionStore()
    session[SIGNED_IN_KEY] = token.pk
    session.create()
    return {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key}


def test_she_answers_the_quiz_on_her_phone_without_javascript(
    browser: Browser,
    live_server,
    open_journey,  # type: ignore[no-untyped-def]
) -> None:
    from indicators.quiz import current_quiz

    built = build()
    woman = built.women["W3"]
    cookie = {**_signed_in_cookie(woman), "url": live_server.url}
    # Audited with axe first (which needs script), then done with script off.
    journey = open_journey(
        NURSE.__class__("courier-quiz", {"width": 390, "height": 844})
    )
    journey.context.add_cookies([cookie])
    journey.goto(f"/quiz/{built.campaign.pk}/?when=day")
    journey.step("quiz")
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        java_script_enabled=False,
    )
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(f"{live_server.url}/quiz/{built.campaign.pk}/?when=day")
    for question in current_quiz().questions.all():
        right = next(c for c in question.choices.all() if c.correct)
        page.check(f"input[name=q{question.pk}][value='{right.pk}']")
    folder = ARTEFACTS / "quiz-no-script"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "01-answered.png"), full_page=True)
    page.click(".quiz form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("谢谢")
    page.screenshot(path=str(folder / "02-thanks.png"), full_page=True)
    assert page.viewport_size == {"width": 390, "height": 844}
    take = QuizTake.objects.get(participant=woman)
    assert (take.correct, take.level, take.moment) == (5, "aware", "day")
    context.close()
    journey.done()
