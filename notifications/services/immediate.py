"""Answers due at once (QUIET_HOURS_EXEMPT), many to one task (ADR 0008): the
task that a kick publishes sends every such answer waiting."""

from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from notifications.models import Notification, Status
from notifications.services import handover
from notifications.services.rules import QUIET_HOURS_EXEMPT
from notifications.services.sending import notifications_send_batch


def notifications_send_immediate() -> int:
    """Send every answer (QUIET_HOURS_EXEMPT) that is waiting and due; the number
    tried (a refused send is counted, and waits for its retry). Safe beside beat
    and the other send paths: each row is claimed by one conditional UPDATE, and
    a row claimed elsewhere is left alone."""
    handover.kick_note_clear()
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
            handover.enqueue_sends(left_over)
            break
        if len(rows) < size:
            break
    return handled
