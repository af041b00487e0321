"""Writing the messages of many recipients at once: an invitation batch of
100,000 women in a few multi-row INSERTs instead of one INSERT per woman.

The rows are the rows `notifications_schedule_new` would write (same channel
chain, quiet hours and visit window, through `_outbox_row`), but a dedupe key
that is already in the outbox is skipped, not an error: a batch approved twice,
or a send task retried after a crash, writes nothing twice. The unique index
on `dedupe_key` decides, so two writers side by side cannot both insert one.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from common.crypto import keyed_hash
from notifications.models import Notification
from notifications.recipients import reach_of
from notifications.services.outbox import Scheduled, _outbox_row

BULK_INSERT_SIZE = 2000


@dataclass(frozen=True)
class Addressed:
    """The messages of one recipient in a bulk write."""

    phone: str
    recipient_ref: str
    messages: tuple[Scheduled, ...]


def _rows_of(
    recipient: Addressed, *, language: str, zone: ZoneInfo | None, now: datetime
) -> list[Notification]:
    """Her unsaved rows: her phone's hash and her channels looked up once."""
    phone_hash = keyed_hash(recipient.phone, purpose="phone")
    reach = reach_of(recipient.recipient_ref)
    return [
        _outbox_row(
            phone=recipient.phone,
            phone_hash=phone_hash,
            message=message,
            recipient_ref=recipient.recipient_ref,
            language=language,
            zone=zone,
            now=now,
            reach=reach,
        )
        for message in recipient.messages
    ]


def notifications_schedule_bulk(
    *,
    recipients: Iterable[Addressed],
    language: str = "zh-hans",
    zone: ZoneInfo | None = None,
) -> int:
    """Write every recipient's messages in the caller's transaction (one is
    opened if there is none), skipping dedupe keys already written. Returns the
    rows written by this call.

    Rows due now are not handed over one by one: beat's dispatcher claims due
    rows in batches and keeps each phone's daily limit, which 100,000 single
    hand-overs would bypass.
    """
    now = timezone.now()
    rows = [
        row
        for recipient in recipients
        for row in _rows_of(recipient, language=language, zone=zone, now=now)
    ]
    if not rows:
        return 0
    keys = [row.dedupe_key for row in rows]
    with transaction.atomic():
        before = Notification.objects.filter(dedupe_key__in=keys).count()
        # ON CONFLICT DO NOTHING on the unique dedupe key (PostgreSQL and
        # SQLite alike): the index, not a read before the write, keeps one copy.
        Notification.objects.bulk_create(
            rows, batch_size=BULK_INSERT_SIZE, ignore_conflicts=True
        )
        after = Notification.objects.filter(dedupe_key__in=keys).count()
    return after - before
