"""The dispatcher (beat, once a minute): reclaim what was lost, then claim the
due rows batch by batch, hold back what is over a phone's daily limit, and
hand the rest to the send tasks."""

import logging
from collections import Counter
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from notifications.models import Notification, Status
from notifications.secrets import notifications_erase_secrets
from notifications.services import handover
from notifications.services.chain import notifications_hand_on_due
from notifications.services.reclaim import reclaim_lost
from notifications.services.rules import (
    COUNTED_STATUSES,
    NOT_COUNTED_PER_PHONE,
    SkipReason,
    server_zone,
)
from notifications.timing import MIN_LEAD, day_start, next_day_start

logger = logging.getLogger(__name__)

# One claimer at a time counts and claims, so two dispatchers cannot both let a
# phone's tenth message of the day through.
_DISPATCH_LOCK_KEY = 0x414E4B01

# (id, kind, recipient_hash, not_after, send_at) of a due row.
DueRow = tuple[int, str, str, datetime | None, datetime]


def notifications_dispatch_due(*, batch_size: int | None = None) -> int:
    """Claim due rows and enqueue their sends. Safe in any number of processes:
    each batch is claimed under SKIP LOCKED by exactly one claimer, and on
    PostgreSQL claimers take turns so the per-phone count is exact."""
    batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
    now = timezone.now()
    reclaim_lost(now=now)
    notifications_erase_secrets(now=now)
    # What a channel failed goes on to the next before this run claims.
    notifications_hand_on_due(now=now)
    claimed = 0
    after: tuple[datetime, int] | None = None
    while True:
        with transaction.atomic():
            _serialise_claimers()
            rows = _due_batch(now=now, after=after, size=batch_size)
            if not rows:
                break
            after = (rows[-1][4], rows[-1][0])
            ids = _hold_over_daily_limit(rows, now=now)
            Notification.objects.filter(pk__in=ids).update(
                status=Status.QUEUED, claimed_at=now, updated_at=now
            )
            transaction.on_commit(partial(handover.enqueue_sends, ids))
        claimed += len(ids)
        if len(rows) < batch_size:
            break
    if claimed:
        logger.info("notifications.dispatched count=%s", claimed)
    return claimed


def _serialise_claimers() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_DISPATCH_LOCK_KEY])


def _due_batch(
    *, now: datetime, after: tuple[datetime, int] | None, size: int
) -> list[DueRow]:
    """The next due rows past `after`, locked; rows another claimer holds are
    skipped."""
    due = Notification.objects.select_for_update(skip_locked=True).filter(
        status=Status.PENDING, send_at__lte=now
    )
    if after is not None:
        # Start where the last batch ended: the index still holds the rows just
        # claimed until vacuum, and scanning past them again each batch would
        # make a large backlog quadratic.
        due = due.filter(send_at__gte=after[0]).filter(
            Q(send_at__gt=after[0]) | Q(id__gt=after[1])
        )
    return list(
        due.order_by("send_at", "id").values_list(
            "id", "kind", "recipient_hash", "not_after", "send_at"
        )[:size]
    )


def _claimed_today(hashes: set[str], *, now: datetime) -> Counter[str]:
    """How many counted messages each phone has had claimed since the start of
    the server's day."""
    return Counter(
        dict(
            Notification.objects.filter(
                recipient_hash__in=hashes,
                claimed_at__gte=day_start(now, zone=server_zone()),
                status__in=COUNTED_STATUSES,
            )
            .exclude(kind__in=NOT_COUNTED_PER_PHONE)
            .order_by()
            .values_list("recipient_hash")
            .annotate(n=Count("id"))
        )
    )


def _sort_by_limit(
    rows: list[DueRow], *, used: Counter[str], tomorrow: datetime
) -> tuple[list[int], list[int], list[int]]:
    """The ids that go now, those deferred to tomorrow and those skipped
    because tomorrow is too late for their visit."""
    limit = settings.SMS_LIMIT_PER_PHONE_DAY
    go, deferred, skipped = [], [], []
    for notification_id, kind, recipient_hash, not_after, _send_at in rows:
        if kind in NOT_COUNTED_PER_PHONE:
            go.append(notification_id)
        elif used[recipient_hash] < limit:
            used[recipient_hash] += 1
            go.append(notification_id)
        elif not_after is not None and tomorrow > not_after - MIN_LEAD:
            skipped.append(notification_id)
        else:
            deferred.append(notification_id)
    return go, deferred, skipped


def _hold_over_daily_limit(rows: list[DueRow], *, now: datetime) -> list[int]:
    """The ids of `rows` within each phone's daily limit. The others move to
    tomorrow morning, or are skipped when tomorrow is past their visit."""
    counted = [row for row in rows if row[1] not in NOT_COUNTED_PER_PHONE]
    if not counted:
        return [row[0] for row in rows]
    used = _claimed_today({row[2] for row in counted}, now=now)
    tomorrow = next_day_start(
        now, zone=server_zone(), quiet_end=settings.QUIET_HOURS_END
    )
    go, deferred, skipped = _sort_by_limit(rows, used=used, tomorrow=tomorrow)
    if deferred:
        Notification.objects.filter(pk__in=deferred).update(
            send_at=tomorrow,
            last_error="deferred: over the day's limit per phone",
            updated_at=now,
        )
    if skipped:
        Notification.objects.filter(pk__in=skipped).update(
            status=Status.SKIPPED, last_error=SkipReason.DAILY_LIMIT, updated_at=now
        )
    if deferred or skipped:
        logger.info(
            "notifications.over_daily_limit deferred=%s skipped=%s",
            len(deferred),
            len(skipped),
        )
    return go
