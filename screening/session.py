"""Page sign-in: the Django session remembers which sign-in token proved her phone.

The session holds the token's id, never its key, the phone or the ID number in the
clear: session rows are plain signed JSON in the database, so anything personal
that must wait there between two pages (the number a code was sent to, the
profile awaiting consent) is encrypted with the field keys first.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import rotate_token
from django.utils import timezone

from common.crypto import decrypt_text, encrypt_text, keyed_hash_candidates
from screening.authentication import PhoneIdentity, token_hash
from screening.models import Participant, ParticipantToken

# No dots in these names: base.html reads `request.session.ankang_signin`.
SIGNED_IN_KEY = "ankang_signin"
PENDING_PHONE_KEY = "ankang_pending_phone"
DRAFT_KEY = "ankang_profile_draft"


def sign_in(request: HttpRequest, *, token_key: str) -> None:
    """Tie the session to the token otp_verify returned.

    A new session key and CSRF token on sign-in, as Django's own login does, so
    a key planted before she proved her phone (session fixation) never becomes
    a signed-in one.
    """
    token = ParticipantToken.objects.only("pk").get(key_hash=token_hash(token_key))
    request.session.cycle_key()
    rotate_token(request)
    request.session[SIGNED_IN_KEY] = token.pk
    request.session.pop(PENDING_PHONE_KEY, None)
    request.session.pop(DRAFT_KEY, None)


def sign_out(request: HttpRequest) -> None:
    """End the page session and the token behind it: nobody else holds its key."""
    token_id = request.session.get(SIGNED_IN_KEY)
    if token_id is not None:
        ParticipantToken.objects.filter(pk=token_id).delete()
    request.session.flush()


def identity_from_session(request: HttpRequest) -> PhoneIdentity | None:
    """The verified phone behind this session, or None when she is not signed in
    or her token has expired."""
    token_id = request.session.get(SIGNED_IN_KEY)
    if token_id is None:
        return None
    token = (
        ParticipantToken.objects.select_related("participant")
        .filter(pk=token_id, expires_at__gt=timezone.now())
        .first()
    )
    if token is None:
        request.session.pop(SIGNED_IN_KEY, None)
        return None
    participant = token.participant
    if participant is None:
        # She may have registered after this token was issued.
        participant = Participant.objects.filter(
            # Either hash: during a key rotation her row may carry the old one.
            phone_hash__in=keyed_hash_candidates(token.phone, purpose="phone"),
            anonymised_at__isnull=True,
        ).first()
    elif participant.anonymised_at is not None:
        participant = None
    return PhoneIdentity(
        phone=token.phone,
        phone_hash=token.phone_hash,
        participant=participant,
        token_id=token.pk,
    )


def remember_pending_phone(request: HttpRequest, phone: str) -> None:
    request.session[PENDING_PHONE_KEY] = encrypt_text(phone)


def pending_phone(request: HttpRequest) -> str | None:
    stored = request.session.get(PENDING_PHONE_KEY)
    if not stored:
        return None
    try:
        return decrypt_text(stored)
    except ValueError:
        return None


def save_profile_draft(request: HttpRequest, data: dict[str, Any]) -> None:
    """Keep the profile until she has read the consent: nothing is written to the
    participant table before both steps are done."""
    request.session[DRAFT_KEY] = encrypt_text(json.dumps(data, ensure_ascii=False))


def profile_draft(request: HttpRequest) -> dict[str, Any] | None:
    stored = request.session.get(DRAFT_KEY)
    if not stored:
        return None
    try:
        return json.loads(decrypt_text(stored))
    except ValueError:
        return None


def clear_profile_draft(request: HttpRequest) -> None:
    request.session.pop(DRAFT_KEY, None)
