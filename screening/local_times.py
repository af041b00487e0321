"""Times in what she gives and takes back: local, with the offset, never UTC.

Her data page and the copy she downloads carry ISO 8601 strings in the zone of
the place (the site's for a booking, the service's otherwise), so that a 16:00
visit reads 16:00 both in the file and on the page.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format


def local_iso(moment: datetime | None, zone: str | None = None) -> str | None:
    """`moment` as local ISO 8601 with its offset (2026-05-04T16:00:00+08:00)."""
    if moment is None:
        return None
    tz = ZoneInfo(zone) if zone else timezone.get_current_timezone()
    return timezone.localtime(moment, tz).isoformat(timespec="seconds")


def zone_name() -> str:
    """The zone the times are given in, for the downloaded file to state."""
    return timezone.get_current_timezone_name()


def readable(value: str | date | datetime | None) -> str:
    """A date or a local time as every other page writes it: the locale's date
    format, then the hours and minutes. ISO strings keep their own offset."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = (
                date.fromisoformat(value)
                if len(value) == len("2026-05-04")
                else datetime.fromisoformat(value)
            )
        except ValueError:
            return value
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return f"{date_format(value, 'DATE_FORMAT')} {date_format(value, 'H:i')}"
    return date_format(value, "DATE_FORMAT")
