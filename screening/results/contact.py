"""Phoning a woman on the follow-up worklist: revealing her number (audited,
with a purpose from a fixed list) and recording what each call came to."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext

from common.audit import audit_record
from screening.errors import ValidationFailed
from screening.models import (
    CONTACT_NOTE_MAX_LENGTH,
    FOLLOW_UP_AWAITING,
    ContactAttempt,
    ContactOutcome,
    FollowUpCase,
    FollowUpStatus,
    RevealPurpose,
)
from screening.recall.services import cease_record
from screening.results.follow_up import follow_up_contact_record, follow_up_transition


def follow_up_phone_reveal(
    *,
    case: FollowUpCase,
    by: Any,
    purpose: str,
    request: HttpRequest | None = None,
) -> str:
    """Her full number, for a nurse about to call her. Every reveal is an
    audit event naming the purpose, and shows on her "who looked" page."""
    if purpose not in RevealPurpose.values:
        raise ValidationFailed(
            errors={"purpose": [gettext("Choose why you need her number.")]}
        )
    audit_record(
        actor=by,
        action="follow_up.phone_revealed",
        obj_type="follow_up_case",
        obj_id=case.pk,
        request=request,
        purpose=purpose,
        details={"participant": case.participant_id},
    )
    return case.participant.phone


def _moved_away(case: FollowUpCase, *, by: Any) -> None:
    """DOMAIN §1.5's side exit with its reason: lost, because she moved away;
    and a cease record, so no invitation chases her to the old address."""
    current = FollowUpCase.objects.get(pk=case.pk)
    if current.status in FOLLOW_UP_AWAITING:
        follow_up_transition(
            case=current, to_status=FollowUpStatus.LOST, by=by, note="moved away"
        )
    cease_record(participant=case.participant, reason="moved_away", scope="all", by=by)


def follow_up_call_record(
    *, case: FollowUpCase, by: Any, outcome: str, note: str = ""
) -> ContactAttempt:
    """Record one call and its outcome. Reaching her marks her notified; the
    N-th failure in a row marks her lost (follow_up_contact_record)."""
    note = note.strip()
    errors: dict[str, list[str]] = {}
    if outcome not in ContactOutcome.values:
        errors["outcome"] = [gettext("Choose what came of the call.")]
    if len(note) > CONTACT_NOTE_MAX_LENGTH:
        errors["note"] = [
            gettext("Keep the note to %(max)s characters or fewer.")
            % {"max": CONTACT_NOTE_MAX_LENGTH}
        ]
    if errors:
        raise ValidationFailed(errors=errors)
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    with transaction.atomic():
        # The note lives on the attempt alone; the case's event log keeps the
        # fact of the call, so the free text is held (and erased) in one place.
        follow_up_contact_record(
            case=case, by=by, reached=outcome == ContactOutcome.REACHED
        )
        if outcome == ContactOutcome.MOVED_AWAY:
            _moved_away(case, by=by)
        return ContactAttempt.objects.create(
            case=case, by=actor, outcome=outcome, note=note
        )
