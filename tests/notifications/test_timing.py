"""When a message may go out: quiet hours, the visit, the settings (ADR 0005)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from config.env import env_time
from notifications.models import Kind, Status
from notifications.services import SkipReason, notification_schedule
from notifications.timing import deliver_at, in_quiet_hours, next_day_start

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUIET = {"quiet_start": time(21), "quiet_end": time(8)}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def when(wanted: datetime, not_after: datetime | None = None) -> datetime | None:
    return deliver_at(wanted=wanted, not_after=not_after, zone=SHANGHAI, **QUIET)


# --- deliver_at, pure


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        (at(10, 20, 59), at(10, 20, 59)),  # a minute before the window: as wanted
        (at(10, 21), at(11, 8)),  # the window's first minute is quiet
        (at(10, 23, 30), at(11, 8)),  # late evening: to the next morning
        (at(11, 0), at(11, 8)),  # midnight itself
        (at(11, 7, 30), at(11, 8)),  # early morning: to the same morning
        (at(11, 7, 59), at(11, 8)),
        (at(11, 8), at(11, 8)),  # the window's end is not quiet
        (at(11, 12), at(11, 12)),
    ],
)
def test_quiet_hours_move_a_message_to_their_end_across_midnight(wanted, expected):
    assert when(wanted) == expected


def test_quiet_hours_are_read_in_the_recipients_zone_not_utc():
    urumqi = ZoneInfo("Asia/Urumqi")
    # 07:30 in Urumqi is 09:30 in Beijing: quiet there, not here.
    wanted = datetime(2026, 3, 11, 7, 30, tzinfo=urumqi)

    moved = deliver_at(wanted=wanted, not_after=None, zone=urumqi, **QUIET)

    assert moved == datetime(2026, 3, 11, 8, tzinfo=urumqi)


def test_a_window_that_does_not_cross_midnight_works_too():
    window = {"quiet_start": time(12), "quiet_end": time(14)}

    assert in_quiet_hours(time(12), **window)
    assert not in_quiet_hours(time(14), **window)
    assert deliver_at(wanted=at(10, 13), not_after=None, zone=SHANGHAI, **window) == at(
        10, 14
    )


def test_equal_start_and_end_mean_no_quiet_hours():
    assert not in_quiet_hours(time(3), quiet_start=time(0), quiet_end=time(0))


def test_a_moved_reminder_may_land_exactly_an_hour_before_the_visit():
    assert when(at(11, 7, 30), not_after=at(11, 9)) == at(11, 8)


def test_a_moved_reminder_inside_the_last_hour_before_the_visit_is_skipped():
    assert when(at(11, 7, 30), not_after=at(11, 8, 59)) is None


def test_a_message_wanted_after_the_visit_is_skipped():
    assert when(at(11, 12), not_after=at(11, 10)) is None


def test_an_evening_reminder_for_an_early_visit_is_not_moved_past_it():
    # 22:00 moves to 08:00 the next day, but the visit is at 08:30.
    assert when(at(10, 22), not_after=at(11, 8, 30)) is None


def test_tomorrow_starts_at_the_end_of_quiet_hours_even_late_at_night():
    assert next_day_start(at(10, 23, 59), zone=SHANGHAI, quiet_end=time(8)) == at(11, 8)


# --- settings


@pytest.mark.parametrize("value", ["7:30", "07:30:00", "25:00", "seven", "07-30"])
def test_a_malformed_time_setting_stops_start_up_naming_the_variable(
    monkeypatch, value
):
    monkeypatch.setenv("QUIET_HOURS_START", value)

    with pytest.raises(ImproperlyConfigured, match="QUIET_HOURS_START"):
        env_time("QUIET_HOURS_START", "21:00")


def test_a_time_setting_reads_hours_and_minutes(monkeypatch):
    monkeypatch.setenv("REMINDER_SAME_DAY_AT", "06:45")

    assert env_time("REMINDER_SAME_DAY_AT", "07:30") == time(6, 45)
    assert env_time("REMINDER_DAY_BEFORE_AT_UNSET", "18:00") == time(18)


# --- notification_schedule applies them


@pytest.mark.django_db
def test_a_same_day_reminder_at_half_past_seven_goes_at_eight():
    with time_machine.travel(at(9, 12), tick=False):
        row = notification_schedule(
            phone="13800138000",
            kind=Kind.REMINDER_SAME_DAY,
            dedupe_key="visit:1:0d",
            send_at=at(11, 7, 30),
            not_after=at(11, 10),
            zone=SHANGHAI,
        )

    assert (row.status, row.send_at, row.not_after) == (
        Status.PENDING,
        at(11, 8),
        at(11, 10),
    )


@pytest.mark.django_db
def test_a_same_day_reminder_for_a_visit_before_nine_is_written_as_skipped():
    with time_machine.travel(at(9, 12), tick=False):
        row = notification_schedule(
            phone="13800138000",
            kind=Kind.REMINDER_SAME_DAY,
            dedupe_key="visit:1:0d",
            send_at=at(11, 7, 30),
            not_after=at(11, 8, 30),
            zone=SHANGHAI,
        )

    assert row.status == Status.SKIPPED
    assert row.last_error == SkipReason.PAST_VISIT
    assert row.send_at == at(11, 7, 30)


@pytest.mark.django_db
def test_an_answer_to_her_own_action_is_not_held_by_quiet_hours(
    django_capture_on_commit_callbacks,
):
    with (
        time_machine.travel(at(10, 23), tick=False),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        otp = notification_schedule(
            phone="13800138000", kind=Kind.OTP, dedupe_key="otp:1"
        )
        confirmed = notification_schedule(
            phone="13800138000", kind=Kind.BOOKING_CONFIRMED, dedupe_key="b:1"
        )

    assert otp.send_at == confirmed.send_at == at(10, 23)
    assert len(callbacks) == 2


@pytest.mark.django_db
def test_a_result_notice_written_at_night_waits_for_the_morning(
    django_capture_on_commit_callbacks,
):
    with (
        time_machine.travel(at(10, 23), tick=False),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        row = notification_schedule(
            phone="13800138000", kind=Kind.RESULT_READY, dedupe_key="result:1"
        )

    assert row.send_at == at(11, 8)
    assert row.send_at - at(10, 23) == timedelta(hours=9)
    assert callbacks == []
