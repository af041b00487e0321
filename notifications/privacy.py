"""The outbox side of her rights and of retention: what was sent to her, and
forgetting her phone number.

A recipient is named by its `recipient_ref` (e.g. "participant:42") and by the
keyed hashes of her phone; the outbox imports no domain model, so callers pass both.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from notifications.models import Notification, Status

logger = logging.getLogger(__name__)

UNSENT = (Status.PENDING, Status.QUEUED)


@dataclass(frozen=True)
class SentMessage:
    kind: str
    kind_label: str
    send_at: datetime
    sent_at: datetime | None
    status: str
    status_label: str


def _for_recipient(*, recipient_ref: str, phone_hashes: list[str]) -> QuerySet:
    match = Q(recipient_ref=recipient_ref)
    hashes = [value for value in phone_hashes if value]
    if hashes:
        match |= Q(recipient_hash__in=hashes)
    return Notification.objects.filter(match)


def notification_list_for_recipient(
    *, recipient_ref: str, phone_hashes: list[str]
) -> list[SentMessage]:
    """Her messages, newest first: kind, time and status, never the text (an OTP
    code or another person's name must not show up in a download)."""
    rows = (
        _for_recipient(recipient_ref=recipient_ref, phone_hashes=phone_hashes)
        .order_by("-send_at", "-id")
        .only("kind", "send_at", "sent_at", "status")
    )
    return [
        SentMessage(
            kind=row.kind,
            kind_label=str(row.get_kind_display()),
            send_at=row.send_at,
            sent_at=row.sent_at,
            status=row.status,
            status_label=str(row.get_status_display()),
        )
        for row in rows
    ]


def notifications_cancel_future_for_recipient(
    *, recipient_ref: str, phone_hashes: list[str], after: datetime
) -> int:
    """Cancel her messages due after `after` (reminders); returns how many."""
    return (
        _for_recipient(recipient_ref=recipient_ref, phone_hashes=phone_hashes)
        .filter(status__in=UNSENT, send_at__gt=after)
        .update(status=Status.CANCELLED, updated_at=timezone.now())
    )


def notifications_forget_recipient(
    *, recipient_ref: str, phone_hashes: list[str]
) -> int:
    """Cancel her unsent messages and remove her phone number, its hash and the
    message parameters from every row; kind, times and status stay for the
    delivery statistics. Returns the number of rows touched."""
    now = timezone.now()
    rows = _for_recipient(recipient_ref=recipient_ref, phone_hashes=phone_hashes)
    rows.filter(status__in=UNSENT).update(status=Status.CANCELLED, updated_at=now)
    touched = rows.update(
        recipient_phone="",
        recipient_hash="",
        context={},
        secret_params=None,
        recipient_openid=None,
        updated_at=now,
    )
    logger.info("notifications.recipient_forgotten rows=%s", touched)
    return touched


def notifications_mask_older_than(*, cutoff: datetime, dry_run: bool = False) -> int:
    """Remove phone numbers and parameters from messages sent (or given up on)
    before `cutoff`: the message log is kept masked, not in the clear."""
    # The hash is blanked together with the phone, and unlike the encrypted
    # column it can be filtered on.
    rows = (
        Notification.objects.filter(send_at__lt=cutoff)
        .exclude(status__in=UNSENT)
        .exclude(recipient_hash="")
    )
    if dry_run:
        return rows.count()
    return rows.update(
        recipient_phone="",
        recipient_hash="",
        context={},
        secret_params=None,
        recipient_openid=None,
        updated_at=timezone.now(),
    )
