"""The iCalendar file: escaping, folding and the pre-visit instructions."""

import pytest

from scheduling.calendar import appointment_ics, ics_escape, ics_fold
from scheduling.messages import pre_visit_instructions
from tests.scheduling.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def unfold(text: str) -> list[str]:
    """RFC 5545 §3.1: a CRLF followed by one space joins two lines."""
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_text_values_escape_backslashes_commas_semicolons_and_newlines():
    assert ics_escape("a\\b,c;d\ne") == "a\\\\b\\,c\\;d\\ne"


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    line = "DESCRIPTION:" + "请携带本人身份证原件" * 10

    folded = ics_fold(line)

    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_a_short_line_is_left_alone():
    assert ics_fold("SUMMARY:hello") == "SUMMARY:hello"


def test_the_event_carries_place_reference_and_instructions():
    appointment = AppointmentFactory(
        slot__site__name="市妇幼保健院", slot__site__address="解放路1号,二楼"
    )

    lines = unfold(appointment_ics(appointment=appointment, domain="example.org"))

    fields = dict(line.split(":", 1) for line in lines)
    assert fields["SUMMARY"] == "两癌筛查 市妇幼保健院"
    assert fields["LOCATION"] == "市妇幼保健院\\, 解放路1号\\,二楼"
    assert fields["UID"] == f"appointment-{appointment.pk}@example.org"
    assert fields["STATUS"] == "CONFIRMED"
    assert fields["SEQUENCE"] == "0"
    description = fields["DESCRIPTION"]
    assert appointment.reference in description
    first = pre_visit_instructions()[0]
    assert ics_escape(first) in description
    assert "\\n" in description


def test_a_cancelled_appointment_gives_a_cancelled_event():
    appointment = AppointmentFactory(status="cancelled")

    lines = unfold(appointment_ics(appointment=appointment))

    assert "STATUS:CANCELLED" in lines
    assert "SEQUENCE:1" in lines
