"""What she reads when she asks for a new code too soon: how long to wait, the
local time she may ask again, and that the code she has still works (a refused
request voids nothing)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import ngettext

from common.errors import ApplicationError


def resend_refusal_message(error: ApplicationError) -> str:
    """The wait in seconds and as a local clock time, in her language."""
    seconds = max(1, int(error.extra.get("retry_after") or 60))
    at = timezone.localtime(timezone.now() + timedelta(seconds=seconds))
    same_day = at.date() == timezone.localdate()
    when = (
        date_format(at, "H:i:s")
        if same_day
        else f"{date_format(at, 'DATE_FORMAT')} {date_format(at, 'H:i')}"
    )
    return ngettext(
        "You can ask for a new code in %(count)s second (at %(time)s). "
        "The code we sent you still works: enter it below.",
        "You can ask for a new code in %(count)s seconds (at %(time)s). "
        "The code we sent you still works: enter it below.",
        seconds,
    ) % {"count": seconds, "time": when}
