"""When a message may go out: quiet hours and the visit it is about (ADR 0005).

Pure functions of their arguments, so the rules can be tested at every edge
without a database or a clock.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

# A reminder that would arrive this close to the visit is no help: she is on her way.
MIN_LEAD = timedelta(hours=1)


def in_quiet_hours(moment: time, *, quiet_start: time, quiet_end: time) -> bool:
    """The start is inside the window, the end is not: 21:00 is quiet, 08:00 is not.
    Equal start and end mean no quiet hours at all."""
    if quiet_start == quiet_end:
        return False
    if quiet_start < quiet_end:
        return quiet_start <= moment < quiet_end
    # The window runs across midnight (21:00-08:00).
    return moment >= quiet_start or moment < quiet_end


def after_quiet_hours(
    wanted: datetime, *, zone: ZoneInfo, quiet_start: time, quiet_end: time
) -> datetime:
    """`wanted`, or the end of the quiet window it falls in, in `zone`."""
    local = wanted.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if not in_quiet_hours(clock, quiet_start=quiet_start, quiet_end=quiet_end):
        return wanted
    day = local.date()
    # Late evening of a window that crosses midnight ends the next morning.
    if quiet_start > quiet_end and clock >= quiet_start:
        day += timedelta(days=1)
    return datetime.combine(day, quiet_end, tzinfo=zone)


def deliver_at(
    *,
    wanted: datetime,
    not_after: datetime | None,
    zone: ZoneInfo,
    quiet_start: time,
    quiet_end: time,
    min_lead: timedelta = MIN_LEAD,
) -> datetime | None:
    """When a message wanted at `wanted` may go out: moved out of quiet hours,
    never later than `min_lead` before `not_after` (the visit). None when that
    leaves no time at all: the message is skipped rather than sent too late."""
    moved = after_quiet_hours(
        wanted, zone=zone, quiet_start=quiet_start, quiet_end=quiet_end
    )
    if not_after is not None and moved > not_after - min_lead:
        return None
    return moved


def next_day_start(now: datetime, *, zone: ZoneInfo, quiet_end: time) -> datetime:
    """The first moment of tomorrow, in `zone`, that is outside quiet hours: where
    a message over the day's limit per phone goes."""
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, quiet_end, tzinfo=zone)


def day_start(now: datetime, *, zone: ZoneInfo) -> datetime:
    """Midnight of `now`'s calendar day in `zone`: the limits count calendar days."""
    return datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)


# Alibaba Cloud's voice service refuses calls at midday and at night (its rules
# for notification calls); ours add the quiet hours on top.
VOICE_BLACKOUTS = ((time(12, 0), time(14, 0)), (time(21, 0), time(9, 0)))


def voice_call_at(
    *,
    wanted: datetime,
    not_after: datetime | None,
    zone: ZoneInfo,
    quiet_start: time,
    quiet_end: time,
    min_lead: timedelta = MIN_LEAD,
) -> datetime | None:
    """When a call wanted at `wanted` may ring: outside the provider's blackouts
    and our quiet hours, all of them, never later than `min_lead` before
    `not_after`; None when that leaves no time."""
    windows = ((quiet_start, quiet_end), *VOICE_BLACKOUTS)
    moved = wanted
    # Leaving one window may land in another (21:00 quiet, then 09:00 allowed):
    # move until no window holds the time; three windows settle in a few turns.
    for _turn in range(len(windows) * 2):
        before = moved
        for start, end in windows:
            moved = after_quiet_hours(
                moved, zone=zone, quiet_start=start, quiet_end=end
            )
        if moved == before:
            break
    if not_after is not None and moved > not_after - min_lead:
        return None
    return moved


def voice_allowed(
    moment: datetime, *, zone: ZoneInfo, quiet_start: time, quiet_end: time
) -> bool:
    """Whether a call may ring at `moment`."""
    return (
        voice_call_at(
            wanted=moment,
            not_after=None,
            zone=zone,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
        )
        == moment
    )
