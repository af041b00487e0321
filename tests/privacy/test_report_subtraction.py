"""No small count comes back by subtraction, whatever an outsider combines.

The attacks of `tests.privacy.report_attacks`, mounted through the API on a
campaign with known small cells: every nested pair of ranges over its five visit
days, each `group_by`, each format (JSON, CSV, XLSX), yesterday's running totals
against today's, and turnout against outcomes. Each test fails if any hidden
count comes back exactly, and names how many did.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Role
from common.suppression import OUTCOME_THRESHOLD, TURNOUT_THRESHOLD
from scheduling.models import Appointment, AppointmentStatus
from scheduling.reports.turnout import turnout_counts
from screening import selectors as screening_selectors
from screening.models import Campaign, EmploymentType, Participant
from tests.accounts.factories import UserFactory
from tests.privacy import report_attacks as attacks
from tests.scheduling.factories import AppointmentFactory, SiteFactory, SlotFactory
from tests.screening.factories import (
    CampaignFactory,
    DistrictFactory,
    ParticipantFactory,
)
from tests.screening.result_factories import VisitFactory, record

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = AppointmentStatus
FIRST = date(2026, 3, 2)
LAST = date(2026, 3, 6)
TURNOUT = "/api/v1/reports/turnout/"
CSV = "/api/v1/reports/turnout.csv"
XLSX = "/api/v1/reports/turnout.xlsx"
OUTCOMES = "/api/v1/reports/outcomes/"
GROUP_BYS = (None, "employment_type", "district", "site", "day", "age_band")
FORMATS = ("json", "csv", "xlsx", "html")
# Per visit day: screened (each with an HPV result, this many positive),
# checked in, no-shows and cancellations. Every day has small cells.
DAYS = [
    {"screened": 8, "positive": 3, "checked_in": 1, "no_show": 2, "cancelled": 1},
    {"screened": 8, "positive": 3, "checked_in": 1, "no_show": 1, "cancelled": 2},
    {"screened": 8, "positive": 1, "checked_in": 1, "no_show": 2, "cancelled": 0},
    {"screened": 8, "positive": 3, "checked_in": 1, "no_show": 1, "cancelled": 1},
    {"screened": 7, "positive": 3, "checked_in": 1, "no_show": 2, "cancelled": 1},
]


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


@dataclass
class Fixture:
    campaign: Campaign
    appointments: list[Appointment]


def build() -> Fixture:
    """Women registered on their visit day, so a range selects both; employment,
    district, site and age band take turns, so every breakdown has small cells."""
    campaign = CampaignFactory(
        starts_on=FIRST,
        ends_on=date(2026, 3, 31),
        registration_opens_at=at(date(2026, 2, 1), 0),
        registration_closes_at=at(date(2026, 3, 20), 0),
        min_age=35,
        max_age=64,
        quota=500,
    )
    districts = [DistrictFactory(), DistrictFactory()]
    sites = [SiteFactory(code="XA"), SiteFactory(code="XB")]
    jobs = [EmploymentType.COURIER, EmploymentType.FOOD_DELIVERY]
    births = [date(1986, 1, 1), date(1975, 6, 1)]
    appointments = []
    n = 0
    for offset, plan in enumerate(DAYS):
        day = FIRST + timedelta(days=offset)
        slots = [
            SlotFactory(campaign=campaign, site=site, starts_at=at(day, 9), capacity=80)
            for site in sites
        ]
        statuses = (
            [S.SCREENED] * plan["screened"]
            + [S.CHECKED_IN] * plan["checked_in"]
            + [S.NO_SHOW] * plan["no_show"]
            + [S.CANCELLED] * plan["cancelled"]
        )
        for i, status in enumerate(statuses):
            person = ParticipantFactory(
                employment_type=jobs[n % 2],
                district=districts[(n // 2) % 2],
                birth_date=births[(n // 3) % 2],
            )
            Participant.objects.filter(pk=person.pk).update(created_at=at(day, 8))
            n += 1
            slot = slots[i % 3 == 2]
            arrived = at(day, 9) if status in (S.SCREENED, S.CHECKED_IN) else None
            appointment = AppointmentFactory(
                participant=person, slot=slot, status=status, checked_in_at=arrived
            )
            Appointment.objects.filter(pk=appointment.pk).update(created_at=at(day, 8))
            appointments.append(appointment)
            if status == S.SCREENED:
                visit = VisitFactory(
                    campaign=campaign,
                    participant=person,
                    day=day,
                    site_id=slot.site_id,
                    appointment_id=appointment.pk,
                )
                positive = i < plan["positive"]
                record(visit, hpv="HPV_16_18_POS" if positive else "HPV_NEG")
    return Fixture(campaign, appointments)


@pytest.fixture
def fixture() -> Fixture:
    return build()


@pytest.fixture
def union() -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(role=Role.UNION))
    return client


def params(campaign: Campaign, group_by: str | None, span: attacks.Range) -> dict:
    query: dict = {"campaign": campaign.pk}
    if group_by:
        query["group_by"] = group_by
    if span[0]:
        query["from"] = span[0].isoformat()
    if span[1]:
        query["to"] = span[1].isoformat()
    return query


def turnout_figures(
    client: APIClient,
    campaign: Campaign,
    group_by: str | None,
    span: attacks.Range,
    fmt: str,
) -> attacks.Figures:
    query = params(campaign, group_by, span)
    if fmt == "html":
        return dashboard_figures(campaign, group_by, span)
    body = client.get(TURNOUT, query).json()
    if fmt == "json":
        return attacks.from_json(body)
    keys = attacks.labels_to_keys(body)
    if fmt == "csv":
        return attacks.from_csv(client.get(CSV, query).content.decode(), keys)
    return attacks.from_xlsx(client.get(XLSX, query).content, keys)


def dashboard_figures(
    campaign: Campaign, group_by: str | None, span: attacks.Range
) -> attacks.Figures:
    """What the dashboard's page and charts are drawn from, read off the page's
    context: its tables and SVG bars show these cells and nothing else."""
    page = Client()
    page.force_login(UserFactory(role=Role.UNION))
    query = {"campaign": campaign.pk, "group_by": group_by or "employment_type"}
    if span[0]:
        query["date_from"] = span[0].isoformat()
    if span[1]:
        query["date_to"] = span[1].isoformat()
    report = page.get("/union/", query).context["report"]
    figures: attacks.Figures = {}
    for name, cell in report.totals.items():
        figures[("total", name)] = None if cell.suppressed else cell.value
    if group_by is not None:
        for group in report.groups:
            for name, cell in group.cells.items():
                figures[(group.key, name)] = None if cell.suppressed else cell.value
    return {k: v for k, v in figures.items() if not k[1].endswith("_rate")}


def turnout_truth(
    campaign: Campaign, group_by: str | None, span: attacks.Range
) -> dict[tuple[str, str], int]:
    table = turnout_counts(
        campaign=campaign, group_by=group_by, date_from=span[0], date_to=span[1]
    ).table
    return attacks.truth_of(table)


def outcome_truth(campaign: Campaign, span: attacks.Range) -> dict:
    counts = screening_selectors.outcome_counts(
        campaign_id=campaign.pk, date_from=span[0], date_to=span[1]
    )
    return {("total", m): v for m, v in counts.items()}


def outcome_figures(
    client: APIClient, campaign: Campaign, span: attacks.Range
) -> attacks.Figures:
    body = client.get(OUTCOMES, params(campaign, None, span)).json()
    return attacks.outcomes_from_json(body)


def describe(recoveries: list[attacks.Recovery]) -> str:
    sample = ", ".join(f"{r.target}={r.value}" for r in recoveries[:5])
    tally = attacks.tally(recoveries)
    return f"{len(recoveries)} hidden counts recovered {tally}: {sample}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_nested_pair_of_ranges_gives_back_a_hidden_turnout_count(
    fixture: Fixture, union: APIClient, fmt: str
) -> None:
    ranges = attacks.window_ranges(FIRST, LAST)
    found: list[attacks.Recovery] = []
    for group_by in GROUP_BYS:
        published = {
            span: turnout_figures(union, fixture.campaign, group_by, span, fmt)
            for span in ranges
        }
        truth = {
            span: turnout_truth(fixture.campaign, group_by, span) for span in ranges
        }
        for bigger, smaller in attacks.nested_pairs(ranges):
            found += attacks.subtract(
                f"nested ranges, {fmt}",
                published[bigger],
                published[smaller],
                truth[bigger],
                truth[smaller],
                threshold=TURNOUT_THRESHOLD,
                label=f"{group_by} {bigger} minus {smaller}",
            )

    assert not found, describe(found)


def test_no_nested_pair_of_ranges_gives_back_a_hidden_outcome_count(
    fixture: Fixture, union: APIClient
) -> None:
    ranges = attacks.window_ranges(FIRST, LAST)
    published = {
        span: outcome_figures(union, fixture.campaign, span) for span in ranges
    }
    truth = {span: outcome_truth(fixture.campaign, span) for span in ranges}
    found: list[attacks.Recovery] = []
    for bigger, smaller in attacks.nested_pairs(ranges):
        found += attacks.subtract(
            "nested ranges, outcomes",
            published[bigger],
            published[smaller],
            truth[bigger],
            truth[smaller],
            threshold=OUTCOME_THRESHOLD,
            label=f"{bigger} minus {smaller}",
        )

    assert not found, describe(found)


def test_yesterdays_running_totals_against_todays_give_back_nothing_hidden(
    fixture: Fixture, union: APIClient
) -> None:
    everything: attacks.Range = (None, None)
    campaign = fixture.campaign

    def snapshot() -> dict:
        turnout = {
            (group_by, fmt): turnout_figures(union, campaign, group_by, everything, fmt)
            for group_by in GROUP_BYS
            for fmt in FORMATS
        }
        truth = {g: turnout_truth(campaign, g, everything) for g in GROUP_BYS}
        return {
            "turnout": turnout,
            "truth": truth,
            "outcomes": outcome_figures(union, campaign, everything),
            "outcome_truth": outcome_truth(campaign, everything),
        }

    yesterday = snapshot()
    # Overnight: one woman cancels, one registers, one more result comes in.
    cancelling = next(a for a in fixture.appointments if a.status == S.NO_SHOW)
    Appointment.objects.filter(pk=cancelling.pk).update(status=S.CANCELLED)
    newcomer = ParticipantFactory(employment_type=EmploymentType.COURIER)
    Participant.objects.filter(pk=newcomer.pk).update(created_at=at(LAST, 20))
    late = next(a for a in fixture.appointments if a.status == S.CHECKED_IN)
    record(
        VisitFactory(
            campaign=campaign,
            participant_id=late.participant_id,
            day=LAST,
            appointment_id=late.pk,
        ),
        hpv="HPV_16_18_POS",
    )
    today = snapshot()

    found: list[attacks.Recovery] = []
    for (group_by, fmt), figures in today["turnout"].items():
        found += attacks.subtract(
            f"running totals, {fmt}",
            figures,
            yesterday["turnout"][(group_by, fmt)],
            today["truth"][group_by],
            yesterday["truth"][group_by],
            threshold=TURNOUT_THRESHOLD,
            label=f"{group_by}",
        )
    found += attacks.subtract(
        "running totals, outcomes",
        today["outcomes"],
        yesterday["outcomes"],
        today["outcome_truth"],
        yesterday["outcome_truth"],
        threshold=OUTCOME_THRESHOLD,
        label="outcomes",
    )

    assert not found, describe(found)


def test_turnout_gives_back_no_outcome_count_the_outcomes_report_hides(
    fixture: Fixture, union: APIClient
) -> None:
    found: list[attacks.Recovery] = []
    for span in attacks.window_ranges(FIRST, LAST):
        outcomes = outcome_figures(union, fixture.campaign, span)
        truth = outcome_truth(fixture.campaign, span)
        if outcomes[("total", "screened")] is not None:
            continue
        for fmt in FORMATS:
            turnout = turnout_figures(union, fixture.campaign, None, span, fmt)
            found += attacks.against(
                f"turnout against outcomes, {fmt}",
                turnout,
                {("total", "screened"): truth[("total", "screened")]},
                threshold=OUTCOME_THRESHOLD,
                label=f"{span}",
            )

    assert not found, describe(found)
