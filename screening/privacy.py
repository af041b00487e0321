"""Her rights under PIPL art. 44-47: see everything held about her, take a copy,
withdraw consent, have her data deleted.

Appointments live in scheduling, which screening never imports: the sections
other apps hold are gathered through `screening.signals.personal_data_requested`,
and withdrawal reaches them through `consent_withdrawn`.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.audit import audit_record
from common.crypto import keyed_hash
from notifications.privacy import (
    notifications_cancel_future_for_recipient,
    notifications_forget_recipient,
)
from screening.models import (
    ConsentPurpose,
    DeletionRequest,
    DeletionStatus,
    Participant,
    ParticipantToken,
)
from screening.personal_data import (
    PersonalDataSection,
    participant_consents,
    participant_data,
    participant_legal_hold,
    participant_profile,
    participant_results,
    participant_staff_access,
    phone_hashes,
    recipient_ref,
    results_model,
)
from screening.results.import_retention import result_imports_forget_references
from screening.services import consent_withdraw
from screening.signals import consent_withdrawn

logger = logging.getLogger(__name__)

# Her data page's reads live in screening.personal_data; named here too, so
# this module stays the one door to her rights.
__all__ = [
    "PersonalDataSection",
    "deletion_requests_finish",
    "participant_anonymise",
    "participant_anonymise_for_retention",
    "participant_consents",
    "participant_data",
    "participant_legal_hold",
    "participant_profile",
    "participant_results",
    "participant_staff_access",
    "participant_withdraw_consent",
    "recipient_ref",
]

ANONYMISED_NAME = "已删除"


def _withdraw_all(participant: Participant) -> bool:
    """Withdraw every live consent; tell the apps above when health data was."""
    withdrawn_health = False
    for purpose in ConsentPurpose.values:
        consent = consent_withdraw(participant=participant, purpose=purpose)
        if consent is not None and purpose == ConsentPurpose.HEALTH_DATA:
            withdrawn_health = True
    if withdrawn_health:
        consent_withdrawn.send(sender=Participant, participant=participant)
    return withdrawn_health


def participant_withdraw_consent(*, participant: Participant) -> None:
    """Withdraw her consent to the processing of health data, cancel her future
    bookings (through `consent_withdrawn`) and every future message to her.
    Idempotent: with no live consent, nothing happens."""
    with transaction.atomic():
        consent = consent_withdraw(
            participant=participant, purpose=ConsentPurpose.HEALTH_DATA
        )
        if consent is None:
            return
        consent_withdrawn.send(sender=Participant, participant=participant)
        # The cancellation notice just queued is due now, so it still goes out;
        # reminders and anything else later do not.
        notifications_cancel_future_for_recipient(
            recipient_ref=recipient_ref(participant),
            phone_hashes=phone_hashes(participant),
            after=timezone.now(),
        )
    logger.info("participants.consent_withdrawn id=%s", participant.pk)


def _unusable_value() -> str:
    # Neither a phone number nor an ID number could ever look like this.
    return f"deleted-{secrets.token_hex(16)}"


def _forget_free_text(participant: Participant) -> None:
    """Clinical notes are free text and may name her: blank them, keep the codes."""
    result_model = results_model("Result")
    event_model = results_model("FollowUpEvent")
    if result_model is not None:
        result_model.objects.filter(visit__participant=participant).update(notes="")
        result_imports_forget_references(
            references=participant.visits.values_list("reference", flat=True)
        )
    if event_model is not None:
        event_model.objects.filter(case__participant=participant).update(note="")
    attempt_model = results_model("ContactAttempt")
    if attempt_model is not None:
        attempt_model.objects.filter(case__participant=participant).update(note="")


def _anonymise_now(
    *, participant_id: int, initiator: str, by: Any | None = None
) -> bool:
    """Replace everything that identifies her; keep birth year, district and
    employment type for the aggregates. Returns False if already anonymised."""
    with transaction.atomic():
        # Locked: a concurrent retention run and her own request must not both
        # rewrite the row (the second would mint a second set of hashes).
        participant = Participant.objects.select_for_update().get(pk=participant_id)
        if participant.anonymised_at is not None:
            return False
        hashes = phone_hashes(participant)
        _withdraw_all(participant)
        notifications_forget_recipient(
            recipient_ref=recipient_ref(participant), phone_hashes=hashes
        )
        ParticipantToken.objects.filter(
            Q(participant=participant) | Q(phone_hash__in=hashes)
        ).delete()
        _forget_free_text(participant)
        phone, id_number = _unusable_value(), _unusable_value()
        participant.full_name = ANONYMISED_NAME
        participant.phone = phone
        participant.phone_hash = keyed_hash(phone, purpose="anonymised")
        participant.id_number = id_number
        participant.id_hash = keyed_hash(id_number, purpose="anonymised")
        participant.birth_date = date(participant.birth_date.year, 1, 1)
        participant.employment_other = ""
        participant.employer = ""
        participant.sms_reminders = False
        participant.anonymised_at = timezone.now()
        participant.save()
        DeletionRequest.objects.filter(
            participant=participant,
            status__in=[DeletionStatus.PENDING, DeletionStatus.HELD],
        ).update(status=DeletionStatus.DONE, done_at=participant.anonymised_at)
        audit_record(
            actor=by,
            action="participant.anonymised",
            obj_type="participant",
            obj_id=participant.pk,
            details={"initiator": initiator},
        )
    logger.info("participants.anonymised id=%s initiator=%s", participant_id, initiator)
    return True


def participant_anonymise(
    *, participant: Participant, reason: str, by: Any | None = None
) -> DeletionRequest:
    """Her request to delete her data (`reason`: a short code such as
    "self_request"). Anonymised at once unless a legal hold applies; then the
    request is recorded as held, her consent withdrawn and her bookings
    cancelled, and the retention job finishes it once follow-up has ended.
    Either way every sign-in token of hers is ended. Returns the request."""
    with transaction.atomic():
        request = (
            DeletionRequest.objects.select_for_update()
            .filter(participant=participant)
            .exclude(status=DeletionStatus.DONE)
            .first()
        )
        if request is None:
            request = DeletionRequest.objects.create(
                participant=participant, reason=reason[:200]
            )
        held = participant_legal_hold(participant=participant)
        if held:
            request.status = DeletionStatus.HELD
            request.save(update_fields=["status"])
            participant_withdraw_consent(participant=participant)
            ParticipantToken.objects.filter(
                Q(participant=participant) | Q(phone_hash__in=phone_hashes(participant))
            ).delete()
            audit_record(
                actor=by,
                action="participant.deletion_held",
                obj_type="participant",
                obj_id=participant.pk,
                details={"initiator": "self" if by is None else "staff"},
            )
        else:
            _anonymise_now(
                participant_id=participant.pk,
                initiator="self" if by is None else "staff",
                by=by,
            )
    request.refresh_from_db()
    logger.info(
        "participants.deletion_requested id=%s request=%s status=%s",
        participant.pk,
        request.pk,
        request.status,
    )
    return request


def deletion_requests_finish(*, dry_run: bool = False) -> int:
    """Anonymise every held request whose hold has ended. Returns how many."""
    done = 0
    held = DeletionRequest.objects.filter(
        status__in=[DeletionStatus.PENDING, DeletionStatus.HELD]
    ).select_related("participant")
    for request in held:
        if participant_legal_hold(participant=request.participant):
            continue
        if dry_run:
            done += 1
            continue
        if _anonymise_now(participant_id=request.participant_id, initiator="self"):
            done += 1
    return done


def participant_anonymise_for_retention(*, participant_id: int) -> bool:
    """The retention job's anonymisation; audited as done by the system."""
    return _anonymise_now(participant_id=participant_id, initiator="retention")
