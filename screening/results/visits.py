"""Opening a visit at check-in, and undoing a check-in made by mistake."""

import logging
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from common.audit import audit_record
from common.locks import rows_lock
from screening.errors import ResultsExist
from screening.models import Campaign, Participant, Result, Visit

logger = logging.getLogger(__name__)


def _user(by: Any) -> Any:
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def visit_lock_for_appointment(*, appointment_id: int) -> None:
    """Lock the visit of this appointment, if it has one, until the commit: a
    check-in takes it before the appointment, as an undo and a result at the
    desk do (ADR 0009)."""
    rows_lock(Visit.objects.filter(appointment_id=appointment_id))


def _visit_reopened(
    *,
    appointment_id: int,
    site_id: int,
    site_name: str,
    day: date,
    by: Any,
    now: datetime,
) -> Visit | None:
    """The appointment's visit if it has one, opened again if its check-in was
    undone."""
    with transaction.atomic():
        # Locked so that a repeated check-in and an undo cannot interleave.
        visit = (
            Visit.objects.select_for_update()
            .filter(appointment_id=appointment_id)
            .first()
        )
        if visit is not None and visit.undone_at is not None:
            visit.undone_at = None
            visit.checked_in_at = now
            visit.checked_in_by = _user(by)
            visit.day = day
            visit.site_id = site_id
            visit.site_name = site_name
            visit.save()
            audit_record(
                actor=by, action="visit.reopened", obj_type="visit", obj_id=visit.pk
            )
        return visit


def visit_open(
    *,
    campaign: Campaign,
    participant: Participant,
    site_id: int,
    site_name: str,
    day: date,
    appointment_id: int | None,
    reference: str,
    by: Any,
) -> Visit:
    """The visit of this check-in. Idempotent per appointment: a second call
    returns the first visit, and a visit whose check-in was undone opens again."""
    now = timezone.now()
    if appointment_id is not None:
        existing = _visit_reopened(
            appointment_id=appointment_id,
            site_id=site_id,
            site_name=site_name,
            day=day,
            by=by,
            now=now,
        )
        if existing is not None:
            return existing
    fields = {
        "campaign": campaign,
        "participant": participant,
        "site_id": site_id,
        "site_name": site_name[:100],
        "day": day,
        "appointment_id": appointment_id,
        "reference": reference.strip().upper()[:8],
        "checked_in_by": _user(by),
        "checked_in_at": now,
    }
    try:
        with transaction.atomic():
            visit = Visit.objects.create(**fields)
    except IntegrityError:
        # Two check-ins of the same appointment raced; the unique id chose one.
        return Visit.objects.get(appointment_id=appointment_id)
    audit_record(actor=by, action="visit.opened", obj_type="visit", obj_id=visit.pk)
    logger.info("visits.opened id=%s site=%s", visit.pk, site_id)
    return visit


def visit_undo(*, visit: Visit, by: Any) -> Visit:
    """Mark the check-in a mistake. Refused while a result is recorded: those
    belong to a real visit. Results undone (none current) are only history."""
    with transaction.atomic():
        # The same lock result_record takes: no result can slip in meanwhile.
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if locked.undone_at is not None:
            return locked
        if Result.objects.filter(visit=locked, is_current=True).exists():
            raise ResultsExist
        locked.undone_at = timezone.now()
        locked.save(update_fields=["undone_at"])
        audit_record(
            actor=by, action="visit.undone", obj_type="visit", obj_id=locked.pk
        )
    logger.info("visits.undone id=%s", locked.pk)
    return locked
