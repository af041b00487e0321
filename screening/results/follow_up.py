"""The follow-up loop (DOMAIN §1.5): one case per abnormal visit, reminders as
outbox rows, every status change through FollowUpCase.set_status."""

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from common.audit import audit_record
from notifications.services import notification_schedule, notifications_cancel_pending
from screening.errors import ValidationFailed
from screening.models import (
    FOLLOW_UP_AWAITING,
    Conclusion,
    FollowUpCase,
    FollowUpEvent,
    FollowUpEventKind,
    FollowUpStatus,
    ResultSummary,
    Visit,
)

logger = logging.getLogger(__name__)

FOLLOW_UP_KIND = "follow_up_due"
MESSAGE_LANGUAGE = "zh-hans"
REMINDER_DAYS_BEFORE = (7, 0)
REMINDER_HOUR = time(10, 0)

# Pathology codes a diagnosis may carry (DOMAIN §1.4.4 and breast pathology).
# Which count as precancer is the 方案's definition ⚠: confirm with the hospital.
PRECANCER_DIAGNOSES = frozenset({"CIN2", "CIN3", "AIS", "ATYPIA", "DCIS", "LCIS"})
CANCER_DIAGNOSES = frozenset({"MICROINV", "INV_SCC", "INV_ADENO", "INVASIVE"})
DIAGNOSIS_CODES = frozenset(
    {"PATH_NEG", "CIN1", "BENIGN"} | PRECANCER_DIAGNOSES | CANCER_DIAGNOSES
)


def max_failed_contacts() -> int:
    return int(getattr(settings, "FOLLOW_UP_MAX_FAILED_CONTACTS", 3))


def _reminder_prefix(case: FollowUpCase) -> str:
    return f"followup:{case.pk}:due:"


def _reminder_times(due_on: date) -> list[datetime]:
    zone = timezone.get_default_timezone()
    return [
        datetime.combine(due_on - timedelta(days=days), REMINDER_HOUR, tzinfo=zone)
        for days in REMINDER_DAYS_BEFORE
    ]


def _schedule_reminders(case: FollowUpCase, visit: Visit) -> None:
    """A reminder a week before the due day and one on it, those still ahead.
    Each takes the next number, so a new round never meets a cancelled key."""
    participant = visit.participant
    if case.due_on is None or not participant.sms_reminders:
        return
    now = timezone.now()
    for send_at in _reminder_times(case.due_on):
        if send_at <= now:
            continue
        case.reminders_scheduled += 1
        notification_schedule(
            phone=participant.phone,
            kind=FOLLOW_UP_KIND,
            dedupe_key=f"{_reminder_prefix(case)}{case.reminders_scheduled}",
            context={
                "deadline": case.due_on.isoformat(),
                "site": visit.site_name,
                "tel": visit.campaign.contact_phone,
            },
            send_at=send_at,
            recipient_ref=f"participant:{participant.pk}",
            language=MESSAGE_LANGUAGE,
        )
    case.save(update_fields=["reminders_scheduled", "updated_at"])


def _event(
    case: FollowUpCase,
    *,
    kind: str,
    by: Any,
    from_status: str = "",
    to_status: str = "",
    reached: bool | None = None,
    note: str = "",
) -> None:
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    FollowUpEvent.objects.create(
        case=case,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        reached=reached,
        note=note,
        by=actor,
    )


def follow_up_sync(
    *, visit: Visit, summary: ResultSummary, may_message: bool
) -> FollowUpCase | None:
    """Open the visit's one case for a non-normal summary, or bring an open case
    in line with a corrected one. The caller holds the visit's lock."""
    case = FollowUpCase.objects.select_for_update().filter(visit=visit).first()
    if summary.conclusion == Conclusion.NORMAL:
        if case is not None and case.status == FollowUpStatus.OPEN:
            # Nobody has acted on it yet, and the corrected result is normal.
            _apply_transition(
                case,
                to_status=FollowUpStatus.CLOSED,
                by=None,
                note="closed: the corrected result is normal",
            )
        return case
    if case is None:
        case = FollowUpCase.objects.create(
            visit=visit,
            participant=visit.participant,
            site_id=visit.site_id,
            conclusion=summary.conclusion,
            urgent=summary.urgent,
            due_on=summary.follow_up_due_on,
        )
        _event(case, kind=FollowUpEventKind.OPENED, by=None, to_status=case.status)
        if may_message:
            _schedule_reminders(case, visit)
        logger.info("follow_up.opened id=%s visit=%s", case.pk, visit.pk)
        return case
    if case.status not in FOLLOW_UP_AWAITING:
        return case
    changed = (
        case.conclusion != summary.conclusion
        or case.urgent != summary.urgent
        or case.due_on != summary.follow_up_due_on
    )
    if changed:
        case.conclusion = summary.conclusion
        case.urgent = summary.urgent
        case.due_on = summary.follow_up_due_on
        case.save(update_fields=["conclusion", "urgent", "due_on", "updated_at"])
        notifications_cancel_pending(dedupe_key_prefix=_reminder_prefix(case))
        if may_message:
            _schedule_reminders(case, visit)
    return case


def _apply_transition(
    case: FollowUpCase, *, to_status: str, by: Any, note: str = ""
) -> str:
    old = case.set_status(to_status)
    case.save()
    _event(
        case,
        kind=FollowUpEventKind.STATUS,
        by=by,
        from_status=old,
        to_status=to_status,
        note=note,
    )
    audit_record(
        actor=by,
        action="follow_up.status",
        obj_type="follow_up_case",
        obj_id=case.pk,
        details={"from": old, "to": to_status},
    )
    if to_status not in FOLLOW_UP_AWAITING:
        # Reminders run until the follow-up is recorded, or she is out of reach.
        notifications_cancel_pending(dedupe_key_prefix=_reminder_prefix(case))
    logger.info("follow_up.status id=%s from=%s to=%s", case.pk, old, to_status)
    return old


def follow_up_transition(
    *,
    case: FollowUpCase,
    to_status: str,
    by: Any,
    note: str = "",
    diagnosis_code: str = "",
) -> FollowUpCase:
    """Move a case on. Raises FollowUpTransitionInvalid for a move DOMAIN §1.5
    does not allow, ValidationFailed for a diagnosis without a known code."""
    diagnosis_code = diagnosis_code.strip().upper()
    if to_status == FollowUpStatus.DIAGNOSED and diagnosis_code not in DIAGNOSIS_CODES:
        raise ValidationFailed(
            errors={
                "diagnosis_code": [
                    gettext("Choose one of the diagnosis codes: %(codes)s.")
                    % {"codes": ", ".join(sorted(DIAGNOSIS_CODES))}
                ]
            }
        )
    with transaction.atomic():
        # Two nurses updating one case: the second sees the first's status.
        locked = FollowUpCase.objects.select_for_update().get(pk=case.pk)
        if diagnosis_code:
            locked.diagnosis_code = diagnosis_code
        _apply_transition(locked, to_status=to_status, by=by, note=note)
    return locked


def follow_up_contact_record(
    *, case: FollowUpCase, by: Any, reached: bool, note: str = ""
) -> FollowUpCase:
    """Log one attempt to reach her. Reaching her marks her notified; the N-th
    failure in a row (FOLLOW_UP_MAX_FAILED_CONTACTS, default 3) marks her lost."""
    with transaction.atomic():
        locked = FollowUpCase.objects.select_for_update().filter(pk=case.pk).first()
        if locked is None:
            raise FollowUpCase.DoesNotExist
        _event(
            locked, kind=FollowUpEventKind.CONTACT, by=by, reached=reached, note=note
        )
        audit_record(
            actor=by,
            action="follow_up.contact",
            obj_type="follow_up_case",
            obj_id=locked.pk,
            details={"reached": reached},
        )
        if reached:
            locked.failed_contacts = 0
            locked.save(update_fields=["failed_contacts", "updated_at"])
            if locked.status in (FollowUpStatus.OPEN, FollowUpStatus.LOST):
                _apply_transition(locked, to_status=FollowUpStatus.NOTIFIED, by=by)
        else:
            locked.failed_contacts += 1
            locked.save(update_fields=["failed_contacts", "updated_at"])
            if (
                locked.failed_contacts >= max_failed_contacts()
                and locked.status in FOLLOW_UP_AWAITING
            ):
                _apply_transition(
                    locked,
                    to_status=FollowUpStatus.LOST,
                    by=by,
                    note="lost after failed contacts",
                )
    return locked
