"""Who may book: the one pure function, fed by hand, no database."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import translation

from screening.eligibility import Reason, eligibility_reasons
from screening.errors import NotEligible
from screening.models import CampaignStatus, Sex
from tests.screening.factories import CampaignFactory

REFERENCE_DAY = date(2025, 6, 1)
NOW = datetime(2025, 5, 1, 2, 0, tzinfo=UTC)
CONTACT = "0371-66668888"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def campaign(**overrides):  # type: ignore[no-untyped-def]
    fields = {
        "min_age": 35,
        "max_age": 64,
        "age_reference_date": REFERENCE_DAY,
        "starts_on": date(2025, 6, 1),
        "ends_on": date(2025, 6, 30),
        "registration_opens_at": datetime(2025, 4, 1, tzinfo=UTC),
        "registration_closes_at": datetime(2025, 6, 20, tzinfo=UTC),
        "status": CampaignStatus.OPEN,
        "quota": 100,
        "contact_phone": CONTACT,
    }
    return CampaignFactory.build(**(fields | overrides))


def reasons(**overrides) -> list[Reason]:  # type: ignore[no-untyped-def]
    arguments = {
        "campaign": campaign(),
        "sex": Sex.FEMALE,
        "birth_date": date(1980, 3, 15),
        "now": NOW,
        "quota_used": 0,
        "has_active_appointment": False,
        "consent_given": True,
    }
    return eligibility_reasons(**(arguments | overrides))


def codes(**overrides) -> list[str]:  # type: ignore[no-untyped-def]
    return [reason.code for reason in reasons(**overrides)]


def test_a_consenting_woman_of_the_right_age_in_an_open_campaign_may_book():
    assert reasons() == []


def test_a_man_is_told_the_screening_is_for_women_and_whom_to_call():
    [reason] = reasons(sex=Sex.MALE)

    assert reason.code == "not_female"
    assert "women" in reason.message
    assert CONTACT in reason.message


def test_without_a_contact_phone_the_message_points_to_the_programme():
    [reason] = reasons(sex=Sex.MALE, campaign=campaign(contact_phone=""))

    assert "screening programme" in reason.message


@pytest.mark.parametrize(
    ("birth_date", "expected"),
    [
        pytest.param(date(1990, 6, 1), [], id="35th-birthday-on-the-reference-day"),
        pytest.param(date(1990, 6, 2), ["too_young"], id="35-one-day-later"),
        pytest.param(date(1960, 6, 2), [], id="65th-birthday-the-day-after"),
        pytest.param(date(1960, 6, 1), ["too_old"], id="65-on-the-reference-day"),
        pytest.param(date(2025, 6, 2), ["too_young"], id="born-after-that-day"),
    ],
)
def test_age_counts_in_full_years_on_the_reference_day(birth_date, expected):
    assert codes(birth_date=birth_date) == expected


def test_age_is_counted_on_the_first_screening_day_when_no_reference_day_is_set():
    first_day_only = campaign(age_reference_date=None, starts_on=date(2025, 6, 2))

    assert codes(campaign=first_day_only, birth_date=date(1990, 6, 2)) == []


def test_a_woman_born_on_29_february_is_not_a_year_older_on_28_february():
    leap_campaign = campaign(
        min_age=18, age_reference_date=date(2026, 2, 28), starts_on=date(2026, 3, 1)
    )

    assert codes(campaign=leap_campaign, birth_date=date(2008, 2, 29)) == ["too_young"]


def test_a_woman_born_on_29_february_is_a_year_older_on_1_march():
    leap_campaign = campaign(
        min_age=18, age_reference_date=date(2026, 3, 1), starts_on=date(2026, 3, 1)
    )

    assert codes(campaign=leap_campaign, birth_date=date(2008, 2, 29)) == []


def test_the_age_message_names_the_range_and_the_day():
    [reason] = reasons(birth_date=date(1995, 1, 1))

    assert "35" in reason.message
    assert "64" in reason.message


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"status": CampaignStatus.CLOSED}, id="closed"),
        pytest.param({"status": CampaignStatus.DRAFT}, id="draft"),
        pytest.param(
            {"registration_opens_at": NOW + timedelta(seconds=1)}, id="not-yet-open"
        ),
        pytest.param({"registration_closes_at": NOW}, id="closed-at-this-moment"),
    ],
)
def test_registration_is_closed_outside_the_window_or_an_open_status(overrides):
    [reason] = reasons(campaign=campaign(**overrides))

    assert reason.code == "registration_closed"
    assert CONTACT in reason.message


def test_registration_is_open_from_the_moment_it_opens():
    assert codes(campaign=campaign(registration_opens_at=NOW)) == []


def test_the_campaign_is_full_when_every_funded_place_is_used():
    assert codes(quota_used=100) == ["quota_full"]


def test_the_last_funded_place_can_still_be_taken():
    assert codes(quota_used=99) == []


def test_a_woman_with_an_active_booking_is_already_booked():
    assert codes(has_active_appointment=True) == ["already_booked"]


def test_a_woman_without_consent_is_asked_for_it():
    assert codes(consent_given=False) == ["no_consent"]


def test_every_reason_that_applies_is_given_at_once_in_a_fixed_order():
    closed_and_full = campaign(status=CampaignStatus.CLOSED)

    assert codes(
        campaign=closed_and_full,
        sex=Sex.MALE,
        birth_date=date(1950, 1, 1),
        quota_used=100,
        has_active_appointment=True,
        consent_given=False,
    ) == [
        "not_female",
        "too_old",
        "registration_closed",
        "quota_full",
        "already_booked",
        "no_consent",
    ]


def test_not_eligible_carries_every_reason_for_the_client():
    error = NotEligible(reasons=reasons(sex=Sex.MALE, consent_given=False))

    assert error.status == 403
    assert error.code == "not_eligible"
    assert [reason["code"] for reason in error.extra["reasons"]] == [
        "not_female",
        "no_consent",
    ]
    assert all(reason["message"] for reason in error.extra["reasons"])
