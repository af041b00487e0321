"""Writing messages to the outbox, and taking back those not yet handed to a
gateway. Every write runs in the caller's transaction: a rolled-back booking
leaves no message behind, and a message due now is handed over on commit."""

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.crypto import Sealed, keyed_hash
from common.rawsql import insert_returning_pk
from notifications.models import Channel, Kind, Notification, Status
from notifications.recipients import Reach, channels_for, reach_of
from notifications.secrets import secret_params_pack
from notifications.services import handover
from notifications.services.rules import (
    QUIET_HOURS_EXEMPT,
    WAITING,
    SkipReason,
    server_zone,
)
from notifications.timing import deliver_at, voice_call_at

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scheduled:
    """One message to write to the outbox (see notification_schedule)."""

    kind: str
    dedupe_key: str
    context: dict[str, str]
    send_at: datetime | None = None
    not_after: datetime | None = None
    secret: dict[str, str] | None = None
    # Set by the chain when it writes the next step; otherwise from her chain.
    channel: str = ""
    fallback: tuple[str, ...] = ()
    openid: str = ""


def delivery_time(
    message: Scheduled, *, channel: str, zone: ZoneInfo | None, now: datetime
) -> datetime | None:
    """When `message` may arrive on `channel`: moved out of quiet hours (and, for
    a call, the provider's blackouts), or None when it would then arrive after
    its `not_after` (or within the hour before it)."""
    wanted = message.send_at or now
    not_after = message.not_after
    if channel == Channel.VOICE:
        # A call rings out loud: no kind is exempt from the hours.
        return voice_call_at(
            wanted=wanted,
            not_after=not_after,
            zone=zone or server_zone(),
            quiet_start=settings.QUIET_HOURS_START,
            quiet_end=settings.QUIET_HOURS_END,
        )
    if message.kind in QUIET_HOURS_EXEMPT:
        late = not_after is not None and wanted > not_after
        return None if late else wanted
    return deliver_at(
        wanted=wanted,
        not_after=not_after,
        zone=zone or server_zone(),
        quiet_start=settings.QUIET_HOURS_START,
        quiet_end=settings.QUIET_HOURS_END,
    )


def _outbox_row(
    *,
    phone: str | Sealed,
    phone_hash: str,
    message: Scheduled,
    recipient_ref: str,
    language: str,
    zone: ZoneInfo | None,
    now: datetime,
    reach: Reach | None = None,
) -> Notification:
    """The unsaved row of `message` on the first channel of her chain, its
    delivery time moved out of quiet hours or the row marked skipped."""
    if message.channel:
        channel, fallback, openid = (
            message.channel,
            list(message.fallback),
            message.openid,
        )
    else:
        chain, openid = channels_for(
            kind=message.kind, recipient_ref=recipient_ref, reach=reach
        )
        channel, fallback = chain[0], chain[1:]
    deliver = delivery_time(message, channel=channel, zone=zone, now=now)
    return Notification(
        channel=channel,
        fallback=fallback,
        recipient_openid=openid if channel == Channel.WECHAT else None,
        kind=message.kind,
        recipient_phone=phone,
        recipient_hash=phone_hash,
        recipient_ref=recipient_ref,
        language=language,
        context={key: str(value) for key, value in message.context.items()},
        secret_params=secret_params_pack(message.secret),
        dedupe_key=message.dedupe_key,
        send_at=deliver or message.send_at or now,
        not_after=message.not_after,
        status=Status.PENDING if deliver else Status.SKIPPED,
        last_error="" if deliver else SkipReason.PAST_VISIT,
    )


def enqueue_if_due(notification: Notification, *, now: datetime) -> None:
    if notification.status != Status.PENDING or notification.send_at > now:
        return
    if notification.kind in QUIET_HOURS_EXEMPT:
        transaction.on_commit(partial(handover.kick_or_enqueue, notification.pk))
    else:
        transaction.on_commit(partial(handover.enqueue_send, notification.pk))


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
    enqueue_if_due(row, now=now)
    return row


def notifications_schedule_new(
    *,
    phone: str | Sealed,
    messages: list[Scheduled],
    recipient_ref: str = "",
    language: str = "zh-hans",
    zone: ZoneInfo | None = None,
    phone_hash: str | None = None,
) -> list[Notification]:
    """Write the messages of one event for one phone in a single INSERT, in the
    caller's transaction: a booking's confirmation and its reminders.

    Only for dedupe keys that name something created in the same transaction (a
    new appointment), so they cannot exist yet: a clash is a bug and raises
    IntegrityError instead of returning the earlier row.

    `phone` may be Sealed, the token of an encrypted column holding it, with
    `phone_hash` its keyed hash (purpose "phone") as stored beside it.
    """
    now = timezone.now()
    rows = notifications_new(
        phone=phone,
        messages=messages,
        recipient_ref=recipient_ref,
        language=language,
        zone=zone,
        phone_hash=phone_hash,
        now=now,
    )
    insert_returning_pk(rows)
    notifications_written(rows, now=now)
    return rows


def notifications_new(
    *,
    phone: str | Sealed,
    messages: list[Scheduled],
    recipient_ref: str,
    language: str,
    zone: ZoneInfo | None,
    phone_hash: str | None,
    now: datetime,
) -> list[Notification]:
    """The unsaved rows `notifications_schedule_new` writes, for a caller that
    writes them in a statement of its own (a booking's: scheduling's
    booking_statements.booking_write); it hands them to `notifications_written`
    once they are stored."""
    if isinstance(phone, Sealed):
        if not phone_hash:
            raise ValueError("A sealed phone needs its keyed hash.")
    else:
        phone_hash = keyed_hash(phone, purpose="phone")
    # One look-up of her channels for the whole event.
    reach = reach_of(recipient_ref)
    return [
        _outbox_row(
            phone=phone,
            phone_hash=phone_hash,
            message=message,
            recipient_ref=recipient_ref,
            language=language,
            zone=zone,
            now=now,
            reach=reach,
        )
        for message in messages
    ]


def notifications_written(rows: list[Notification], *, now: datetime) -> None:
    """After `rows` from `notifications_new` are stored: those due at `now` are
    handed over when the caller's transaction commits (at once outside one)."""
    for row in rows:
        enqueue_if_due(row, now=now)


def notifications_cancel_pending(*, dedupe_key_prefix: str) -> int:
    """Cancel messages not yet handed to a gateway (reminders of a moved booking)."""
    return Notification.objects.filter(
        dedupe_key__startswith=dedupe_key_prefix,
        status__in=WAITING,
    ).update(status=Status.CANCELLED, secret_params=None, updated_at=timezone.now())


def notifications_cancel_for_recipient(
    *, recipient_ref: str, kinds: list[str] | None = None
) -> int:
    """Cancel her messages not yet handed to a gateway, of `kinds` or all of them:
    an SMS opt-out or a withdrawn consent stops what is still waiting. A send
    already under way finishes; one still queued finds its row cancelled."""
    if not recipient_ref:
        return 0
    rows = Notification.objects.filter(recipient_ref=recipient_ref, status__in=WAITING)
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
