"""Writes of the screening app: registration, profile changes, consent.

Sign-in codes live in screening.otp, visits, results, summaries, follow-up and
lab imports in screening.results; they are re-exported here, so other apps and
the pages import every screening write from this module.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from common.crypto import keyed_hash, keyed_hash_candidates
from notifications.services import REMINDER_KINDS, notifications_cancel_for_recipient
from screening.authentication import PhoneIdentity
from screening.errors import AlreadyRegistered, IdTaken, ValidationFailed
from screening.idcard import IdNumber
from screening.models import (
    Campaign,
    Consent,
    ConsentPurpose,
    District,
    EmploymentType,
    Participant,
    ParticipantToken,
)
from screening.otp import otp_request, otp_verify
from screening.participant_checks import (
    Errors,
    add_error,
    check_employment,
    check_full_name,
    district_of_her_campaigns,
    registration_checked,
)
from screening.results.contact import follow_up_call_record, follow_up_phone_reveal
from screening.results.follow_up import (
    follow_up_contact_record,
    follow_up_transition,
)
from screening.results.imports import result_import_create
from screening.results.recording import result_record
from screening.results.summaries import summary_compute
from screening.results.undo import result_undo_last
from screening.results.visits import (
    visit_lock_for_appointment,
    visit_open,
    visit_undo,
)

__all__ = [
    "consent_give",
    "consent_withdraw",
    "follow_up_call_record",
    "follow_up_contact_record",
    "follow_up_phone_reveal",
    "follow_up_transition",
    "otp_request",
    "otp_verify",
    "participant_register",
    "participant_update",
    "result_import_create",
    "result_record",
    "result_undo_last",
    "summary_compute",
    "visit_lock_for_appointment",
    "visit_open",
    "visit_undo",
]

logger = logging.getLogger(__name__)


def _link_tokens(*, phone_hash: str, participant: Participant) -> None:
    # Every token of this phone proves the same phone, whichever device holds it.
    ParticipantToken.objects.filter(
        phone_hash=phone_hash, participant__isnull=True
    ).update(participant=participant)


def _refuse_taken_id(parsed: IdNumber, campaign: Campaign) -> str:
    """The ID number's hash; IdTaken if a row not yet rebuilt holds it."""
    id_hash = keyed_hash(parsed.number, purpose="id")
    # While ID_HASH_KEY rotates, a row not yet rebuilt carries the old hash,
    # which the unique constraint cannot see.
    previous_id_hashes = keyed_hash_candidates(parsed.number, purpose="id")[1:]
    if (
        previous_id_hashes
        and Participant.objects.filter(id_hash__in=previous_id_hashes).exists()
    ):
        raise IdTaken(contact_phone=campaign.contact_phone)
    return id_hash


def _name_the_winner(
    *, identity: PhoneIdentity, id_hash: str, campaign: Campaign
) -> None:
    """The insert lost to a committed row; read which one, only to name it."""
    if Participant.objects.filter(phone_hash=identity.phone_hash).exists():
        raise AlreadyRegistered from None
    if Participant.objects.filter(id_hash=id_hash).exists():
        logger.info("participants.id_taken campaign=%s", campaign.pk)
        raise IdTaken(contact_phone=campaign.contact_phone) from None


def _participant_insert(
    *,
    identity: PhoneIdentity,
    campaign: Campaign,
    parsed: IdNumber,
    id_hash: str,
    district: District,
    fields: dict[str, str],
    consent_version: str,
    sms_reminders: bool,
) -> Participant:
    """Her row, her consent and her phone's tokens, in one transaction; the
    unique constraints name who won a race (AlreadyRegistered, IdTaken)."""
    employment_type = fields["employment_type"]
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                phone=identity.phone,
                phone_hash=identity.phone_hash,
                full_name=fields["full_name"],
                id_number=parsed.number,
                id_hash=id_hash,
                birth_date=parsed.birth_date,
                sex=parsed.sex,
                employment_type=employment_type,
                employment_other=(
                    fields["employment_other"]
                    if employment_type == EmploymentType.OTHER
                    else ""
                ),
                employer=fields["employer"],
                district=district,
                sms_reminders=sms_reminders,
            )
            Consent.objects.create(
                participant=participant,
                purpose=ConsentPurpose.HEALTH_DATA,
                text_version=consent_version,
                given_at=timezone.now(),
            )
            _link_tokens(phone_hash=identity.phone_hash, participant=participant)
    except IntegrityError:
        _name_the_winner(identity=identity, id_hash=id_hash, campaign=campaign)
        raise
    identity.participant = participant
    logger.info("participants.registered id=%s", participant.pk)
    return participant


def participant_register(
    *,
    identity: PhoneIdentity,
    full_name: str,
    id_number: str,
    employment_type: str,
    employment_other: str,
    employer: str,
    district_code: str,
    campaign: Campaign,
    consent_health_data: bool,
    consent_version: str,
    sms_reminders: bool,
) -> Participant:
    """Register the woman behind a verified phone, with her consent to the
    processing of health data, and attach her to that phone's tokens.

    Raises ValidationFailed with every field error at once; AlreadyRegistered
    when the phone has registered; IdTaken when another phone holds the ID
    number. The unique constraints decide the last two, so two requests racing
    with the same phone or ID number cannot both succeed.
    """
    if identity.participant is not None:
        raise AlreadyRegistered
    fields = {
        "full_name": full_name.strip(),
        "employment_type": employment_type,
        "employment_other": employment_other.strip(),
        "employer": employer.strip(),
    }
    parsed, district = registration_checked(
        campaign=campaign,
        id_number=id_number,
        district_code=district_code,
        consent_health_data=consent_health_data,
        consent_version=consent_version,
        **fields,
    )
    return _participant_insert(
        identity=identity,
        campaign=campaign,
        parsed=parsed,
        id_hash=_refuse_taken_id(parsed, campaign),
        district=district,
        fields=fields,
        consent_version=consent_version,
        sms_reminders=sms_reminders,
    )


def _apply_name_and_work(
    participant: Participant,
    errors: Errors,
    changed: list[str],
    *,
    full_name: str | None,
    employment_type: str | None,
    employment_other: str | None,
    employer: str | None,
) -> None:
    """Set the name and work she changed, checking them as a whole."""
    if full_name is not None:
        full_name = full_name.strip()
        check_full_name(errors, full_name)
        participant.full_name = full_name
        changed.append("full_name")
    if employment_type is not None:
        participant.employment_type = employment_type
        changed.append("employment_type")
    if employment_other is not None:
        participant.employment_other = employment_other.strip()
        changed.append("employment_other")
    if employer is not None:
        participant.employer = employer.strip()
        changed.append("employer")
    employment_fields = (employment_type, employment_other, employer)
    if any(value is not None for value in employment_fields):
        check_employment(
            errors,
            employment_type=participant.employment_type,
            employment_other=participant.employment_other,
            employer=participant.employer,
        )


def _apply_district(
    participant: Participant, errors: Errors, changed: list[str], district_code: str
) -> None:
    district = district_of_her_campaigns(participant, district_code)
    if district is None:
        add_error(
            errors,
            "district",
            gettext("Choose one of the districts of your screening campaign."),
        )
    else:
        participant.district = district
        changed.append("district")


def _profile_save(
    participant: Participant, changed: list[str], *, sms_reminders: bool | None
) -> None:
    """Save what changed; her opt-out also stops the reminders waiting."""
    if participant.employment_type != EmploymentType.OTHER and (
        participant.employment_other
    ):
        participant.employment_other = ""
        changed.append("employment_other")
    if changed:
        participant.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
        logger.info("participants.updated id=%s", participant.pk)
    if sms_reminders is False:
        # Her opt-out also stops the reminders already waiting in the outbox.
        notifications_cancel_for_recipient(
            recipient_ref=f"participant:{participant.pk}", kinds=list(REMINDER_KINDS)
        )


def participant_update(
    *,
    participant: Participant,
    full_name: str | None = None,
    employment_type: str | None = None,
    employment_other: str | None = None,
    employer: str | None = None,
    district_code: str | None = None,
    sms_reminders: bool | None = None,
) -> Participant:
    """Change what she may change herself; None leaves a field as it is. The ID
    number (and so birth date and sex) is not among them: staff correct it.

    Raises ValidationFailed with every field error at once.
    """
    errors: Errors = {}
    changed: list[str] = []
    _apply_name_and_work(
        participant,
        errors,
        changed,
        full_name=full_name,
        employment_type=employment_type,
        employment_other=employment_other,
        employer=employer,
    )
    if district_code is not None:
        _apply_district(participant, errors, changed, district_code)
    if sms_reminders is not None:
        participant.sms_reminders = sms_reminders
        changed.append("sms_reminders")
    if errors:
        participant.refresh_from_db()
        raise ValidationFailed(errors=errors)
    _profile_save(participant, changed, sms_reminders=sms_reminders)
    return participant


def consent_give(
    *, participant: Participant, purpose: str, text_version: str
) -> Consent:
    """Record her consent for `purpose`; a live consent for it is returned as is."""
    try:
        with transaction.atomic():
            return Consent.objects.create(
                participant=participant,
                purpose=purpose,
                text_version=text_version,
                given_at=timezone.now(),
            )
    except IntegrityError:
        # The partial unique constraint allows one live consent per purpose.
        return Consent.objects.get(
            participant=participant, purpose=purpose, withdrawn_at__isnull=True
        )


def consent_withdraw(*, participant: Participant, purpose: str) -> Consent | None:
    """Withdraw her live consent for `purpose`; None if there was none.

    Cancelling the bookings and messages that depended on it is the caller's part
    (scheduling owns them), in the same transaction.
    """
    with transaction.atomic():
        # Locked so that two withdrawals record one time, not the later one.
        consent = (
            Consent.objects.select_for_update()
            .filter(participant=participant, purpose=purpose, withdrawn_at__isnull=True)
            .first()
        )
        if consent is None:
            return None
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        if purpose == ConsentPurpose.HEALTH_DATA:
            # Without it there is no screening to remind her of.
            notifications_cancel_for_recipient(
                recipient_ref=f"participant:{participant.pk}",
                kinds=list(REMINDER_KINDS),
            )
    logger.info("consents.withdrawn id=%s participant=%s", consent.pk, participant.pk)
    return consent
