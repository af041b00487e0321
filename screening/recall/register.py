"""The next-due register as program admins see it: masked, audited, exported."""

import csv
import io
from dataclasses import dataclass
from datetime import date

from common.masking import mask_name, mask_phone
from screening.models import Participant
from screening.recall.selectors import RegisterRow, next_due_register

PAGE_ROWS = 200
TESTS = ("hpv", "cytology", "cbe", "breast_ultrasound", "mammography")


@dataclass(frozen=True)
class ShownRow:
    participant_id: int
    name: str
    phone: str
    due: dict[str, date | None]
    earliest: date | None
    deferred_until: date | None
    ceased: list[str]


def _shown(rows: list[RegisterRow]) -> list[ShownRow]:
    people = Participant.objects.in_bulk([r.participant_id for r in rows])
    shown = []
    for row in rows:
        person = people.get(row.participant_id)
        shown.append(
            ShownRow(
                participant_id=row.participant_id,
                name=mask_name(person.full_name if person else ""),
                phone=mask_phone(person.phone if person else ""),
                due={d.test: d.due_on for d in row.next_due},
                earliest=row.earliest,
                deferred_until=row.deferred_until,
                ceased=row.ceased,
            )
        )
    return shown


def register_page(*, today: date, due_by: date | None) -> tuple[list[ShownRow], int]:
    """The first PAGE_ROWS rows, soonest due first, and how many there are."""
    rows = list(next_due_register(today=today, due_by=due_by))
    rows.sort(key=lambda r: (r.earliest or date.max, r.participant_id))
    return _shown(rows[:PAGE_ROWS]), len(rows)


def register_csv(*, today: date, due_by: date | None) -> bytes:
    """Every row, masked as on the page; UTF-8 with a byte-order mark for Excel."""
    rows = list(next_due_register(today=today, due_by=due_by))
    text = io.StringIO()
    out = csv.writer(text)
    out.writerow(["participant", "name", "phone", *TESTS, "deferred_until", "ceased"])
    for start in range(0, len(rows), 1000):
        for row in _shown(rows[start : start + 1000]):
            out.writerow(
                [
                    row.participant_id,
                    row.name,
                    row.phone,
                    *[(row.due.get(t) or "") for t in TESTS],
                    row.deferred_until or "",
                    " ".join(row.ceased),
                ]
            )
    return "\ufeff".encode() + text.getvalue().encode()
