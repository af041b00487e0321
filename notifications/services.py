"""Writes to the outbox: scheduling, claiming, sending and cancelling messages.

Every message is a row; Celery only carries row ids (ADR 0003). A row moves
pending → queued (claimed by the dispatcher) → sending (claimed by one send) →
sent → delivered, or ends failed, skipped or cancelled. Each move is one
conditional UPDATE, so two processes can never both take the same step.
"""

import json
import logging
import random
import time as monotonic_clock
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Q
from django.utils import timezone
from redis.exceptions import RedisError

from common.crypto import keyed_hash
from common.enqueue import task_named
from common.rawsql import insert_returning_pk
from notifications.backends import get_backend
from notifications.backends.base import (
    OutgoingMessage,
    SendResult,
    SmsBackend,
    SupportsBatchSend,
    SupportsStatusQuery,
)
from notifications.models import Kind, Notification, Status
from notifications.rendering import render_text
from notifications.secrets import (
    notifications_erase_secrets,
    secret_params_of,
    secret_params_pack,
)
from notifications.timing import MIN_LEAD, day_start, deliver_at, next_day_start

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
BACKOFF_JITTER = 0.2

# Answers to something someone has just done: they go at once, night or not.
QUIET_HOURS_EXEMPT = frozenset(
    {Kind.OTP, Kind.BOOKING_CONFIRMED, Kind.RESCHEDULED, Kind.CANCELLED, Kind.TEST}
)
# What an SMS opt-out or a withdrawn consent stops.
REMINDER_KINDS = (Kind.REMINDER_DAY_BEFORE, Kind.REMINDER_SAME_DAY, Kind.FOLLOW_UP_DUE)
# Sign-in codes have their own limits upstream (OTP_LIMIT_*).
NOT_COUNTED_PER_PHONE = (Kind.OTP,)
# A message counts against the day it was claimed in, once it is on its way.
COUNTED_STATUSES = (Status.QUEUED, Status.SENDING, Status.SENT, Status.DELIVERED)

# The longest a live send task can hold a row in `sending`: its hard time limit.
SEND_TASK_TIME_LIMIT = 120
# A batch stops starting new sends after this long and hands the rest on, so a
# slow gateway cannot run it into the hard limit.
SEND_BATCH_BUDGET_SECONDS = 60
# Rows in `sending` asked about per dispatcher run: each may be a gateway call.
RECLAIM_QUERY_LIMIT = 200
# A send the gateway still cannot account for after this long is left to staff.
UNCERTAIN_GIVE_UP_AFTER = timedelta(days=1)
# Error texts of a send that may have reached the gateway without our hearing back.
_MAYBE_TAKEN = ("timeout", "network", "connection", "NetworkError")

# One claimer at a time counts and claims, so two dispatchers cannot both let a
# phone's tenth message of the day through.
_DISPATCH_LOCK_KEY = 0x414E4B01


class SkipReason:
    PAST_VISIT = "skipped: would arrive after the visit or within the hour before it"
    DAILY_LIMIT = "skipped: over the day's limit per phone, and tomorrow is too late"


# The tasks that the services start, by name (see common.enqueue).
SEND_TASK = "notifications.send"
SEND_BATCH_TASK = "notifications.send_batch"
SEND_IMMEDIATE_TASK = "notifications.send_immediate"


def _enqueue_send(notification_id: int) -> None:
    task_named(SEND_TASK).delay(notification_id)


def _kick_or_enqueue(notification_id: int) -> None:
    if settings.OUTBOX_COALESCE_IMMEDIATE:
        notifications_kick_immediate()
    else:
        _enqueue_send(notification_id)


def _enqueue_sends(notification_ids: list[int]) -> None:
    size = settings.OUTBOX_SEND_BATCH_SIZE
    for start in range(0, len(notification_ids), size):
        task_named(SEND_BATCH_TASK).delay(notification_ids[start : start + size])


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def backoff(attempt: int) -> timedelta:
    """30 s, 60 s, 120 s, … after the n-th attempt, ± 20 % so that a gateway outage
    does not bring every message back in the same second."""
    seconds = BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0)
    jitter = random.uniform(-BACKOFF_JITTER, BACKOFF_JITTER)  # noqa: S311
    return timedelta(seconds=seconds * (1 + jitter))


@dataclass(frozen=True)
class Scheduled:
    """One message to write to the outbox (see notification_schedule)."""

    kind: str
    dedupe_key: str
    context: dict[str, str]
    send_at: datetime | None = None
    not_after: datetime | None = None
    secret: dict[str, str] | None = None


def _outbox_row(
    *,
    phone: str,
    phone_hash: str,
    message: Scheduled,
    recipient_ref: str,
    language: str,
    zone: ZoneInfo | None,
    now: datetime,
) -> Notification:
    """The unsaved row of `message`, its delivery time moved out of quiet hours
    or the row marked skipped."""
    wanted = message.send_at or now
    not_after = message.not_after
    if message.kind in QUIET_HOURS_EXEMPT:
        late = not_after is not None and wanted > not_after
        deliver = None if late else wanted
    else:
        deliver = deliver_at(
            wanted=wanted,
            not_after=not_after,
            zone=zone or _zone(),
            quiet_start=settings.QUIET_HOURS_START,
            quiet_end=settings.QUIET_HOURS_END,
        )
    return Notification(
        kind=message.kind,
        recipient_phone=phone,
        recipient_hash=phone_hash,
        recipient_ref=recipient_ref,
        language=language,
        context={key: str(value) for key, value in message.context.items()},
        secret_params=secret_params_pack(message.secret),
        dedupe_key=message.dedupe_key,
        send_at=deliver or wanted,
        not_after=not_after,
        status=Status.PENDING if deliver else Status.SKIPPED,
        last_error="" if deliver else SkipReason.PAST_VISIT,
    )


def _enqueue_if_due(notification: Notification, *, now: datetime) -> None:
    if notification.status != Status.PENDING or notification.send_at > now:
        return
    if notification.kind in QUIET_HOURS_EXEMPT:
        transaction.on_commit(partial(_kick_or_enqueue, notification.pk))
    else:
        transaction.on_commit(partial(_enqueue_send, notification.pk))


def notification_schedule(
    *,
    phone: str,
    kind: str,
    dedupe_key: str,
    context: dict[str, str] | None = None,
    send_at: datetime | None = None,
    not_after: datetime | None = None,
    recipient_ref: str = "",
    language: str = "zh-hans",
    zone: ZoneInfo | None = None,
    secret: dict[str, str] | None = None,
) -> Notification:
    """Write one outbox row in the caller's transaction; a second call with the same
    dedupe key returns the first row. A message due now is enqueued on commit.

    Quiet hours (in `zone`, the server's by default) move every kind but the
    immediate answers (QUIET_HOURS_EXEMPT). A message that would then arrive after
    `not_after`, or within the hour before it, is written as `skipped` with the
    reason, so staff can see it was dropped on purpose.

    `secret` holds parameters that open something (a sign-in code): they are
    stored encrypted, apart from `context`, and erased once the row is done.
    """
    now = timezone.now()
    row = _outbox_row(
        phone=phone,
        phone_hash=keyed_hash(phone, purpose="phone"),
        message=Scheduled(
            kind=kind,
            dedupe_key=dedupe_key,
            context=context or {},
            send_at=send_at,
            not_after=not_after,
            secret=secret,
        ),
        recipient_ref=recipient_ref,
        language=language,
        zone=zone,
        now=now,
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return Notification.objects.get(dedupe_key=dedupe_key)
    _enqueue_if_due(row, now=now)
    return row


def notifications_schedule_new(
    *,
    phone: str,
    messages: list[Scheduled],
    recipient_ref: str = "",
    language: str = "zh-hans",
    zone: ZoneInfo | None = None,
) -> list[Notification]:
    """Write the messages of one event for one phone in a single INSERT, in the
    caller's transaction: a booking's confirmation and its reminders.

    Only for dedupe keys that name something created in the same transaction (a
    new appointment), so they cannot exist yet: a clash is a bug and raises
    IntegrityError instead of returning the earlier row.
    """
    now = timezone.now()
    phone_hash = keyed_hash(phone, purpose="phone")
    rows = [
        _outbox_row(
            phone=phone,
            phone_hash=phone_hash,
            message=message,
            recipient_ref=recipient_ref,
            language=language,
            zone=zone,
            now=now,
        )
        for message in messages
    ]
    insert_returning_pk(rows)
    for row in rows:
        _enqueue_if_due(row, now=now)
    return rows


def notifications_cancel_pending(*, dedupe_key_prefix: str) -> int:
    """Cancel messages not yet handed to a gateway (reminders of a moved booking)."""
    return Notification.objects.filter(
        dedupe_key__startswith=dedupe_key_prefix,
        status__in=[Status.PENDING, Status.QUEUED],
    ).update(status=Status.CANCELLED, secret_params=None, updated_at=timezone.now())


def notifications_cancel_for_recipient(
    *, recipient_ref: str, kinds: list[str] | None = None
) -> int:
    """Cancel her messages not yet handed to a gateway, of `kinds` or all of them:
    an SMS opt-out or a withdrawn consent stops what is still waiting. A send
    already under way finishes; one still queued finds its row cancelled."""
    if not recipient_ref:
        return 0
    rows = Notification.objects.filter(
        recipient_ref=recipient_ref, status__in=[Status.PENDING, Status.QUEUED]
    )
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    cancelled = rows.update(
        status=Status.CANCELLED, secret_params=None, updated_at=timezone.now()
    )
    if cancelled:
        logger.info(
            "notifications.cancelled recipient=%s count=%s", recipient_ref, cancelled
        )
    return cancelled


def notification_retry(*, notification_id: int) -> bool:
    """Put a failed or skipped message back in the queue with a fresh set of
    attempts (staff, after fixing a template or a number). False if it was in
    another state by then."""
    now = timezone.now()
    # A sign-in code is dead by the time staff look, and erased: she asks again.
    retried = (
        Notification.objects.filter(
            pk=notification_id, status__in=[Status.FAILED, Status.SKIPPED]
        )
        .exclude(kind=Kind.OTP)
        .update(
            status=Status.PENDING,
            attempts=0,
            send_at=now,
            # A retry is a decision by staff: the visit window no longer holds it back.
            not_after=None,
            claimed_at=None,
            last_error="",
            updated_at=now,
        )
    )
    return bool(retried)


# --- The dispatcher (beat, once a minute)


def notifications_dispatch_due(*, batch_size: int | None = None) -> int:
    """Claim due rows and enqueue their sends. Safe in any number of processes:
    each batch is claimed under SKIP LOCKED by exactly one claimer, and on
    PostgreSQL claimers take turns so the per-phone count is exact."""
    batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
    now = timezone.now()
    _reclaim_lost(now=now)
    notifications_erase_secrets(now=now)
    claimed = 0
    after: tuple[datetime, int] | None = None
    while True:
        with transaction.atomic():
            _serialise_claimers()
            due = Notification.objects.select_for_update(skip_locked=True).filter(
                status=Status.PENDING, send_at__lte=now
            )
            if after is not None:
                # Start where the last batch ended: the index still holds the
                # rows just claimed until vacuum, and scanning past them again
                # each batch would make a large backlog quadratic.
                due = due.filter(send_at__gte=after[0]).filter(
                    Q(send_at__gt=after[0]) | Q(id__gt=after[1])
                )
            rows = list(
                due.order_by("send_at", "id").values_list(
                    "id", "kind", "recipient_hash", "not_after", "send_at"
                )[:batch_size]
            )
            if not rows:
                break
            after = (rows[-1][4], rows[-1][0])
            ids = _hold_over_daily_limit(rows, now=now)
            Notification.objects.filter(pk__in=ids).update(
                status=Status.QUEUED, claimed_at=now, updated_at=now
            )
            transaction.on_commit(partial(_enqueue_sends, ids))
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


def _hold_over_daily_limit(
    rows: list[tuple[int, str, str, datetime | None, datetime]], *, now: datetime
) -> list[int]:
    """The ids of `rows` within each phone's daily limit. The others move to
    tomorrow morning, or are skipped when tomorrow is past their visit."""
    counted = [row for row in rows if row[1] not in NOT_COUNTED_PER_PHONE]
    if not counted:
        return [row[0] for row in rows]
    zone = _zone()
    hashes = {row[2] for row in counted}
    used = Counter(
        dict(
            Notification.objects.filter(
                recipient_hash__in=hashes,
                claimed_at__gte=day_start(now, zone=zone),
                status__in=COUNTED_STATUSES,
            )
            .exclude(kind__in=NOT_COUNTED_PER_PHONE)
            .order_by()
            .values_list("recipient_hash")
            .annotate(n=Count("id"))
        )
    )
    limit = settings.SMS_LIMIT_PER_PHONE_DAY
    tomorrow = next_day_start(now, zone=zone, quiet_end=settings.QUIET_HOURS_END)
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


def _reclaim_lost(*, now: datetime) -> int:
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


def _reclaim_sending(*, now: datetime) -> int:
    # A live send holds its row at most for the task's hard time limit.
    seconds = max(settings.OUTBOX_RECLAIM_AFTER_SECONDS, SEND_TASK_TIME_LIMIT + 30)
    cutoff = now - timedelta(seconds=seconds)
    with transaction.atomic():
        stuck = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Status.SENDING, claimed_at__lt=cutoff)
            .order_by("claimed_at", "id")[:RECLAIM_QUERY_LIMIT]
        )
        # Taken for inspection: another dispatcher leaves these alone until the
        # next timeout, and no lock is held while the gateway is asked.
        Notification.objects.filter(pk__in=[n.pk for n in stuck]).update(
            claimed_at=now, updated_at=now
        )
    if not stuck:
        return 0
    backend = get_backend()
    reclaimed = 0
    for notification in stuck:
        rows = Notification.objects.filter(
            pk=notification.pk, status=Status.SENDING, claimed_at=now
        )
        if not isinstance(backend, SupportsStatusQuery):
            # console and locmem keep no record to ask; a repeat there harms nobody.
            reclaimed += rows.update(status=Status.PENDING, claimed_at=None)
            continue
        answer = _ask(backend, notification)
        if answer == "not_found":
            reclaimed += rows.update(status=Status.PENDING, claimed_at=None)
        elif answer == "delivered":
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
    return reclaimed


def _ask(backend: SupportsStatusQuery, notification: Notification) -> str:
    return backend.query_status(
        notification.dedupe_key,
        notification.provider_message_id,
        phone=notification.recipient_phone,
        sent_at=notification.send_at,
    )


# --- Answers due at once, many to one task (docs/adr/0008)

IMMEDIATE_KICK_KEY = "outbox:immediate-kick"


def notifications_kick_immediate() -> None:
    """Called on commit of an answer due at once: publish the task that sends
    every such answer, unless one is already published and has not yet started.

    The note that a task is on its way is a cache key set only if absent. The
    task deletes it before it looks for rows (notifications_send_immediate), so
    a row it does not see was committed after the deletion, and that row's own
    kick publishes the next task. The task starts OUTBOX_IMMEDIATE_LINGER_MS
    late, so that the answers of a surge go many to a task. A task lost with
    the broker holds back the next kick for OUTBOX_IMMEDIATE_KICK_SECONDS at
    most; beat sends what it left in the meantime."""
    try:
        first = cache.add(
            IMMEDIATE_KICK_KEY, 1, timeout=settings.OUTBOX_IMMEDIATE_KICK_SECONDS
        )
    except RedisError:
        # Without the note, a task per answer: more work, nothing held back.
        logger.warning("notifications.kick_without_cache", exc_info=True)
        first = True
    if first:
        linger = settings.OUTBOX_IMMEDIATE_LINGER_MS / 1000
        task_named(SEND_IMMEDIATE_TASK).apply_async(countdown=linger or None)


def notifications_send_immediate() -> int:
    """Send every answer (QUIET_HOURS_EXEMPT) that is waiting and due; the number
    tried (a refused send is counted, and waits for its retry). Safe beside beat
    and the other send paths: each row is claimed by one conditional UPDATE, and
    a row claimed elsewhere is left alone."""
    try:
        cache.delete(IMMEDIATE_KICK_KEY)
    except RedisError:
        logger.warning("notifications.kick_without_cache", exc_info=True)
    now = timezone.now()
    due = Notification.objects.filter(
        status=Status.PENDING, send_at__lte=now, kind__in=QUIET_HOURS_EXEMPT
    ).order_by("send_at", "id")
    size = settings.OUTBOX_SEND_BATCH_SIZE
    after: tuple[datetime, int] | None = None
    handled = 0
    while True:
        batch = due
        if after is not None:
            # Past the last batch, so a row that stays pending (its send failed
            # and was put back for a retry) is not taken again in this run.
            batch = due.filter(send_at__gte=after[0]).filter(
                Q(send_at__gt=after[0]) | Q(id__gt=after[1])
            )
        rows = list(batch.values_list("id", "send_at")[:size])
        if not rows:
            break
        after = (rows[-1][1], rows[-1][0])
        ids = [row[0] for row in rows]
        left_over = notifications_send_batch(notification_ids=ids)
        handled += len(ids) - len(left_over)
        if left_over:
            # Out of time: the rest goes on as a batch task of its own.
            _enqueue_sends(left_over)
            break
        if len(rows) < size:
            break
    return handled


# --- Sending (one Celery task per id, or per batch of ids)


def notification_send(*, notification_id: int) -> Notification | None:
    """Send one message if it is still waiting to go. Safe to run twice: the row is
    moved to `sending` by one conditional UPDATE before the gateway is called, and
    a row in any other state is left alone. The outcome is written only while the
    row is still `sending`, so a receipt that arrived meanwhile stands."""
    sender = _Sender()
    try:
        return sender.send(notification_id)
    finally:
        sender.flush()


def notifications_send_batch(*, notification_ids: list[int]) -> list[int]:
    """Send each message in turn; returns the ids not started because the batch
    ran out of time (they are still queued: the caller hands them on)."""
    started = monotonic_clock.monotonic()
    sender = _Sender()
    try:
        position = 0
        while position < len(notification_ids):
            if monotonic_clock.monotonic() - started > SEND_BATCH_BUDGET_SECONDS:
                return notification_ids[position:]
            group = notification_ids[position : position + sender.group_size()]
            sender.send_group(group)
            position += len(group)
    finally:
        sender.flush()
    return []


_FIELDS = Notification._meta.concrete_fields
_ATTNAMES = [field.attname for field in _FIELDS]
WAITING = (Status.PENDING, Status.QUEUED)
# Rows claimed in one statement when the backend's status answers are
# authoritative (see _Sender).
AUTHORITATIVE_CLAIM_GROUP = 25


def _table() -> str:
    return connection.ops.quote_name(Notification._meta.db_table)


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


@dataclass
class _Outcome:
    """What became of one claimed row, to be written over our own `sending`.
    Empty provider fields and None times leave the stored value as it is."""

    notification: Notification
    status: str
    last_error: str
    updated_at: datetime
    provider: str = ""
    provider_message_id: str = ""
    sent_at: datetime | None = None
    send_at: datetime | None = None

    def row(self) -> list[Any]:
        """The values of _OUTCOME_ROW_SQL before its WHERE."""
        return [
            self.status,
            self.last_error,
            _value(self.updated_at),
            self.provider,
            self.provider_message_id,
            _value(self.sent_at),
            _value(self.send_at),
            # A secret is kept only for a retry (back to pending).
            self.status,
            Status.PENDING,
        ]


# On PostgreSQL one statement over all the outcomes, its text the same every
# time so that the driver parses it once; the rows travel as one JSON document.
_OUTCOMES_PG_SQL = (
    "UPDATE {table} AS n SET status = o.status, last_error = o.last_error, "
    "updated_at = o.updated_at, "
    "provider = COALESCE(NULLIF(o.provider, ''), n.provider), "
    "provider_message_id = "
    "COALESCE(NULLIF(o.provider_message_id, ''), n.provider_message_id), "
    "sent_at = COALESCE(o.sent_at, n.sent_at), "
    "send_at = COALESCE(o.send_at, n.send_at), "
    "secret_params = CASE WHEN o.status = %s THEN n.secret_params END "
    "FROM jsonb_to_recordset(%s::jsonb) AS o(id bigint, status text, "
    "last_error text, updated_at timestamptz, provider text, "
    "provider_message_id text, sent_at timestamptz, send_at timestamptz) "
    "WHERE n.id = o.id AND n.status = %s RETURNING n.id"
)
_OUTCOME_ROW_SQL = (
    "UPDATE {table} SET status = %s, last_error = %s, updated_at = %s, "
    "provider = COALESCE(NULLIF(%s, ''), provider), "
    "provider_message_id = COALESCE(NULLIF(%s, ''), provider_message_id), "
    "sent_at = COALESCE(%s, sent_at), send_at = COALESCE(%s, send_at), "
    "secret_params = CASE WHEN %s = %s THEN secret_params END "
    "WHERE id = %s AND status = %s"
)


class _Sender:
    """Claims and sends messages in one process, with as few commits as is safe.

    A claim is always committed before the gateway is called: it is what stops a
    second copy. Outcomes wait and go with the next claim, in the same round trip
    and commit, as one statement over all of them on PostgreSQL. A process
    killed in between leaves those rows in `sending`, where they would be anyway
    had it died during the send, and the reclaim asks the gateway about each.

    When the backend's answers to that question are authoritative (the `file`
    backend: what it has not got, it never took), rows are claimed 25 at a time,
    handed to the backend together when it can take a batch, and their outcomes
    written without waiting for the disk, since a row claimed but never tried,
    or an outcome lost, is sorted out exactly by the reclaim. A gateway that may
    answer "unknown" gets one claim per message.
    """

    def __init__(self) -> None:
        self.backend: SmsBackend | None = None
        self.outcomes: list[_Outcome] = []
        self.claim_statements: dict[int, tuple[str, Any, Any]] = {}

    def _backend(self) -> SmsBackend:
        if self.backend is None:
            self.backend = get_backend()
        return self.backend

    def _authoritative(self) -> bool:
        return bool(getattr(self._backend(), "status_is_authoritative", False))

    def group_size(self) -> int:
        return AUTHORITATIVE_CLAIM_GROUP if self._authoritative() else 1

    def send(self, notification_id: int) -> Notification | None:
        claimed = self._claim([notification_id], now=timezone.now())
        if not claimed:
            return Notification.objects.filter(pk=notification_id).first()
        self._send_claimed(claimed)
        return claimed[0]

    def send_group(self, notification_ids: list[int]) -> None:
        self._send_claimed(self._claim(notification_ids, now=timezone.now()))

    def _send_claimed(self, claimed: list[Notification]) -> None:
        now = timezone.now()
        ready = [n for n in claimed if self._still_to_send(n, now=now)]
        if not ready:
            return
        backend = self._backend()
        messages = [_message(notification) for notification in ready]
        if isinstance(backend, SupportsBatchSend):
            results = backend.send_many(messages)
        else:
            results = [backend.send(message) for message in messages]
        for notification, result in zip(ready, results, strict=True):
            self._note_result(notification, result)

    def _still_to_send(self, notification: Notification, *, now: datetime) -> bool:
        """False, with the outcome noted, when the row must not go to the
        gateway now: too late for its visit, or an earlier attempt the gateway
        has since accounted for or cannot account for yet."""
        if notification.not_after and now > notification.not_after - MIN_LEAD:
            # Held up (an outage, a full queue) until it can no longer help.
            self._record(
                notification, status=Status.SKIPPED, last_error=SkipReason.PAST_VISIT
            )
            return False
        backend = self._backend()
        if not (
            _maybe_taken(notification.last_error)
            and isinstance(backend, SupportsStatusQuery)
        ):
            return True
        # Providers do not de-duplicate: ask before sending a second copy.
        answer = backend.query_status(
            notification.dedupe_key,
            notification.provider_message_id,
            phone=notification.recipient_phone,
            # The retry is due a backoff after the failed attempt: the same
            # day, which is what gateways that look messages up by day need.
            sent_at=notification.send_at,
        )
        if answer == "delivered":
            self._record(
                notification, status=Status.SENT, provider=backend.name, sent=True
            )
        elif answer == "failed":
            self._record(
                notification,
                status=Status.FAILED,
                provider=backend.name,
                last_error=f"{backend.name}:undelivered",
            )
        elif answer == "unknown":
            self._retry_later(notification, error=notification.last_error)
        return answer == "not_found"

    def _note_result(self, notification: Notification, result: SendResult) -> None:
        name = self._backend().name
        if result.accepted:
            self._record(
                notification,
                status=Status.SENT,
                provider=name,
                provider_message_id=result.provider_message_id,
                sent=True,
            )
        elif result.transient:
            self._retry_later(notification, error=result.error)
        else:
            self._record(
                notification,
                status=Status.FAILED,
                provider=name,
                last_error=result.error,
            )
        logger.info(
            "notifications.sent id=%s status=%s", notification.pk, notification.status
        )

    def _claim(
        self, notification_ids: list[int], *, now: datetime
    ) -> list[Notification]:
        """One UPDATE … RETURNING: the rows, now `sending`, that were waiting and
        due. A second claimer blocks on a row, then finds it no longer waiting.
        On PostgreSQL the outcomes noted so far are written in the same round
        trip and commit."""
        db = connections[DEFAULT_DB_ALIAS]
        postgres = db.vendor == "postgresql"
        # PostgreSQL takes any number of ids in one array parameter.
        count = None if postgres else len(notification_ids)
        key = count or 0
        if key not in self.claim_statements:
            self.claim_statements[key] = _claim_statement(db, count)
        claim, compiler, converters = self.claim_statements[key]
        at = _value(now)
        ids: list[Any] = [notification_ids] if postgres else [*notification_ids]
        params = [Status.SENDING, at, at, *ids, *WAITING, at]
        if not postgres:
            self.flush()
        outcomes, self.outcomes = (self.outcomes, []) if postgres else ([], [])
        with db.cursor() as cursor:
            if outcomes:
                sql, outcome_params = _outcomes_statement(outcomes)
                cursor.execute(f"{sql}; {claim}", outcome_params + params)
                _written(outcomes, ids={row[0] for row in cursor.fetchall()})
                cursor.nextset()
            else:
                cursor.execute(claim, params)
            rows = cursor.fetchall()
        claimed = [
            Notification.from_db(db.alias, _ATTNAMES, list(values))
            for values in compiler.apply_converters(rows, converters)
        ]
        order = {pk: position for position, pk in enumerate(notification_ids)}
        return sorted(claimed, key=lambda n: order[n.pk])

    def _retry_later(self, notification: Notification, *, error: str) -> None:
        name = self._backend().name
        if notification.attempts >= MAX_ATTEMPTS:
            self._record(
                notification, status=Status.FAILED, provider=name, last_error=error
            )
            return
        # Back off by rescheduling the row; the dispatcher picks it up when due.
        self._record(
            notification,
            status=Status.PENDING,
            provider=name,
            last_error=error,
            send_at=timezone.now() + backoff(notification.attempts),
        )

    def _record(
        self,
        notification: Notification,
        *,
        status: str,
        provider: str = "",
        provider_message_id: str = "",
        last_error: str = "",
        sent: bool = False,
        send_at: datetime | None = None,
    ) -> None:
        """Note the outcome, to be written only over our own `sending`: a
        delivery receipt or a reclaim that got there first is not overwritten."""
        now = timezone.now()
        outcome = _Outcome(
            notification=notification,
            status=status,
            last_error=last_error,
            updated_at=now,
            provider=provider,
            provider_message_id=provider_message_id,
            sent_at=now if sent else None,
            send_at=send_at,
        )
        self.outcomes.append(outcome)
        notification.status = status
        notification.last_error = last_error
        notification.updated_at = now
        if provider:
            notification.provider = provider
        if provider_message_id:
            notification.provider_message_id = provider_message_id
        if sent:
            notification.sent_at = now
        if send_at is not None:
            notification.send_at = send_at
        if status != Status.PENDING:
            notification.secret_params = None

    def flush(self) -> None:
        """Write the outcomes still waiting, in one statement on PostgreSQL."""
        outcomes, self.outcomes = self.outcomes, []
        if not outcomes:
            return
        db = connections[DEFAULT_DB_ALIAS]
        with db.cursor() as cursor:
            if db.vendor != "postgresql":
                sql = _OUTCOME_ROW_SQL.format(table=_table())
                for outcome in outcomes:
                    pk = outcome.notification.pk
                    cursor.execute(sql, [*outcome.row(), pk, Status.SENDING])
                    if cursor.rowcount != 1:
                        _written([outcome], ids=set())
                return
            sql, params = _outcomes_statement(outcomes)
            if not self._authoritative():
                cursor.execute(sql, params)
                _written(outcomes, ids={row[0] for row in cursor.fetchall()})
                return
            # Lost in a database crash, an outcome leaves its row `sending`, and
            # the reclaim finds out exactly.
            cursor.execute(f"SET LOCAL synchronous_commit TO off; {sql}", params)
            cursor.nextset()
            _written(outcomes, ids={row[0] for row in cursor.fetchall()})


def _claim_statement(
    db: BaseDatabaseWrapper, count: int | None
) -> tuple[str, Any, Any]:
    """The claim's SQL for `count` ids, or for an array of ids when `count` is
    None, and the converters Django applies to its rows (decryption, JSON,
    SQLite's text dates)."""
    columns = ", ".join(db.ops.quote_name(str(f.column)) for f in _FIELDS)
    ids = "= ANY(%s)" if count is None else "IN (" + ", ".join(["%s"] * count) + ")"
    sql = (
        f"UPDATE {_table()} SET status = %s, attempts = attempts + 1, "  # noqa: S608 - our table and columns; values are parameters # nosec B608
        f"claimed_at = %s, updated_at = %s WHERE id {ids} "
        f"AND status IN (%s, %s) AND send_at <= %s RETURNING {columns}"
    )
    compiler = db.ops.compiler("SQLCompiler")(
        Notification.objects.none().query, db, db.alias
    )
    table = Notification._meta.db_table
    converters = compiler.get_converters([f.get_col(table) for f in _FIELDS])
    return sql, compiler, converters


def _outcomes_statement(outcomes: list[_Outcome]) -> tuple[str, list[Any]]:
    """One UPDATE over every outcome (PostgreSQL), returning the ids it wrote."""
    rows = [
        {
            "id": outcome.notification.pk,
            "status": outcome.status,
            "last_error": outcome.last_error,
            "updated_at": outcome.updated_at,
            "provider": outcome.provider,
            "provider_message_id": outcome.provider_message_id,
            "sent_at": outcome.sent_at,
            "send_at": outcome.send_at,
        }
        for outcome in outcomes
    ]
    sql = _OUTCOMES_PG_SQL.format(table=_table())
    return sql, [
        Status.PENDING,
        json.dumps(rows, default=_isoformat),
        Status.SENDING,
    ]


def _isoformat(value: datetime) -> str:
    # Microseconds and all: DjangoJSONEncoder would cut them to milliseconds.
    return value.isoformat()


def _written(outcomes: list[_Outcome], *, ids: set[int]) -> None:
    for outcome in outcomes:
        if outcome.notification.pk not in ids:
            # Someone else moved it on first (a receipt, a reclaim): show theirs.
            outcome.notification.refresh_from_db()


def _maybe_taken(error: str) -> bool:
    return any(marker in error for marker in _MAYBE_TAKEN)


def _message(notification: Notification) -> OutgoingMessage:
    params = {**notification.context, **secret_params_of(notification)}
    text = render_text(
        kind=notification.kind,
        language=notification.language,
        params=params,
    )
    return OutgoingMessage(
        phone=notification.recipient_phone,
        kind=notification.kind,
        template_key=notification.kind,
        params=params,
        text=text,
        correlation_id=notification.dedupe_key,
    )
