"""Undo, at the desk, the last entry of a woman's results while the review
window lasts (screening's result_undo_last); with nothing left, her
appointment is back to checked in, so her check-in can be undone too."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from scheduling.errors import NotCheckedIn
from scheduling.selectors import clinic_appointment_get
from scheduling.transitions import UNDO_RESULTS, appointment_transition
from screening import selectors as screening_selectors
from screening import services as screening_services


def appointment_results_undo(
    *, by: User, appointment_id: int, request: HttpRequest | None = None
) -> int:
    """Undo the last entry of her results; how many results are left. Raises
    OtherSite, NotCheckedIn, and screening's NothingToUndo or UndoTooLate."""
    appointment = clinic_appointment_get(user=by, appointment_id=appointment_id)
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
