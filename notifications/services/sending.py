"""Sending: one message per task, or a batch of them, through the configured
gateway. A row is claimed (moved to `sending` by one conditional UPDATE) and
the claim committed before the gateway is called; its outcome is written only
over our own `sending`, so a receipt or a reclaim that got there first stands.
"""

import logging
import time as monotonic_clock
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from notifications import channels
from notifications.backends.base import (
    OutgoingMessage,
    SendResult,
    SmsBackend,
    SupportsBatchSend,
    SupportsStatusQuery,
)
from notifications.models import Channel, Notification, Status
from notifications.rendering import render_text
from notifications.secrets import secret_params_of
from notifications.services.chain import notification_hand_on, voice_ring_at
from notifications.services.rules import (
    MAX_ATTEMPTS,
    SEND_BATCH_BUDGET_SECONDS,
    WAITING,
    SkipReason,
    backoff,
    maybe_taken,
)
from notifications.services.statements import (
    ATTNAMES,
    Outcome,
    claim_statement,
    db_value,
    outcome_row_statement,
    outcomes_statement,
    written,
)
from notifications.timing import MIN_LEAD

logger = logging.getLogger(__name__)

# Rows claimed in one statement when the backend's status answers are
# authoritative (see _Sender).
AUTHORITATIVE_CLAIM_GROUP = 25


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
        sender.hand_on_failed()


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
        sender.hand_on_failed()
    return []


def _message(notification: Notification) -> OutgoingMessage:
    params = {**notification.context, **secret_params_of(notification)}
    text = render_text(
        kind=notification.kind,
        language=notification.language,
        params=params,
    )
    return OutgoingMessage(
        address=notification.recipient_openid or "",
        phone=notification.recipient_phone,
        kind=notification.kind,
        template_key=notification.kind,
        params=params,
        text=text,
        correlation_id=notification.dedupe_key,
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
        self.backends: dict[str, SmsBackend] = {}
        self.outcomes: list[Outcome] = []
        self.claim_statements: dict[int, tuple[str, Any, Any]] = {}
        # Rows failed for good that have a next channel (notifications.services.chain).
        self.failed: list[int] = []

    def _backend(self, channel: str = Channel.SMS) -> SmsBackend:
        if channel not in self.backends:
            self.backends[channel] = channels.get_channel_backend(channel)
        return self.backends[channel]

    def hand_on_failed(self) -> None:
        """Start the next channel of each row failed here at once; the
        dispatcher's sweep does it for any this process does not live to."""
        failed, self.failed = self.failed, []
        for notification_id in failed:
            notification_hand_on(notification_id=notification_id)

    def _authoritative(self) -> bool:
        self._backend()
        return all(
            getattr(backend, "status_is_authoritative", False)
            for backend in self.backends.values()
        )

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
        for channel in dict.fromkeys(n.channel for n in ready):
            self._send_on(channel, [n for n in ready if n.channel == channel])

    def _send_on(self, channel: str, ready: list[Notification]) -> None:
        backend = self._backend(channel)
        messages = [_message(notification) for notification in ready]
        if isinstance(backend, SupportsBatchSend):
            results = backend.send_many(messages)
        else:
            results = [backend.send(message) for message in messages]
        for notification, result in zip(ready, results, strict=True):
            self._note_result(notification, result)
        if getattr(backend, "outcome_at_once", False):
            # A gateway that cannot be asked afterwards (WeChat, a call): its
            # outcome is committed now, not with the next claim, so a worker
            # killed later cannot leave a sent row looking unsent.
            self.flush()

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
        if not self._hours_allow(notification, now=now):
            return False
        backend = self._backend(notification.channel)
        if not (
            maybe_taken(notification.last_error)
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

    def _hours_allow(self, notification: Notification, *, now: datetime) -> bool:
        """A call held up into the provider's blackout or our quiet hours waits
        for the next allowed time instead of ringing."""
        if notification.channel != Channel.VOICE:
            return True
        ring_at = voice_ring_at(notification, now=now)
        if ring_at == now:
            return True
        if ring_at is None:
            self._record(
                notification, status=Status.SKIPPED, last_error=SkipReason.PAST_VISIT
            )
        else:
            self._record(notification, status=Status.PENDING, send_at=ring_at)
        return False

    def _note_result(self, notification: Notification, result: SendResult) -> None:
        name = self._backend(notification.channel).name
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
            self.claim_statements[key] = claim_statement(db, count)
        claim, compiler, converters = self.claim_statements[key]
        at = db_value(now)
        ids: list[Any] = [notification_ids] if postgres else [*notification_ids]
        params = [Status.SENDING, at, at, *ids, *WAITING, at]
        if not postgres:
            self.flush()
        outcomes, self.outcomes = (self.outcomes, []) if postgres else ([], [])
        with db.cursor() as cursor:
            if outcomes:
                sql, outcome_params = outcomes_statement(outcomes)
                cursor.execute(f"{sql}; {claim}", outcome_params + params)
                written(outcomes, ids={row[0] for row in cursor.fetchall()})
                cursor.nextset()
            else:
                cursor.execute(claim, params)
            rows = cursor.fetchall()
        claimed = [
            Notification.from_db(db.alias, ATTNAMES, list(values))
            for values in compiler.apply_converters(rows, converters)
        ]
        order = {pk: position for position, pk in enumerate(notification_ids)}
        return sorted(claimed, key=lambda n: order[n.pk])

    def _retry_later(self, notification: Notification, *, error: str) -> None:
        name = self._backend(notification.channel).name
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
        outcome = Outcome(
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
        if status == Status.FAILED and notification.fallback:
            self.failed.append(notification.pk)

    def flush(self) -> None:
        """Write the outcomes still waiting, in one statement on PostgreSQL."""
        outcomes, self.outcomes = self.outcomes, []
        if not outcomes:
            return
        db = connections[DEFAULT_DB_ALIAS]
        with db.cursor() as cursor:
            if db.vendor != "postgresql":
                sql = outcome_row_statement()
                for outcome in outcomes:
                    pk = outcome.notification.pk
                    cursor.execute(sql, [*outcome.row(), pk, Status.SENDING])
                    if cursor.rowcount != 1:
                        written([outcome], ids=set())
                return
            sql, params = outcomes_statement(outcomes)
            if not self._authoritative():
                cursor.execute(sql, params)
                written(outcomes, ids={row[0] for row in cursor.fetchall()})
                return
            # Lost in a database crash, an outcome leaves its row `sending`, and
            # the reclaim finds out exactly.
            cursor.execute(f"SET LOCAL synchronous_commit TO off; {sql}", params)
            cursor.nextset()
            written(outcomes, ids={row[0] for row in cursor.fetchall()})
