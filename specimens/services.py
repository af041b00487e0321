"""Taking, moving and rejecting specimens. Every status change is a
compare-and-swap on the row inside transaction.atomic(), so two desks acting on
one tube at once cannot both win."""

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from common.audit import audit_record
from notifications.services import notification_schedule
from screening.models import ServiceScope, Visit
from specimens.barcodes import new_barcode
from specimens.errors import (
    AlreadyCollected,
    AlreadyResulted,
    NotCheckedIn,
    NothingToSample,
    ReasonInvalid,
    SpecimenNotFound,
    StatusChanged,
    VisitNotFound,
)
from specimens.models import (
    Recollection,
    RejectionReason,
    Specimen,
    SpecimenKind,
    SpecimenStatus,
)
from specimens.scope import check_site

logger = logging.getLogger(__name__)

RECOLLECTION_KIND = "recollection"
MESSAGE_LANGUAGE = "zh-hans"
BARCODE_ATTEMPTS = 5

# Which statuses each step may start from. Resulted is final, and so is rejected.
STEP_FROM: dict[str, tuple[str, ...]] = {
    SpecimenStatus.DISPATCHED: (SpecimenStatus.COLLECTED,),
    # A lab may book a tube in that came without a manifest.
    SpecimenStatus.RECEIVED: (SpecimenStatus.COLLECTED, SpecimenStatus.DISPATCHED),
    SpecimenStatus.RESULTED: (
        SpecimenStatus.COLLECTED,
        SpecimenStatus.DISPATCHED,
        SpecimenStatus.RECEIVED,
    ),
}
STEP_TIME = {
    SpecimenStatus.DISPATCHED: "dispatched_at",
    SpecimenStatus.RECEIVED: "received_at",
    SpecimenStatus.RESULTED: "resulted_at",
}
REJECTABLE = (
    SpecimenStatus.COLLECTED,
    SpecimenStatus.DISPATCHED,
    SpecimenStatus.RECEIVED,
)


def _user(by: Any) -> Any:
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def kinds_needed(visit: Visit) -> list[str]:
    """The tubes her screening takes: cervical screening takes an hrHPV sample
    and a cytology sample; breast screening takes none."""
    if visit.campaign.services in (ServiceScope.CERVICAL, ServiceScope.BOTH):
        return [SpecimenKind.HPV, SpecimenKind.CYTOLOGY]
    return []


def _visit(visit_id: int, site_ids: list[int] | None) -> Visit:
    visit = Visit.objects.select_related("campaign").filter(pk=visit_id).first()
    if visit is None:
        raise VisitNotFound
    check_site(visit, site_ids)
    if visit.undone_at is not None:
        raise NotCheckedIn
    return visit


def _insert(visit: Visit, kind: str, by: Any) -> Specimen:
    """A new tube with a fresh barcode. A barcode clash (two draws alike) is
    retried; a clash on visit and kind means another nurse took it first."""
    for _attempt in range(BARCODE_ATTEMPTS):
        specimen = Specimen(
            visit=visit, kind=kind, barcode=new_barcode(), collected_by=_user(by)
        )
        try:
            with transaction.atomic():
                specimen.save(force_insert=True)
                _close_recollection(visit, kind, specimen)
        except IntegrityError:
            if _live(visit.pk, kind) is not None:
                raise AlreadyCollected from None
            continue
        audit_record(
            actor=by,
            action="specimen.collected",
            obj_type="specimen",
            obj_id=specimen.pk,
            details={"visit": visit.pk, "kind": kind},
        )
        logger.info("specimens.collected id=%s kind=%s", specimen.pk, kind)
        return specimen
    raise RuntimeError("no free barcode after several draws")


def _live(visit_id: int, kind: str) -> Specimen | None:
    return (
        Specimen.objects.filter(visit_id=visit_id, kind=kind)
        .exclude(status=SpecimenStatus.REJECTED)
        .first()
    )


def _close_recollection(visit: Visit, kind: str, specimen: Specimen) -> None:
    Recollection.objects.filter(visit=visit, kind=kind, closed_at__isnull=True).update(
        closed_at=timezone.now(), new_specimen=specimen
    )


def specimen_create(
    *, visit_id: int, kind: str, by: Any, site_ids: list[int] | None
) -> Specimen:
    """One tube of `kind` for a checked-in visit. AlreadyCollected when a live
    tube of that kind exists (the database's unique constraint decides races)."""
    visit = _visit(visit_id, site_ids)
    if kind not in kinds_needed(visit):
        raise NothingToSample
    return _insert(visit, kind, by)


def specimens_collect(
    *, visit_id: int, by: Any, site_ids: list[int] | None
) -> list[Specimen]:
    """The sampling step: every tube her visit needs, the missing ones created.
    Safe to press twice, or from two desks at once."""
    visit = _visit(visit_id, site_ids)
    kinds = kinds_needed(visit)
    if not kinds:
        raise NothingToSample
    specimens = []
    for kind in kinds:
        specimen = _live(visit.pk, kind)
        if specimen is None:
            try:
                specimen = _insert(visit, kind, by)
            except AlreadyCollected:
                specimen = _live(visit.pk, kind)
        specimens.append(specimen)
    return specimens


def _locked(specimen_id: int, site_ids: list[int] | None) -> Specimen:
    specimen = Specimen.objects.select_related("visit").filter(pk=specimen_id).first()
    if specimen is None:
        raise SpecimenNotFound
    check_site(specimen.visit, site_ids)
    return specimen


def specimen_step(
    *, specimen_id: int, to: str, by: Any, site_ids: list[int] | None
) -> Specimen:
    """Move a tube one step on (dispatched, received, resulted)."""
    if to not in STEP_FROM:
        raise StatusChanged
    specimen = _locked(specimen_id, site_ids)
    now = timezone.now()
    with transaction.atomic():
        moved = Specimen.objects.filter(
            pk=specimen.pk, status__in=STEP_FROM[to]
        ).update(status=to, **{STEP_TIME[to]: now})
        if not moved:
            raise StatusChanged
        audit_record(
            actor=by, action=f"specimen.{to}", obj_type="specimen", obj_id=specimen.pk
        )
    specimen.refresh_from_db()
    return specimen


def specimen_reject(
    *, specimen_id: int, reason: str, by: Any, site_ids: list[int] | None
) -> Specimen:
    """Reject a tube: it opens a recollection task and asks her, once, to come
    back. The message says nothing of what went wrong."""
    if reason not in RejectionReason.values:
        raise ReasonInvalid
    specimen = _locked(specimen_id, site_ids)
    now = timezone.now()
    with transaction.atomic():
        rejected = Specimen.objects.filter(
            pk=specimen.pk, status__in=REJECTABLE
        ).update(
            status=SpecimenStatus.REJECTED, rejected_at=now, rejection_reason=reason
        )
        if not rejected:
            raise _why_not_rejectable(specimen.pk)
        Recollection.objects.create(
            specimen=specimen, visit=specimen.visit, kind=specimen.kind, opened_at=now
        )
        _ask_her_back(specimen)
        audit_record(
            actor=by,
            action="specimen.rejected",
            obj_type="specimen",
            obj_id=specimen.pk,
            details={"reason": reason},
        )
    specimen.refresh_from_db()
    return specimen


def _why_not_rejectable(specimen_id: int) -> StatusChanged:
    # Read after the refused update, only to say why: the update decided.
    status = Specimen.objects.filter(pk=specimen_id).values_list("status", flat=True)
    if status.first() == SpecimenStatus.RESULTED:
        return AlreadyResulted()
    return StatusChanged()


def specimen_create_at_appointment(
    *, appointment_id: int, kind: str, by: Any, site_ids: list[int] | None
) -> Specimen:
    """The API's create: the tube of `kind` for the visit her check-in opened.
    An appointment without a visit is not checked in (whether it exists at all
    is the booking layer's to say, and telling would leak nothing useful)."""
    visit_id = (
        Visit.objects.filter(appointment_id=appointment_id)
        .values_list("pk", flat=True)
        .first()
    )
    if visit_id is None:
        raise NotCheckedIn
    return specimen_create(visit_id=visit_id, kind=kind, by=by, site_ids=site_ids)


def _ask_her_back(specimen: Specimen) -> None:
    # Sent even to a woman who turned reminders off: without a new sample her
    # screening has no result, and silence would read as good news.
    visit = Visit.objects.select_related("participant", "campaign").get(
        pk=specimen.visit_id
    )
    participant = visit.participant
    if participant.anonymised_at is not None or not participant.phone:
        return
    # One key per rejected tube, so a retried request never sends a second copy.
    notification_schedule(
        phone=participant.phone,
        kind=RECOLLECTION_KIND,
        dedupe_key=f"recollection:{specimen.pk}",
        context={"site": visit.site_name, "tel": visit.campaign.contact_phone},
        recipient_ref=f"participant:{participant.pk}",
        language=MESSAGE_LANGUAGE,
    )
