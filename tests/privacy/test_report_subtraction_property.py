"""Over random campaigns, no combination of published turnout or outcome figures
gives back a hidden count: every nested pair of ranges, every breakdown, and the
running totals before and after one more event (docs/adr/0012)."""

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common import cellkey
from common.suppression import OUTCOME_THRESHOLD, TURNOUT_THRESHOLD
from scheduling.models import Appointment, AppointmentStatus
from scheduling.reports.outcomes import OUTCOME_MEASURES, outcome_report
from scheduling.reports.turnout import turnout_counts, turnout_report
from screening import selectors as screening_selectors
from screening.models import EmploymentType, Participant
from tests.privacy import report_attacks as attacks
from tests.scheduling.factories import AppointmentFactory, SiteFactory, SlotFactory
from tests.screening.factories import (
    CampaignFactory,
    DistrictFactory,
    ParticipantFactory,
)
from tests.screening.result_factories import VisitFactory, record

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = AppointmentStatus
STATUSES = (S.SCREENED, S.CHECKED_IN, S.NO_SHOW, S.CANCELLED, S.BOOKED)
GROUP_BYS = (None, "employment_type", "district", "site", "day", "age_band")
JOBS = (EmploymentType.COURIER, EmploymentType.FOOD_DELIVERY)
# Each example gets a year of its own, so women of earlier examples (kept in the
# same test transaction) never fall into its registration window.
_years = itertools.count(2031)

women = st.tuples(
    st.sampled_from(STATUSES),
    st.integers(0, 1),  # employment
    st.integers(0, 1),  # district
    st.integers(0, 1),  # site
    st.booleans(),  # HPV positive, when screened
)
days = st.lists(st.lists(women, max_size=9), min_size=2, max_size=3)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def build(plan: list[list[tuple]]):  # type: ignore[no-untyped-def]
    first = date(next(_years), 3, 2)
    campaign = CampaignFactory(
        starts_on=first,
        ends_on=first + timedelta(days=20),
        registration_opens_at=at(first - timedelta(days=30), 0),
        registration_closes_at=at(first + timedelta(days=10), 0),
        min_age=35,
        max_age=64,
        quota=500,
    )
    districts = [DistrictFactory(), DistrictFactory()]
    sites = [SiteFactory(), SiteFactory()]
    for offset, people in enumerate(plan):
        day = first + timedelta(days=offset)
        slots = [
            SlotFactory(campaign=campaign, site=s, starts_at=at(day, 9), capacity=50)
            for s in sites
        ]
        for status, job, district, site, positive in people:
            person = ParticipantFactory(
                employment_type=JOBS[job],
                district=districts[district],
                birth_date=date(first.year - 40 - job * 6, 1, 1),
            )
            Participant.objects.filter(pk=person.pk).update(created_at=at(day, 8))
            arrived = at(day, 9) if status in (S.SCREENED, S.CHECKED_IN) else None
            appointment = AppointmentFactory(
                participant=person,
                slot=slots[site],
                status=status,
                checked_in_at=arrived,
            )
            Appointment.objects.filter(pk=appointment.pk).update(created_at=at(day, 8))
            if status == S.SCREENED:
                visit = VisitFactory(
                    campaign=campaign,
                    participant=person,
                    day=day,
                    appointment_id=appointment.pk,
                )
                record(visit, hpv="HPV_16_18_POS" if positive else "HPV_NEG")
    last = first + timedelta(days=len(plan) - 1)
    return campaign, first, last


def turnout_figures(report) -> attacks.Figures:  # type: ignore[no-untyped-def]
    figures: attacks.Figures = {}
    for name, cell in report.totals.items():
        if not name.endswith("_rate"):
            figures[("total", name)] = None if cell.suppressed else cell.value
    for group in report.groups:
        for name, cell in group.cells.items():
            if not name.endswith("_rate"):
                figures[(group.key, name)] = None if cell.suppressed else cell.value
    return figures


def turnout_snapshot(campaign, span):  # type: ignore[no-untyped-def]
    shown, truth = {}, {}
    for group_by in GROUP_BYS:
        args = {"campaign": campaign, "group_by": group_by}
        args.update(date_from=span[0], date_to=span[1])
        shown[group_by] = turnout_figures(turnout_report(**args))
        truth[group_by] = attacks.truth_of(turnout_counts(**args).table)
    return shown, truth


def outcome_snapshot(campaign, span):  # type: ignore[no-untyped-def]
    report = outcome_report(campaign=campaign, date_from=span[0], date_to=span[1])
    shown = {
        ("total", m): None if report.cells[m].suppressed else report.cells[m].value
        for m in OUTCOME_MEASURES
    }
    counts = screening_selectors.outcome_counts(
        campaign_id=campaign.pk, date_from=span[0], date_to=span[1]
    )
    return shown, {("total", m): v for m, v in counts.items()}


@pytest.mark.django_db
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=days)
def test_no_random_campaign_gives_back_a_hidden_count(plan: list) -> None:
    campaign, first, last = build(plan)
    ranges = attacks.window_ranges(first, last)
    turnout = {span: turnout_snapshot(campaign, span) for span in ranges}
    outcomes = {span: outcome_snapshot(campaign, span) for span in ranges}
    found: list[attacks.Recovery] = []
    for bigger, smaller in attacks.nested_pairs(ranges):
        for group_by in GROUP_BYS:
            found += attacks.subtract(
                "nested ranges",
                turnout[bigger][0][group_by],
                turnout[smaller][0][group_by],
                turnout[bigger][1][group_by],
                turnout[smaller][1][group_by],
                threshold=TURNOUT_THRESHOLD,
                label=f"{group_by} {bigger} {smaller}",
            )
        found += attacks.subtract(
            "nested ranges, outcomes",
            outcomes[bigger][0],
            outcomes[smaller][0],
            outcomes[bigger][1],
            outcomes[smaller][1],
            threshold=OUTCOME_THRESHOLD,
            label=f"{bigger} {smaller}",
        )

    assert not found, found[:5]


@pytest.mark.django_db
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=days, status=st.sampled_from([S.CANCELLED, S.NO_SHOW]))
def test_no_running_total_gives_back_the_event_between_two_days(
    plan: list, status: str
) -> None:
    campaign, _first, last = build(plan)
    everything = (None, None)
    before = turnout_snapshot(campaign, everything)
    changed = Appointment.objects.filter(campaign=campaign, status=S.BOOKED).first()
    if changed is not None:
        Appointment.objects.filter(pk=changed.pk).update(status=status)
    person = ParticipantFactory(employment_type=JOBS[0])
    Participant.objects.filter(pk=person.pk).update(created_at=at(last, 20))
    after = turnout_snapshot(campaign, everything)

    found: list[attacks.Recovery] = []
    for group_by in GROUP_BYS:
        found += attacks.subtract(
            "running totals",
            after[0][group_by],
            before[0][group_by],
            after[1][group_by],
            before[1][group_by],
            threshold=TURNOUT_THRESHOLD,
            label=f"{group_by}",
        )

    assert not found, found[:5]


@given(
    n=st.integers(0, 10_000),
    keysum=st.integers(0, 2**40),
    base=st.sampled_from([5, 10]),
)
def test_a_perturbed_count_is_a_multiple_of_the_base_within_one_base(
    n: int, keysum: int, base: int
) -> None:
    shown = cellkey.perturb(cellkey.Atom(n, keysum), base=base)

    assert shown % base == 0
    assert abs(shown - n) < base
    assert shown == cellkey.perturb(cellkey.Atom(n, keysum), base=base)


@pytest.mark.parametrize(
    ("base", "n"), [(b, n) for b in (5, 10) for n in range(2 * b + 1)]
)
def test_the_perturbation_table_is_unbiased(base: int, n: int) -> None:
    total = sum(
        cellkey.perturbation(n, key, base=base) for key in range(cellkey.TABLE_SIZE)
    )

    assert total == 0
