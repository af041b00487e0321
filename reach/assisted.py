"""Assisted sign-up: a union steward types a woman's details on the steward's
phone, the woman confirms with the code sent to her own phone.

The steward never sees the ID number again once typed: it waits encrypted in
the AssistedSignup row (never rendered), and is erased from it when she
confirms or the sign-up is given up. Every confirmed sign-up is audited with
the steward as the actor, so it shows on the woman's data page.
"""

import json
import logging
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from common.audit import audit_record
from common.errors import ApplicationError, NotFound
from reach.models import AssistedSignup, AssistedStatus
from screening import services as screening_services
from screening.authentication import PhoneIdentity, token_hash
from screening.consent import HEALTH_DATA_CONSENT_VERSION
from screening.models import Campaign, Participant, ParticipantToken
from screening.otp import phone_normalise_or_raise
from screening.tokens import participant_token_end

logger = logging.getLogger(__name__)

PROFILE_KEYS = (
    "full_name",
    "id_number",
    "employment_type",
    "employment_other",
    "employer",
    "district_code",
)
# What makes a confirmation final: the sign-up cannot go on, she starts again.
_FINAL_CODES = frozenset({"invalid", "already_registered", "id_taken"})


def assisted_signup_start(
    *,
    steward: User,
    campaign: Campaign,
    phone_raw: str,
    profile: dict[str, Any],
    ip: str | None,
) -> AssistedSignup:
    """Keep her details and send the code to her phone. PhoneInvalid, or
    OtpRateLimited, as for her own sign-up."""
    phone = phone_normalise_or_raise(phone_raw)
    draft = {key: str(profile.get(key, "")) for key in PROFILE_KEYS}
    with transaction.atomic():
        signup = AssistedSignup.objects.create(
            steward=steward,
            campaign=campaign,
            phone=phone,
            draft=json.dumps(draft, ensure_ascii=False),
        )
        screening_services.otp_request(phone_raw=phone, ip=ip)
    logger.info("reach.assisted_started id=%s steward=%s", signup.pk, steward.pk)
    return signup


def assisted_signup_waiting(*, steward: User, signup_id: int) -> AssistedSignup:
    """Her sign-up waiting for the code; NotFound for anyone else's, or done."""
    signup = AssistedSignup.objects.filter(
        pk=signup_id, steward=steward, status=AssistedStatus.WAITING
    ).first()
    if signup is None:
        raise NotFound
    return signup


def _identity(token_key: str, phone: str) -> PhoneIdentity:
    token = ParticipantToken.objects.get(key_hash=token_hash(token_key))
    return PhoneIdentity(
        phone=phone, phone_hash=token.phone_hash, participant=None, token_id=token.pk
    )


def _register(
    signup: AssistedSignup, identity: PhoneIdentity, consent: bool
) -> Participant:
    draft = json.loads(signup.draft or "{}")
    return screening_services.participant_register(
        identity=identity,
        full_name=draft.get("full_name", ""),
        id_number=draft.get("id_number", ""),
        employment_type=draft.get("employment_type", ""),
        employment_other=draft.get("employment_other", ""),
        employer=draft.get("employer", ""),
        district_code=draft.get("district_code", ""),
        campaign=signup.campaign,
        consent_health_data=consent,
        consent_version=HEALTH_DATA_CONSENT_VERSION,
        sms_reminders=True,
    )


def assisted_signup_confirm(
    *,
    steward: User,
    signup_id: int,
    code: str,
    consent: bool,
    request: HttpRequest | None = None,
) -> Participant:
    """Her code and her consent register her. The code is checked first, in
    its own transaction, so a wrong one counts as a miss whatever follows."""
    signup = assisted_signup_waiting(steward=steward, signup_id=signup_id)
    if not consent:
        raise ApplicationError(
            "She must agree to the processing of her health data.", code="consent"
        )
    token_key, _registered = screening_services.otp_verify(
        phone_raw=signup.phone, code=code
    )
    identity = _identity(token_key, signup.phone)
    try:
        with transaction.atomic():
            # The row lock stops a second tap of "confirm" from registering her twice.
            locked = AssistedSignup.objects.select_for_update().get(pk=signup.pk)
            if locked.status != AssistedStatus.WAITING:
                raise NotFound
            participant = _register(locked, identity, consent)
            locked.status = AssistedStatus.CONFIRMED
            locked.draft = None
            locked.participant = participant
            locked.confirmed_at = timezone.now()
            locked.save(
                update_fields=[
                    "status",
                    "draft",
                    "participant",
                    "confirmed_at",
                    "updated_at",
                ]
            )
            audit_record(
                actor=steward,
                action="participant.assisted_signup",
                obj_type="participant",
                obj_id=participant.pk,
                request=request,
            )
    except ApplicationError as error:
        if error.code in _FINAL_CODES:
            assisted_signup_abandon(steward=steward, signup_id=signup.pk)
        raise
    finally:
        # The steward's phone keeps no sign-in as her.
        participant_token_end(token_id=identity.token_id or 0)
    return participant


def assisted_signup_abandon(*, steward: User, signup_id: int) -> bool:
    """Give up a sign-up: her details are erased from it."""
    return bool(
        AssistedSignup.objects.filter(
            pk=signup_id, steward=steward, status=AssistedStatus.WAITING
        ).update(status=AssistedStatus.ABANDONED, draft=None, updated_at=timezone.now())
    )


def steward_counts(*, steward: User) -> dict[str, int]:
    """How many of her own sign-ups are in each state; nothing about anyone."""
    counts = dict(
        AssistedSignup.objects.filter(steward=steward)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {status: counts.get(status, 0) for status in AssistedStatus.values}


def assisted_for_participant(participant: Participant) -> list[dict[str, str]]:
    """For her data page: who signed her up, and when."""
    rows = AssistedSignup.objects.filter(
        participant=participant, status=AssistedStatus.CONFIRMED
    ).select_related("steward")
    return [
        {
            "steward": row.steward.get_full_name() or row.steward.username,
            "confirmed_at": row.confirmed_at.isoformat() if row.confirmed_at else "",
        }
        for row in rows
    ]
