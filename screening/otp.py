"""Sign-in by SMS code (SPEC §4a): sending codes within the limits, checking them.

A code is six digits from `secrets`, lives five minutes, is used once and dies
after five wrong tries. Only a keyed hash of it is stored; the code itself travels
encrypted in the outbox row that sends it, and is erased there once sent,
used, replaced or expired. Every limit is counted while holding a row lock
on the phone (and on the IP address), so concurrent requests cannot both pass.
"""

import hmac
import logging
import math
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from common.audit import audit_record
from common.crypto import keyed_hash, keyed_hash_candidates
from notifications.secrets import notification_erase_secret
from notifications.services import notification_schedule
from screening.errors import OtpInvalid, OtpRateLimited, PhoneInvalid
from screening.models import OtpChallenge, OtpRateScope, Participant, ParticipantToken
from screening.phone import InvalidPhone, normalise_phone
from screening.tokens import participant_token_issue

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=5)
MAX_WRONG_ATTEMPTS = 5

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def phone_normalise_or_raise(phone_raw: str) -> str:
    """The bare 11 digits, or PhoneInvalid (400 `phone_invalid`)."""
    try:
        return normalise_phone(phone_raw)
    except InvalidPhone as exc:
        raise PhoneInvalid(exc.message) from None


def _code_hash(*, phone_hash: str, code: str) -> str:
    # Keyed, and bound to the phone: a million possible codes are no secret
    # behind a plain hash, and one code must not work for another phone.
    return keyed_hash(f"{phone_hash}:{code}", purpose="otp")


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _message_language() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "zh-hans"


def _lock_scope(key_hash: str) -> None:
    # Create the row if it is new (a concurrent creator makes this wait, then do
    # nothing), then hold it until commit.
    OtpRateScope.objects.bulk_create(
        [OtpRateScope(key_hash=key_hash)], ignore_conflicts=True
    )
    OtpRateScope.objects.select_for_update().get(key_hash=key_hash)


def _seconds_to_wait(
    *, sent: Iterable[datetime], limits: Iterable[tuple[timedelta, int]], now: datetime
) -> int:
    """Whole seconds until one more send fits in every sliding window; 0 if now."""
    ordered = sorted(sent)
    wait = 0.0
    for window, limit in limits:
        in_window = [moment for moment in ordered if moment > now - window]
        if len(in_window) >= limit:
            # Another send fits once this one has left the window.
            must_leave = in_window[len(in_window) - limit]
            wait = max(wait, (must_leave + window - now).total_seconds())
    return math.ceil(wait)


def _check_limits(*, phone_hash: str, ip_hash: str, now: datetime) -> None:
    phone_sent = OtpChallenge.objects.filter(
        phone_hash=phone_hash, created_at__gt=now - DAY
    ).values_list("created_at", flat=True)
    wait = _seconds_to_wait(
        sent=phone_sent,
        limits=[
            (MINUTE, settings.OTP_LIMIT_PER_PHONE_MINUTE),
            (HOUR, settings.OTP_LIMIT_PER_PHONE_HOUR),
            (DAY, settings.OTP_LIMIT_PER_PHONE_DAY),
        ],
        now=now,
    )
    if ip_hash:
        ip_sent = OtpChallenge.objects.filter(
            ip_hash=ip_hash, created_at__gt=now - HOUR
        ).values_list("created_at", flat=True)
        wait = max(
            wait,
            _seconds_to_wait(
                sent=ip_sent, limits=[(HOUR, settings.OTP_LIMIT_PER_IP_HOUR)], now=now
            ),
        )
    if wait:
        logger.info("otp.rate_limited retry_after=%s", wait)
        raise OtpRateLimited(retry_after=wait)


def otp_request(*, phone_raw: str, ip: str | None) -> None:
    """Send a new sign-in code to a phone, registered or not, and void the last one.

    Raises PhoneInvalid, or OtpRateLimited when the phone or the IP address has
    had its share of codes; a refused request counts towards no limit.
    """
    phone = phone_normalise_or_raise(phone_raw)
    phone_hash = keyed_hash(phone, purpose="phone")
    ip_hash = keyed_hash(ip, purpose="ip") if ip else ""
    now = timezone.now()
    with transaction.atomic():
        # Two requests for one phone (or from one address) would otherwise both
        # count the same sends and both pass. Phone first, address second, in
        # every request, so no two requests wait on each other in a circle.
        _lock_scope(phone_hash)
        if ip_hash:
            _lock_scope(ip_hash)
        _check_limits(phone_hash=phone_hash, ip_hash=ip_hash, now=now)

        voided = OtpChallenge.objects.filter(
            phone_hash=phone_hash, used_at__isnull=True, expires_at__gt=now
        )
        for voided_id in voided.values_list("pk", flat=True):
            notification_erase_secret(recipient_ref=f"otp:{voided_id}")
        voided.update(expires_at=now)
        # Older rows count towards no limit any more; keep no more than needed.
        OtpChallenge.objects.filter(
            phone_hash=phone_hash, created_at__lte=now - DAY
        ).delete()
        code = _new_code()
        challenge = OtpChallenge.objects.create(
            phone_hash=phone_hash,
            ip_hash=ip_hash,
            code_hash=_code_hash(phone_hash=phone_hash, code=code),
            expires_at=now + CODE_LIFETIME,
            created_at=now,
        )
        notification_schedule(
            phone=phone,
            kind="otp",
            dedupe_key=f"otp:{challenge.pk}",
            # Encrypted apart from the parameters, never shown, erased once sent.
            secret={"code": code},
            recipient_ref=f"otp:{challenge.pk}",
            language=_message_language(),
        )
    logger.info("otp.requested challenge=%s", challenge.pk)


def _code_used(
    challenge: OtpChallenge, phone: str, phone_hash: str, now: datetime
) -> tuple[str, ParticipantToken, Participant | None]:
    """Mark the code used and issue her token (key, token, participant)."""
    challenge.used_at = now
    challenge.save(update_fields=["used_at"])
    # Used: the code still waiting to go (a slow gateway) opens nothing now.
    notification_erase_secret(recipient_ref=f"otp:{challenge.pk}")
    # During a rotation of ID_HASH_KEY her row may carry the old hash.
    participant = Participant.objects.filter(
        phone_hash__in=keyed_hash_candidates(phone, purpose="phone")
    ).first()
    key, token = participant_token_issue(
        phone=phone, phone_hash=phone_hash, participant=participant
    )
    return key, token, participant


def _miss_counted(challenge: OtpChallenge) -> None:
    """Count a wrong code; the last allowed miss is audited."""
    challenge.attempts += 1
    challenge.save(update_fields=["attempts"])
    if challenge.attempts >= MAX_WRONG_ATTEMPTS:
        audit_record(
            actor=None,
            action="otp.exhausted",
            obj_type="otp_challenge",
            obj_id=challenge.pk,
            details={"attempts": challenge.attempts},
        )


def otp_verify(*, phone_raw: str, code: str) -> tuple[str, Participant | None]:
    """Exchange a code for a bearer token: the raw key (shown once, stored only as
    a hash) and the participant registered with this phone, if there is one.

    Raises OtpInvalid for a wrong, expired, used, superseded or exhausted code,
    alike. A wrong code counts as a miss; the fifth miss kills the code.
    """
    phone = phone_normalise_or_raise(phone_raw)
    phone_hash = keyed_hash(phone, purpose="phone")
    now = timezone.now()
    with transaction.atomic():
        # Locked: two requests with the right code must not both use it, and two
        # wrong ones must both be counted.
        challenge = (
            OtpChallenge.objects.select_for_update()
            .filter(
                phone_hash=phone_hash,
                used_at__isnull=True,
                expires_at__gt=now,
                attempts__lt=MAX_WRONG_ATTEMPTS,
            )
            .order_by("-created_at", "-id")
            .first()
        )
        if challenge is None:
            raise OtpInvalid
        expected = _code_hash(phone_hash=phone_hash, code=code.strip())
        matched = hmac.compare_digest(challenge.code_hash, expected)
        if matched:
            key, token, participant = _code_used(challenge, phone, phone_hash, now)
        else:
            _miss_counted(challenge)
    # Raised after the block, so that the miss just counted is committed.
    if not matched:
        logger.info(
            "otp.miss challenge=%s attempts=%s", challenge.pk, challenge.attempts
        )
        raise OtpInvalid
    logger.info("otp.verified challenge=%s token=%s", challenge.pk, token.pk)
    return key, participant
