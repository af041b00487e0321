"""How long a place is held: quiet hours and the visit, at their edges."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduling.waitlist.timing import offer_expiry

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUIET = {"quiet_start": time(21), "quiet_end": time(8), "zone": SHANGHAI}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


def test_an_offer_in_the_afternoon_is_held_two_hours():
    assert offer_expiry(now=at(3, 14), starts_at=at(5, 9), **QUIET) == at(3, 16)


def test_an_offer_that_would_lapse_in_quiet_hours_lapses_when_they_end():
    assert offer_expiry(now=at(3, 20), starts_at=at(5, 9), **QUIET) == at(4, 8)


def test_an_offer_made_in_quiet_hours_counts_from_the_morning():
    assert offer_expiry(now=at(3, 23), starts_at=at(5, 9), **QUIET) == at(4, 10)


def test_an_offer_ends_an_hour_before_the_visit():
    assert offer_expiry(now=at(3, 14), starts_at=at(3, 16), **QUIET) == at(3, 15)


def test_a_place_too_close_to_the_visit_is_not_offered():
    assert offer_expiry(now=at(3, 14), starts_at=at(3, 15, 20), **QUIET) is None


def test_a_place_early_the_morning_after_a_quiet_night_is_not_offered():
    assert offer_expiry(now=at(3, 22), starts_at=at(4, 8, 30), **QUIET) is None


def test_the_hold_is_settable():
    held = offer_expiry(
        now=at(3, 10), starts_at=at(5, 9), hold=timedelta(minutes=45), **QUIET
    )
    assert held == at(3, 10, 45)
