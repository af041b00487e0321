"""Writes of the screening app: registration, profile changes, consent.

Sign-in codes live in screening.otp, visits, results, summaries, follow-up and
lab imports in screening.results; they are re-exported here, so other apps and
the pages import every screening write from this module.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from common.crypto import keyed_hash, keyed_hash_candidates
from notifications.services import REMINDER_KINDS, notifications_cancel_for_recipient
from screening.authentication import PhoneIdentity
from screening.consent import HEALTH_DATA_CONSENT_VERSION
from screening.errors import AlreadyRegistered, IdTaken, ValidationFailed
from screening.idcard import IdNumber, InvalidIdNumber, age_on, parse_id_number
from screening.models import (
    Campaign,
    CampaignStatus,
    Consent,
    ConsentPurpose,
    District,
    EmploymentType,
    Participant,
    ParticipantToken,
    Sex,
)
from screening.otp import otp_request, otp_verify
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
from screening.text_checks import HIDDEN_CHARACTERS_MESSAGE, has_hidden_characters

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

NAME_MAX_LENGTH = Participant._meta.get_field("full_name").max_length or 50
EMPLOYMENT_OTHER_MAX_LENGTH = (
    Participant._meta.get_field("employment_other").max_length or 100
)
EMPLOYER_MAX_LENGTH = Participant._meta.get_field("employer").max_length or 100

Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _check_full_name(errors: Errors, full_name: str) -> None:
    if not full_name:
        _add(errors, "full_name", gettext("Enter your name as it is on your ID card."))
    elif has_hidden_characters(full_name):
        _add(errors, "full_name", str(HIDDEN_CHARACTERS_MESSAGE))
    elif len(full_name) > NAME_MAX_LENGTH:
        _add(
            errors,
            "full_name",
            gettext("A name can have at most %(max)s characters.")
            % {"max": NAME_MAX_LENGTH},
        )


def _check_length(errors: Errors, field: str, value: str, max_length: int) -> None:
    if has_hidden_characters(value):
        _add(errors, field, str(HIDDEN_CHARACTERS_MESSAGE))
    elif len(value) > max_length:
        _add(
            errors,
            field,
            gettext("Keep this to %(max)s characters or fewer.") % {"max": max_length},
        )


def _check_employment(
    errors: Errors, *, employment_type: str, employment_other: str, employer: str
) -> None:
    if employment_type not in EmploymentType.values:
        _add(errors, "employment_type", gettext("Choose one of the kinds of work."))
    if employment_type == EmploymentType.OTHER and not employment_other:
        _add(errors, "employment_other", gettext("Tell us what work you do."))
    _check_length(
        errors, "employment_other", employment_other, EMPLOYMENT_OTHER_MAX_LENGTH
    )
    _check_length(errors, "employer", employer, EMPLOYER_MAX_LENGTH)


def _check_id_number(
    errors: Errors, *, id_number: str, campaign: Campaign
) -> IdNumber | None:
    try:
        parsed = parse_id_number(id_number, today=timezone.localdate())
    except InvalidIdNumber as exc:
        _add(errors, "id_number", str(exc.message))
        return None
    if parsed.sex != Sex.FEMALE:
        # DOMAIN §2.1: most likely a typing mistake, so say so rather than refuse.
        _add(
            errors,
            "id_number",
            gettext(
                "This screening programme is for women, and this ID number is a "
                "man's. Please check it for typing mistakes."
            ),
        )
    reference_day = campaign.age_on
    age = (
        age_on(parsed.birth_date, reference_day)
        if parsed.birth_date <= reference_day
        else -1
    )
    if not campaign.min_age <= age <= campaign.max_age:
        _add(
            errors,
            "id_number",
            gettext(
                "This campaign is for women aged %(min)s to %(max)s on %(date)s, "
                "and by this ID number you are not. Please check the number."
            )
            % {
                "min": campaign.min_age,
                "max": campaign.max_age,
                "date": date_format(reference_day),
            },
        )
    return parsed


def _district_for_campaign(
    errors: Errors, *, campaign: Campaign, district_code: str
) -> District | None:
    district = campaign.districts.filter(code=district_code.strip()).first()
    if district is None:
        _add(
            errors, "district", gettext("Choose one of the districts of this campaign.")
        )
    return district


def _district_of_her_campaigns(
    participant: Participant, district_code: str
) -> District | None:
    """The district, if a campaign she could be screened in covers it: one that
    covers her present district and is not over. Moving anywhere else would put
    her outside every campaign that funds her place."""
    return (
        District.objects.filter(
            code=district_code.strip(),
            campaigns__districts=participant.district_id,
        )
        .exclude(campaigns__status__in=[CampaignStatus.CLOSED, CampaignStatus.ARCHIVED])
        .distinct()
        .first()
    )


def _link_tokens(*, phone_hash: str, participant: Participant) -> None:
    # Every token of this phone proves the same phone, whichever device holds it.
    ParticipantToken.objects.filter(
        phone_hash=phone_hash, participant__isnull=True
    ).update(participant=participant)


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

    errors: Errors = {}
    full_name = full_name.strip()
    employment_other = employment_other.strip()
    employer = employer.strip()
    _check_full_name(errors, full_name)
    parsed = _check_id_number(errors, id_number=id_number, campaign=campaign)
    _check_employment(
        errors,
        employment_type=employment_type,
        employment_other=employment_other,
        employer=employer,
    )
    district = _district_for_campaign(
        errors, campaign=campaign, district_code=district_code
    )
    if not consent_health_data:
        _add(
            errors,
            "consent",
            gettext("Agree to the processing of your health data to register."),
        )
    elif consent_version != HEALTH_DATA_CONSENT_VERSION:
        _add(
            errors,
            "consent",
            gettext("The consent text has changed. Please read it again."),
        )
    if errors or parsed is None or district is None:
        raise ValidationFailed(errors=errors)

    id_hash = keyed_hash(parsed.number, purpose="id")
    # While ID_HASH_KEY rotates, a row not yet rebuilt carries the old hash,
    # which the unique constraint cannot see.
    previous_id_hashes = keyed_hash_candidates(parsed.number, purpose="id")[1:]
    if (
        previous_id_hashes
        and Participant.objects.filter(id_hash__in=previous_id_hashes).exists()
    ):
        raise IdTaken(contact_phone=campaign.contact_phone)
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                phone=identity.phone,
                phone_hash=identity.phone_hash,
                full_name=full_name,
                id_number=parsed.number,
                id_hash=id_hash,
                birth_date=parsed.birth_date,
                sex=parsed.sex,
                employment_type=employment_type,
                employment_other=(
                    employment_other if employment_type == EmploymentType.OTHER else ""
                ),
                employer=employer,
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
        # The insert lost to a committed row; read which one, only to name it.
        if Participant.objects.filter(phone_hash=identity.phone_hash).exists():
            raise AlreadyRegistered from None
        if Participant.objects.filter(id_hash=id_hash).exists():
            logger.info("participants.id_taken campaign=%s", campaign.pk)
            raise IdTaken(contact_phone=campaign.contact_phone) from None
        raise
    identity.participant = participant
    logger.info("participants.registered id=%s", participant.pk)
    return participant


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
    if full_name is not None:
        full_name = full_name.strip()
        _check_full_name(errors, full_name)
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
        _check_employment(
            errors,
            employment_type=participant.employment_type,
            employment_other=participant.employment_other,
            employer=participant.employer,
        )
    if district_code is not None:
        district = _district_of_her_campaigns(participant, district_code)
        if district is None:
            _add(
                errors,
                "district",
                gettext("Choose one of the districts of your screening campaign."),
            )
        else:
            participant.district = district
            changed.append("district")
    if sms_reminders is not None:
        participant.sms_reminders = sms_reminders
        changed.append("sms_reminders")
    if errors:
        participant.refresh_from_db()
        raise ValidationFailed(errors=errors)

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
