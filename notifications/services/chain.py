"""The channel chain: a message goes down her channels (WeChat → SMS → voice
by default) when one fails for good, or takes a channel's answer too long.

Each step is its own outbox row with its own dedupe key (the first row's key,
then `…|sms`, `…|voice`), so no channel is ever given the same message twice.
Handing on is one conditional UPDATE of the old row (`handed_on_at` from NULL)
and the INSERT of the next, in one transaction: two sweepers, or a send and a
sweeper, can never both write the next step, and a worker lost in between
leaves the old row unhanded for the next sweep. The sweep runs with every
dispatcher run (once a minute), so nothing waits on a worker that died.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from notifications.models import Channel, Notification, Status
from notifications.services.outbox import Scheduled, delivery_time, enqueue_if_due
from notifications.services.rules import SkipReason

logger = logging.getLogger(__name__)

# Providers that report delivery: a row of theirs still only `sent` after the
# wait is taken as lost. The development backends never report, and the
# chain does not hold that against them.
RECEIPT_PROVIDERS = frozenset({"aliyun", "tencent", "http", "wechat", "aliyun_voice"})
CHAIN_SWEEP_LIMIT = 500
STEP_SEPARATOR = "|"


def step_key(dedupe_key: str, channel: str) -> str:
    """The dedupe key of the step on `channel` after the row keyed `dedupe_key`."""
    base = dedupe_key
    for known in Channel.values:
        suffix = STEP_SEPARATOR + known
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    return base + STEP_SEPARATOR + channel


def _receipt_wait() -> timedelta:
    return timedelta(minutes=settings.CHAIN_RECEIPT_WAIT_MINUTES)


def _to_hand_on(now: datetime) -> QuerySet[Notification]:
    """Rows whose channel has failed them and that have a next one."""
    lost = Q(
        status=Status.SENT,
        provider__in=RECEIPT_PROVIDERS,
        sent_at__lt=now - _receipt_wait(),
    )
    failed = Q(status=Status.FAILED)
    # Skipped for the visit's sake stays skipped: a later channel is later still.
    refused = Q(status=Status.SKIPPED) & ~Q(last_error=SkipReason.PAST_VISIT)
    return (
        Notification.objects.filter(handed_on_at__isnull=True)
        .exclude(fallback=[])
        .filter(failed | lost | refused)
    )


def _next_row(old: Notification, *, now: datetime) -> Notification:
    channel, rest = old.fallback[0], tuple(old.fallback[1:])
    message = Scheduled(
        kind=old.kind,
        dedupe_key=step_key(old.dedupe_key, channel),
        context=old.context,
        send_at=now,
        not_after=old.not_after,
        channel=channel,
        fallback=rest,
    )
    deliver = delivery_time(message, channel=channel, zone=None, now=now)
    return Notification(
        kind=old.kind,
        channel=channel,
        fallback=list(rest),
        recipient_phone=old.recipient_phone,
        recipient_hash=old.recipient_hash,
        recipient_ref=old.recipient_ref,
        language=old.language,
        context=old.context,
        dedupe_key=message.dedupe_key,
        send_at=deliver or now,
        not_after=old.not_after,
        status=Status.PENDING if deliver else Status.SKIPPED,
        last_error="" if deliver else SkipReason.PAST_VISIT,
    )


def notification_hand_on(*, notification_id: int) -> Notification | None:
    """Write the next step of a row its channel has failed; None when it has no
    next channel, is not failed, or was handed on already. Safe to run twice."""
    now = timezone.now()
    with transaction.atomic():
        # The conditional UPDATE is the lock: a second hand-on of the same row
        # (a sweep racing the send that failed it) blocks here, then finds
        # handed_on_at set and writes nothing.
        taken = (
            _to_hand_on(now)
            .filter(pk=notification_id)
            .update(handed_on_at=now, updated_at=now)
        )
        if not taken:
            return None
        old = Notification.objects.get(pk=notification_id)
        row = _next_row(old, now=now)
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            # Its key exists (written before a lost commit of ours): it stands.
            return Notification.objects.get(dedupe_key=row.dedupe_key)
        enqueue_if_due(row, now=now)
    logger.info(
        "notifications.handed_on id=%s next=%s channel=%s", old.pk, row.pk, row.channel
    )
    return row


def notifications_hand_on_due(*, now: datetime | None = None) -> int:
    """Hand on every row due for its next channel (the dispatcher's sweep)."""
    now = now or timezone.now()
    ids = list(
        _to_hand_on(now)
        .order_by("updated_at")
        .values_list("pk", flat=True)[:CHAIN_SWEEP_LIMIT]
    )
    handed = sum(
        1 for pk in ids if notification_hand_on(notification_id=pk) is not None
    )
    if handed:
        logger.info("notifications.chain_swept count=%s", handed)
    return handed


def voice_ring_at(notification: Notification, *, now: datetime) -> datetime | None:
    """`now` if a call may ring now, else the next time it may (None: too late
    for its visit)."""
    message = Scheduled(
        kind=notification.kind,
        dedupe_key=notification.dedupe_key,
        context={},
        send_at=now,
        not_after=notification.not_after,
    )
    return delivery_time(message, channel=Channel.VOICE, zone=None, now=now)
