"""What a visit's results are now, and how they came to be: read for the desk's
results page, which shows both before anything is changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from screening.models import Result


@dataclass(frozen=True)
class RecordedResult:
    test: str
    test_label: str
    value: str
    recorded_at: datetime
    recorded_by: str
    source: str
    is_current: bool
    superseded: bool


def visit_results_current(*, visit_id: int) -> dict[str, str]:
    """{test: code} of the visit's current results."""
    return dict(
        Result.objects.filter(visit_id=visit_id, is_current=True).values_list(
            "test", "value"
        )
    )


def visit_results_notes(*, visit_id: int) -> str:
    """The notes of the latest current result: a desk records one note for all."""
    latest = (
        Result.objects.filter(visit_id=visit_id, is_current=True)
        .order_by("-recorded_at", "-id")
        .first()
    )
    return latest.notes if latest is not None else ""


def visit_results_history(*, visit_id: int) -> list[RecordedResult]:
    """Every result ever recorded for the visit, newest first, corrections and
    what they replaced alike."""
    rows = (
        Result.objects.filter(visit_id=visit_id)
        .select_related("recorded_by")
        .order_by("-recorded_at", "-id")
    )
    return [
        RecordedResult(
            test=row.test,
            test_label=str(row.get_test_display()),
            value=row.value,
            recorded_at=row.recorded_at,
            recorded_by=row.recorded_by.username if row.recorded_by else "",
            source=str(row.get_source_display()),
            is_current=row.is_current,
            superseded=row.superseded_by_id is not None,
        )
        for row in rows
    ]
