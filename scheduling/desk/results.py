"""Results entered at the desk for a checked-in woman, and the undo of her last
entry while the review window lasts (screening's result_undo_last); with
nothing left, her appointment is back to checked in, so her check-in can be
undone too."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from scheduling.desk.selectors import (
    desk_appointment_get,
)
from scheduling.errors import (
    NotCheckedIn,
)
from scheduling.models import AppointmentStatus
from scheduling.transitions import (
    SCREEN,
    UNDO_RESULTS,
    appointment_transition,
)
from screening import selectors as screening_selectors
from screening import services as screening_services


def appointment_results_record(
    *,
    by: User,
    appointment_id: int,
    tests: list[dict[str, str]],
    notes: str,
    request: HttpRequest | None = None,
) -> list[Any]:
    """Record results for a checked-in woman through screening's result_record,
    and mark her appointment screened. Raises NotCheckedIn without a visit; the
    result errors (unknown test or value) come from screening."""
    appointment = desk_appointment_get(user=by, appointment_id=appointment_id)
    visit = screening_selectors.visit_for_appointment(appointment_id=appointment.pk)
    if visit is None or appointment.status not in (
        AppointmentStatus.CHECKED_IN,
        AppointmentStatus.SCREENED,
    ):
        raise NotCheckedIn
    with transaction.atomic():
        results = screening_services.result_record(
            visit_id=visit.pk,
            tests=tests,
            notes=notes,
            by=by,
            source="desk",
            request=request,
        )
        # Already screened (a correction) is left as it is.
        appointment_transition(appointment, SCREEN, now=timezone.now())
    return list(results)


def appointment_results_undo(
    *, by: User, appointment_id: int, request: HttpRequest | None = None
) -> int:
    """Undo the last entry of her results; how many results are left. Raises
    OtherSite, NotCheckedIn, and screening's NothingToUndo or UndoTooLate."""
    appointment = desk_appointment_get(user=by, appointment_id=appointment_id)
    visit = screening_selectors.visit_for_appointment(appointment_id=appointment.pk)
    if visit is None:
        raise NotCheckedIn
    with transaction.atomic():
        left = screening_services.result_undo_last(
            visit_id=visit.pk, by=by, request=request
        )
        if not left:
            # Not screened (nothing had marked her so) is left as it is.
            appointment_transition(appointment, UNDO_RESULTS, now=timezone.now())
    return left
