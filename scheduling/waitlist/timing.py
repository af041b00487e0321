"""How long a place is held for her: pure functions, tested at every edge."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from notifications.timing import after_quiet_hours, in_quiet_hours

DEFAULT_HOLD = timedelta(hours=2)
# She must be able to claim the place and still reach the clinic.
BEFORE_VISIT = timedelta(hours=1)
# An offer shorter than this is no real chance: the place is not offered.
SHORTEST_HOLD = timedelta(minutes=30)


def offer_expiry(
    *,
    now: datetime,
    starts_at: datetime,
    zone: ZoneInfo,
    quiet_start: time,
    quiet_end: time,
    hold: timedelta = DEFAULT_HOLD,
) -> datetime | None:
    """Until when a place in a slot starting at `starts_at` is held, for an offer
    made at `now`; None when it is too late to offer it at all.

    The hold counts from when the message can arrive (after quiet hours), an
    expiry that would fall inside quiet hours moves to their end (she is asleep,
    not refusing), and every offer ends `BEFORE_VISIT` ahead of the visit.
    """
    arrives = after_quiet_hours(
        now, zone=zone, quiet_start=quiet_start, quiet_end=quiet_end
    )
    latest = starts_at - BEFORE_VISIT
    expires = min(arrives + hold, latest)
    local_clock = expires.astimezone(zone).time().replace(tzinfo=None)
    if in_quiet_hours(local_clock, quiet_start=quiet_start, quiet_end=quiet_end):
        expires = after_quiet_hours(
            expires, zone=zone, quiet_start=quiet_start, quiet_end=quiet_end
        )
    if expires > latest or expires - arrives < SHORTEST_HOLD:
        return None
    return expires
