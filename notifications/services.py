"""Writes to the outbox: scheduling, claiming, sending and cancelling messages."""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.crypto import keyed_hash
from notifications.backends import get_backend
from notifications.backends.base import OutgoingMessage
from notifications.models import Notification, Status
from notifications.rendering import render_text

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6


def _enqueue_send(notification_id: int) -> None:
    from notifications.tasks import notification_send_task

    notification_send_task.delay(notification_id)


def notification_schedule(
    *,
    phone: str,
    kind: str,
    dedupe_key: str,
    context: dict[str, str] | None = None,
    send_at: datetime | None = None,
    recipient_ref: str = "",
    language: str = "zh-hans",
) -> Notification:
    """Write one outbox row in the caller's transaction; a second call with the same
    dedupe key returns the first row. A message due now is enqueued on commit."""
    now = timezone.now()
    send_at = send_at or now
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                kind=kind,
                recipient_phone=phone,
                recipient_hash=keyed_hash(phone, purpose="phone"),
                recipient_ref=recipient_ref,
                language=language,
                context={key: str(value) for key, value in (context or {}).items()},
                dedupe_key=dedupe_key,
                send_at=send_at,
            )
    except IntegrityError:
        return Notification.objects.get(dedupe_key=dedupe_key)
    if send_at <= now:
        transaction.on_commit(partial(_enqueue_send, notification.pk))
    return notification


def notifications_cancel_pending(*, dedupe_key_prefix: str) -> int:
    """Cancel messages not yet handed to a gateway (reminders of a moved booking)."""
    return Notification.objects.filter(
        dedupe_key__startswith=dedupe_key_prefix,
        status__in=[Status.PENDING, Status.QUEUED],
    ).update(status=Status.CANCELLED, updated_at=timezone.now())


def notifications_dispatch_due(*, batch_size: int | None = None) -> int:
    """Claim due rows and enqueue their sends. Safe in any number of processes:
    SKIP LOCKED hands each row to exactly one claimer."""
    batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
    now = timezone.now()
    _reclaim_lost(now=now)
    claimed = 0
    while True:
        with transaction.atomic():
            ids = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(status=Status.PENDING, send_at__lte=now)
                .order_by("send_at", "id")
                .values_list("id", flat=True)[:batch_size]
            )
            if not ids:
                break
            Notification.objects.filter(pk__in=ids).update(
                status=Status.QUEUED, claimed_at=now, updated_at=now
            )
            for notification_id in ids:
                transaction.on_commit(partial(_enqueue_send, notification_id))
        claimed += len(ids)
        if len(ids) < batch_size:
            break
    if claimed:
        logger.info("notifications.dispatched count=%s", claimed)
    return claimed


def _reclaim_lost(*, now: datetime) -> int:
    """A queued row whose task never ran (broker flushed, worker lost before ack)
    goes back to pending; the send checks the stored status, so a late task that
    does arrive after all sends nothing twice."""
    cutoff = now - timedelta(seconds=settings.OUTBOX_RECLAIM_AFTER_SECONDS)
    reclaimed = Notification.objects.filter(
        status=Status.QUEUED, claimed_at__lt=cutoff
    ).update(status=Status.PENDING, claimed_at=None, updated_at=now)
    if reclaimed:
        logger.warning("notifications.reclaimed count=%s", reclaimed)
    return reclaimed


def notification_send(*, notification_id: int) -> Notification | None:
    """Send one message if it is still waiting to go. Safe to run twice: the row is
    locked and moved to `sending` before the gateway is called, and a row in any
    other state is left alone."""
    now = timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            return None
        if notification.status not in (Status.PENDING, Status.QUEUED):
            return notification
        if notification.send_at > now:
            return notification
        notification.status = Status.SENDING
        notification.attempts += 1
        notification.save(update_fields=["status", "attempts", "updated_at"])

    backend = get_backend()
    text = render_text(
        kind=notification.kind,
        language=notification.language,
        params=notification.context,
    )
    result = backend.send(
        OutgoingMessage(
            phone=notification.recipient_phone,
            kind=notification.kind,
            template_key=notification.kind,
            params=notification.context,
            text=text,
            correlation_id=notification.dedupe_key,
        )
    )
    notification.provider = backend.name
    if result.accepted:
        notification.status = Status.SENT
        notification.sent_at = timezone.now()
        notification.provider_message_id = result.provider_message_id
        notification.last_error = ""
    elif result.transient and notification.attempts < MAX_ATTEMPTS:
        # Back off by rescheduling the row; the dispatcher picks it up when due.
        notification.status = Status.PENDING
        notification.send_at = timezone.now() + timedelta(
            seconds=30 * 2 ** (notification.attempts - 1)
        )
        notification.last_error = result.error
    else:
        notification.status = Status.FAILED
        notification.last_error = result.error
    notification.save(
        update_fields=[
            "status",
            "sent_at",
            "send_at",
            "provider",
            "provider_message_id",
            "last_error",
            "updated_at",
        ]
    )
    logger.info(
        "notifications.sent id=%s status=%s", notification.pk, notification.status
    )
    return notification
