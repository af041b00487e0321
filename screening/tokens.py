"""Her API token after sign-in: how long it lives, renewing it, ending it.

A token is the whole of her sign-in on an app: whoever copies it off a shared or
lost phone is her until it ends. It lives TOKEN_LIFETIME (7 days); an app in
use renews it before then for another 7 (the old one ends at once), and
signing out ends it for good. Only its hash is stored.
"""

import logging
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from screening.authentication import token_hash
from screening.models import Participant, ParticipantToken

logger = logging.getLogger(__name__)

TOKEN_LIFETIME = timedelta(days=7)


def participant_token_issue(
    *, phone: str, phone_hash: str, participant: Participant | None
) -> tuple[str, ParticipantToken]:
    """A new token: the raw key (shown once) and its row."""
    key = secrets.token_urlsafe(32)
    token = ParticipantToken.objects.create(
        key_hash=token_hash(key),
        phone=phone,
        phone_hash=phone_hash,
        participant=participant,
        expires_at=timezone.now() + TOKEN_LIFETIME,
    )
    return key, token


def participant_token_renew(*, token_id: int) -> tuple[str, ParticipantToken] | None:
    """Swap a live token for a new one of full life; None if it ended meanwhile.
    The old row is deleted in the same transaction, so a copied token dies
    with the renewal and two renewals of one token cannot both succeed."""
    now = timezone.now()
    with transaction.atomic():
        # Locked: two renewals racing would otherwise both issue a new token.
        old = (
            ParticipantToken.objects.select_for_update(of=("self",))
            .select_related("participant")
            .filter(pk=token_id, expires_at__gt=now)
            .first()
        )
        if old is None:
            return None
        key, token = participant_token_issue(
            phone=old.phone, phone_hash=old.phone_hash, participant=old.participant
        )
        old.delete()
    logger.info("participant_token.renewed old=%s new=%s", token_id, token.pk)
    return key, token


def participant_token_end(*, token_id: int) -> bool:
    """Sign out: the token opens nothing from now on. Safe twice."""
    deleted, _ = ParticipantToken.objects.filter(pk=token_id).delete()
    if deleted:
        logger.info("participant_token.ended token=%s", token_id)
    return bool(deleted)
