"""Rows whose send never finished go back to the pool: a queued row whose task
never ran, and a row left in `sending` by a worker killed mid-send, which the
gateway is asked about before it is sent again."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from notifications import channels
from notifications.backends.base import SmsBackend, SupportsStatusQuery
from notifications.models import Notification, Status
from notifications.services.rules import (
    RECLAIM_QUERY_LIMIT,
    SEND_TASK_TIME_LIMIT,
    UNCERTAIN_GIVE_UP_AFTER,
)

logger = logging.getLogger(__name__)


def reclaim_lost(*, now: datetime) -> int:
    """Rows claimed longer ago than OUTBOX_RECLAIM_AFTER_SECONDS go back to the
    pool. A queued row's task never ran (broker flushed, worker lost): it was
    never sent, so it is simply pending again. A row left in `sending` (a worker
    killed mid-send) may or may not have reached the gateway: the gateway is
    asked before it is sent again. A late task that does arrive finds the row
    in another state and sends nothing."""
    cutoff = now - timedelta(seconds=settings.OUTBOX_RECLAIM_AFTER_SECONDS)
    reclaimed = Notification.objects.filter(
        status=Status.QUEUED, claimed_at__lt=cutoff
    ).update(status=Status.PENDING, claimed_at=None, updated_at=now)
    reclaimed += _reclaim_sending(now=now)
    if reclaimed:
        logger.warning("notifications.reclaimed count=%s", reclaimed)
    return reclaimed


def _take_stuck(*, now: datetime) -> list[Notification]:
    """Rows in `sending` past any live send's time, taken for inspection:
    another dispatcher leaves these alone until the next timeout, and no lock
    is held while the gateway is asked."""
    # A live send holds its row at most for the task's hard time limit.
    seconds = max(settings.OUTBOX_RECLAIM_AFTER_SECONDS, SEND_TASK_TIME_LIMIT + 30)
    cutoff = now - timedelta(seconds=seconds)
    with transaction.atomic():
        stuck = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Status.SENDING, claimed_at__lt=cutoff)
            .order_by("claimed_at", "id")[:RECLAIM_QUERY_LIMIT]
        )
        Notification.objects.filter(pk__in=[n.pk for n in stuck]).update(
            claimed_at=now, updated_at=now
        )
    return stuck


def _reclaim_sending(*, now: datetime) -> int:
    stuck = _take_stuck(now=now)
    if not stuck:
        return 0
    by_channel: dict[str, SmsBackend] = {}
    reclaimed = 0
    for notification in stuck:
        # Each channel's own gateway is asked about its own messages.
        if notification.channel not in by_channel:
            by_channel[notification.channel] = channels.get_channel_backend(
                notification.channel
            )
        rows = Notification.objects.filter(
            pk=notification.pk, status=Status.SENDING, claimed_at=now
        )
        reclaimed += _settle(
            notification, rows, backend=by_channel[notification.channel], now=now
        )
    return reclaimed


def _settle(
    notification: Notification,
    rows: QuerySet[Notification],
    *,
    backend: SmsBackend,
    now: datetime,
) -> int:
    """Write what the gateway says became of one stuck send; 1 when the row is
    pending again."""
    if not isinstance(backend, SupportsStatusQuery):
        # console and locmem keep no record to ask; a repeat there harms nobody.
        return rows.update(status=Status.PENDING, claimed_at=None)
    answer = _ask(backend, notification)
    if answer == "not_found":
        return rows.update(status=Status.PENDING, claimed_at=None)
    if answer == "delivered":
        rows.update(
            status=Status.SENT,
            sent_at=now,
            provider=backend.name,
            secret_params=None,
        )
    elif answer == "failed":
        rows.update(
            status=Status.FAILED,
            secret_params=None,
            provider=backend.name,
            last_error=f"{backend.name}:undelivered",
        )
    elif now - notification.send_at > UNCERTAIN_GIVE_UP_AFTER:
        rows.update(
            status=Status.FAILED,
            secret_params=None,
            last_error=f"{backend.name}:uncertain (check before retrying)",
        )
    return 0


def _ask(backend: SupportsStatusQuery, notification: Notification) -> str:
    return backend.query_status(
        notification.dedupe_key,
        notification.provider_message_id,
        phone=notification.recipient_phone,
        sent_at=notification.send_at,
    )
