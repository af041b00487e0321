"""The outbox's rules in numbers: attempts and their backoff, the kinds that go
at once, what counts against a phone's daily limit, and how long a send may
hold its row."""

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from notifications.models import Kind, Status

MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
BACKOFF_JITTER = 0.2

# Answers to something someone has just done: they go at once, night or not.
QUIET_HOURS_EXEMPT = frozenset(
    {Kind.OTP, Kind.BOOKING_CONFIRMED, Kind.RESCHEDULED, Kind.CANCELLED, Kind.TEST}
)
# What an SMS opt-out or a withdrawn consent stops.
REMINDER_KINDS = (Kind.REMINDER_DAY_BEFORE, Kind.REMINDER_SAME_DAY, Kind.FOLLOW_UP_DUE)
# Sign-in codes have their own limits upstream (OTP_LIMIT_*).
NOT_COUNTED_PER_PHONE = (Kind.OTP,)
# A message counts against the day it was claimed in, once it is on its way.
COUNTED_STATUSES = (Status.QUEUED, Status.SENDING, Status.SENT, Status.DELIVERED)
# Rows a send may still claim.
WAITING = (Status.PENDING, Status.QUEUED)

# The longest a live send task can hold a row in `sending`: its hard time limit.
SEND_TASK_TIME_LIMIT = 120
# A batch stops starting new sends after this long and hands the rest on, so a
# slow gateway cannot run it into the hard limit.
SEND_BATCH_BUDGET_SECONDS = 60
# Rows in `sending` asked about per dispatcher run: each may be a gateway call.
RECLAIM_QUERY_LIMIT = 200
# A send the gateway still cannot account for after this long is left to staff.
UNCERTAIN_GIVE_UP_AFTER = timedelta(days=1)
# Error texts of a send that may have reached the gateway without our hearing back.
_MAYBE_TAKEN = ("timeout", "network", "connection", "NetworkError")


class SkipReason:
    PAST_VISIT = "skipped: would arrive after the visit or within the hour before it"
    DAILY_LIMIT = "skipped: over the day's limit per phone, and tomorrow is too late"


def server_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def backoff(attempt: int) -> timedelta:
    """30 s, 60 s, 120 s, … after the n-th attempt, ± 20 % so that a gateway outage
    does not bring every message back in the same second."""
    seconds = BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0)
    jitter = random.uniform(-BACKOFF_JITTER, BACKOFF_JITTER)  # noqa: S311
    return timedelta(seconds=seconds * (1 + jitter))


def maybe_taken(error: str) -> bool:
    """The error of an attempt that may have reached the gateway anyway."""
    return any(marker in error for marker in _MAYBE_TAKEN)
