"""Turnout numbers against a small campaign counted by hand, through both the
trigger-kept rollup and the direct aggregates."""

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from scheduling.models import Appointment, AppointmentStatus, Site, Slot
from scheduling.reports.turnout import BASES, turnout_counts, turnout_report
from screening.models import Campaign, District, EmploymentType, Participant
from tests.scheduling.factories import AppointmentFactory, SiteFactory, SlotFactory
from tests.screening.factories import (
    CampaignFactory,
    DistrictFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = AppointmentStatus
BOTH_PATHS = pytest.mark.parametrize(
    "use_rollup", [True, False], ids=["rollup", "direct"]
)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


@dataclass
class World:
    campaign: Campaign
    site_a: Site
    site_b: Site
    d1: District
    d2: District
    people: list[Participant]


def woman(
    *,
    employment: str,
    district: District,
    born: date,
    registered: datetime,
    name: str | None = None,
    phone: str | None = None,
) -> Participant:
    extra = {}
    if name:
        extra["full_name"] = name
    if phone:
        extra["phone"] = phone
    person = ParticipantFactory(
        employment_type=employment, district=district, birth_date=born, **extra
    )
    # created_at is set on insert; move it to the registration moment wanted.
    Participant.objects.filter(pk=person.pk).update(created_at=registered)
    person.refresh_from_db()
    return person


def visit(
    person: Participant, slot: Slot, status: str, *, booked_on: datetime
) -> Appointment:
    arrived = None
    if status in (S.CHECKED_IN, S.SCREENED):
        arrived = slot.starts_at.replace(minute=10)
    appointment = AppointmentFactory(
        participant=person, slot=slot, status=status, checked_in_at=arrived
    )
    Appointment.objects.filter(pk=appointment.pk).update(created_at=booked_on)
    return appointment


def build_world(*, names: list[str] | None = None) -> World:
    """The campaign counted by hand in the comments of the tests below.

    Window: 2026-02-01 to 2026-03-20; ages 35-64 on 2026-03-02 (its first day).
    - 6 couriers, D1, born 1986-01-01 (40): site A 03-02; 3 screened,
      1 checked in, 1 no-show, 1 cancelled.
    - 8 food-delivery riders, D2, born 1980-06-01 (45): site B 03-02; 4 screened,
      2 booked, 2 no-shows.
    - 2 ride-hailing drivers, D1, born 1991-03-03 (34 on 03-02: under 35):
      site A 03-03; 1 screened, 1 cancelled.
    - 3 domestic workers, D2, registered but never booked: two born 1970-01-01
      (56), one born 1961-03-02 (65 that very day: over 64).
    - 1 courier, D1, born 1986-01-01, registered 2025-12-01 (before the window),
      booked at site A 03-03 (returning: counts as registered).
    - 1 woman registered 2025-12-01 with no booking here: not registered.
    Everyone in the window registered 2026-02-10 at 07:00 Shanghai time (still
    02-09 in UTC); every booking was made 2026-02-15.
    """
    first = date(2026, 3, 2)
    campaign = CampaignFactory(
        starts_on=first,
        ends_on=date(2026, 3, 31),
        registration_opens_at=at(date(2026, 2, 1), 0),
        registration_closes_at=at(date(2026, 3, 20), 0),
        min_age=35,
        max_age=64,
        quota=100,
    )
    d1, d2 = DistrictFactory(name="解放区"), DistrictFactory(name="山阳区")
    site_a = SiteFactory(code="UA", name="市妇幼保健院")
    site_b = SiteFactory(code="UB", name="区人民医院")
    a_first = SlotFactory(
        campaign=campaign, site=site_a, starts_at=at(first, 9), capacity=50
    )
    b_first = SlotFactory(
        campaign=campaign, site=site_b, starts_at=at(first, 10), capacity=50
    )
    a_second = SlotFactory(
        campaign=campaign, site=site_a, starts_at=at(date(2026, 3, 3), 9), capacity=50
    )
    in_window = at(date(2026, 2, 10), 7)
    booked_on = at(date(2026, 2, 15), 10)
    names = list(names or [])
    people = []

    def add(**kwargs) -> Participant:  # type: ignore[no-untyped-def]
        if names:
            kwargs["name"] = names.pop(0)
        person = woman(**kwargs)
        people.append(person)
        return person

    for status in [S.SCREENED] * 3 + [S.CHECKED_IN, S.NO_SHOW, S.CANCELLED]:
        person = add(
            employment=EmploymentType.COURIER,
            district=d1,
            born=date(1986, 1, 1),
            registered=in_window,
        )
        visit(person, a_first, status, booked_on=booked_on)
    for status in [S.SCREENED] * 4 + [S.BOOKED] * 2 + [S.NO_SHOW] * 2:
        person = add(
            employment=EmploymentType.FOOD_DELIVERY,
            district=d2,
            born=date(1980, 6, 1),
            registered=in_window,
        )
        visit(person, b_first, status, booked_on=booked_on)
    for status in [S.SCREENED, S.CANCELLED]:
        person = add(
            employment=EmploymentType.RIDE_HAILING,
            district=d1,
            born=date(1991, 3, 3),
            registered=in_window,
        )
        visit(person, a_second, status, booked_on=booked_on)
    for born in [date(1970, 1, 1), date(1970, 1, 1), date(1961, 3, 2)]:
        add(
            employment=EmploymentType.DOMESTIC_SERVICE,
            district=d2,
            born=born,
            registered=in_window,
        )
    returning = add(
        employment=EmploymentType.COURIER,
        district=d1,
        born=date(1986, 1, 1),
        registered=at(date(2025, 12, 1), 12),
    )
    visit(returning, a_second, S.BOOKED, booked_on=booked_on)
    add(
        employment=EmploymentType.OTHER,
        district=d1,
        born=date(1980, 1, 1),
        registered=at(date(2025, 12, 1), 12),
    )
    return World(campaign, site_a, site_b, d1, d2, people)


@pytest.fixture
def world() -> World:
    return build_world()


def counts(world: World, group_by: str | None, use_rollup: bool, **range_):  # type: ignore[no-untyped-def]
    result = turnout_counts(
        campaign=world.campaign,
        group_by=group_by,
        date_from=range_.get("date_from"),
        date_to=range_.get("date_to"),
        use_rollup=use_rollup,
    )
    return result


def row(registered, booked, checked_in, screened, no_show, cancelled):  # type: ignore[no-untyped-def]
    values = {
        "booked": booked,
        "checked_in": checked_in,
        "screened": screened,
        "no_show": no_show,
        "cancelled": cancelled,
    }
    return values if registered is None else {"registered": registered, **values}


@BOTH_PATHS
def test_campaign_totals_match_the_hand_count(world: World, use_rollup: bool) -> None:
    result = counts(world, None, use_rollup)

    # 20 registered: 19 in the window and the returning courier. 17 appointments,
    # 2 cancelled; 9 arrived (8 screened + 1 checked in); 12 still hold a place.
    assert result.table.total == {**row(20, 15, 9, 8, 3, 2), "quota_used": 12}
    assert result.table.groups == {}


@BOTH_PATHS
def test_by_employment_type_every_group_matches_the_hand_count(
    world: World, use_rollup: bool
) -> None:
    result = counts(world, "employment_type", use_rollup)

    assert result.table.groups == {
        "courier": row(7, 6, 4, 3, 1, 1),
        "food_delivery": row(8, 8, 4, 4, 2, 0),
        "ride_hailing": row(2, 1, 1, 1, 0, 1),
        "domestic_service": row(3, 0, 0, 0, 0, 0),
    }
    assert result.table.total == {**row(20, 15, 9, 8, 3, 2), "quota_used": 12}


@BOTH_PATHS
def test_by_district_every_group_matches_the_hand_count(
    world: World, use_rollup: bool
) -> None:
    result = counts(world, "district", use_rollup)

    assert result.table.groups == {
        str(world.d1.pk): row(9, 7, 5, 4, 1, 2),
        str(world.d2.pk): row(11, 8, 4, 4, 2, 0),
    }


@BOTH_PATHS
def test_by_site_counts_appointments_and_has_no_registered_column(
    world: World, use_rollup: bool
) -> None:
    result = counts(world, "site", use_rollup)

    assert result.table.groups == {
        str(world.site_a.pk): row(None, 7, 5, 4, 1, 2),
        str(world.site_b.pk): row(None, 8, 4, 4, 2, 0),
    }
    assert result.table.total["registered"] == 20


@BOTH_PATHS
def test_by_day_counts_each_appointment_on_its_slot_day(
    world: World, use_rollup: bool
) -> None:
    result = counts(world, "day", use_rollup)

    assert result.table.groups == {
        "2026-03-02": row(None, 13, 8, 7, 3, 1),
        "2026-03-03": row(None, 2, 1, 1, 0, 1),
    }


@BOTH_PATHS
def test_by_age_band_uses_full_years_on_the_campaigns_first_day(
    world: World, use_rollup: bool
) -> None:
    result = counts(world, "age_band", use_rollup)

    assert result.table.groups == {
        # Born 1991-03-03: 34 on 2026-03-02, her birthday a day away.
        "under": row(2, 1, 1, 1, 0, 1),
        "40-44": row(7, 6, 4, 3, 1, 1),
        "45-49": row(8, 8, 4, 4, 2, 0),
        "55-59": row(2, 0, 0, 0, 0, 0),
        # Born 1961-03-02: 65 on 2026-03-02 exactly.
        "over": row(1, 0, 0, 0, 0, 0),
    }


@BOTH_PATHS
def test_a_date_range_selects_visits_by_slot_day_and_women_by_registration_day(
    world: World, use_rollup: bool
) -> None:
    day = date(2026, 3, 3)

    visits = counts(world, "employment_type", use_rollup, date_from=day, date_to=day)
    signups = counts(
        world,
        None,
        use_rollup,
        date_from=date(2026, 2, 10),
        date_to=date(2026, 2, 10),
    )

    assert visits.table.groups == {
        "courier": row(0, 1, 0, 0, 0, 0),
        "ride_hailing": row(0, 1, 1, 1, 0, 1),
    }
    # The quota is the whole campaign's, whatever the range.
    assert visits.table.total["quota_used"] == 12
    assert signups.table.total["registered"] == 19
    assert signups.table.total["booked"] == 0


@BOTH_PATHS
def test_the_daily_series_puts_each_event_on_its_own_local_day(
    world: World, use_rollup: bool
) -> None:
    result = counts(world, None, use_rollup)

    assert result.series == {
        # 07:00 in Shanghai is still the day before in UTC.
        "registrations": {date(2026, 2, 10): 19, date(2025, 12, 1): 1},
        "bookings": {date(2026, 2, 15): 17},
        "check_ins": {date(2026, 3, 2): 8, date(2026, 3, 3): 1},
    }


def test_the_rollup_follows_a_check_in_a_cancellation_and_a_changed_profile(
    world: World,
) -> None:
    waiting = Appointment.objects.filter(status=S.BOOKED).order_by("pk")
    first, second = waiting[0], waiting[1]
    first.status = S.CHECKED_IN
    first.checked_in_at = first.slot.starts_at
    first.save()
    Appointment.objects.filter(pk=second.pk).update(status=S.CANCELLED)
    Participant.objects.filter(pk=first.participant_id).update(
        employment_type=EmploymentType.COURIER
    )

    via_rollup = counts(world, "employment_type", True)
    direct = counts(world, "employment_type", False)

    assert via_rollup.table == direct.table
    assert via_rollup.series == direct.series
    assert via_rollup.published == direct.published
    assert via_rollup.table.total["checked_in"] == 10
    assert via_rollup.table.total["cancelled"] == 3


def test_moving_the_registration_window_recounts_the_campaign(world: World) -> None:
    world.campaign.registration_opens_at = at(date(2026, 2, 11), 0)
    world.campaign.save()

    via_rollup = counts(world, "age_band", True)
    direct = counts(world, "age_band", False)

    # The three domestic workers no longer registered inside it; the bookers stay.
    assert via_rollup.table.total["registered"] == 17
    assert via_rollup.table == direct.table
    assert via_rollup.published == direct.published


def test_the_published_totals_hide_small_counts_and_what_would_reveal_them(
    world: World,
) -> None:
    report = turnout_report(
        campaign=world.campaign, group_by=None, date_from=None, date_to=None
    )

    shown = {name: cell.value for name, cell in report.totals.items()}
    hidden = {name for name, cell in report.totals.items() if cell.suppressed}
    # no_show 3 and cancelled 2 are small; booked = quota_used + no_show, so the
    # funded places used (12) go too, and with no_show both rates, whose visits
    # due are checked_in + no_show.
    assert hidden == {
        "no_show",
        "cancelled",
        "quota_used",
        "turnout_rate",
        "no_show_rate",
    }
    # Each shown count is rounded by its cell key to the base (common.cellkey),
    # one atom per day: registered has 2 days, the others 1 or 2.
    truth = {"registered": 20, "booked": 15, "checked_in": 9, "screened": 8}
    for name, true in truth.items():
        base = BASES[name]
        assert shown[name] % base == 0, name
        assert abs(shown[name] - true) <= 2 * (base - 1), name


def test_the_published_counts_come_back_the_same_on_every_path_and_every_ask(
    world: World,
) -> None:
    for group_by in (None, "employment_type", "district", "site", "day", "age_band"):
        via_rollup = counts(world, group_by, True)
        direct = counts(world, group_by, False)
        again = counts(world, group_by, True)

        assert via_rollup.published == direct.published == again.published
        assert via_rollup.published_series == direct.published_series


def test_published_groups_never_show_a_count_from_one_to_four(world: World) -> None:
    for group_by in ("employment_type", "district", "site", "day", "age_band"):
        report = turnout_report(
            campaign=world.campaign, group_by=group_by, date_from=None, date_to=None
        )
        for group in report.groups:
            for name, cell in group.cells.items():
                if name.endswith("_rate") or cell.suppressed:
                    continue
                assert not 1 <= cell.value <= 4, (group_by, group.key, name)
