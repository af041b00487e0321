"""An iCalendar (RFC 5545) file for one appointment, so her phone's calendar
reminds her too. Written by hand: one VEVENT needs no library."""

import re
from datetime import UTC, datetime

from django.utils import timezone

from scheduling.messages import pre_visit_instructions
from scheduling.models import Appointment, AppointmentStatus

MAX_LINE_OCTETS = 75
CRLF = "\r\n"


# RFC 5545 §3.3.11: TEXT holds no control character but HTAB; line breaks are
# written as "\n". A lone CR (from an address pasted out of a spreadsheet) would
# end the content line early in many readers.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def ics_escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11): backslash first, or it would
    double the escapes added after it; every line break, CRLF, LF or a lone CR,
    becomes "\\n"; other control characters are dropped."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
    )
    return _CONTROLS.sub("", escaped).replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1) without splitting a UTF-8
    character; each continuation starts with one space, which counts."""
    parts: list[str] = []
    current = ""
    limit = MAX_LINE_OCTETS
    for char in line:
        if len((current + char).encode()) > limit:
            parts.append(current)
            current = ""
            limit = MAX_LINE_OCTETS - 1
        current += char
    parts.append(current)
    return (CRLF + " ").join(parts)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def appointment_ics(
    *,
    appointment: Appointment,
    domain: str = "ankang",
    now: datetime | None = None,
) -> str:
    """The VCALENDAR text. The UID stays the same when she moves the visit and
    SEQUENCE counts the moves, so a calendar updates the event it already has."""
    slot = appointment.slot
    site = slot.site
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    description = "\n".join(
        [f"预约号:{appointment.reference}", "检查须知:"]
        + [f"{n}. {text}" for n, text in enumerate(pre_visit_instructions(), 1)]
    )
    location = ", ".join(part for part in (site.name, site.address) if part)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Ankang//Screening booking//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:appointment-{appointment.pk}@{domain}",
        f"DTSTAMP:{_utc(now or timezone.now())}",
        f"DTSTART:{_utc(slot.starts_at)}",
        f"DTEND:{_utc(slot.ends_at)}",
        f"SEQUENCE:{appointment.reschedule_count + (1 if cancelled else 0)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        f"SUMMARY:{ics_escape('两癌筛查 ' + site.name)}",
        f"LOCATION:{ics_escape(location)}",
        f"DESCRIPTION:{ics_escape(description)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(ics_fold(line) + CRLF for line in lines)
