"""The review window of the "result ready" message.

Results entered at a desk are often corrected minutes later (a wrong code
picked, a second test added). The message is therefore written to the outbox to
go out RESULT_REVIEW_MINUTES after the summary changed, not at once; a
correction inside that time cancels the waiting message and writes the new
version's, so she gets one message, not two. Once a message has gone, a later
correction sends a new one: her result did change.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from notifications.models import Notification
from notifications.services import (
    notification_schedule,
    notifications_cancel_pending,
)

RESULT_READY_KIND = "result_ready"
MESSAGE_LANGUAGE = "zh-hans"


def result_review_minutes() -> int:
    return int(getattr(settings, "RESULT_REVIEW_MINUTES", 10))


def review_window() -> timedelta:
    return timedelta(minutes=result_review_minutes())


def result_ready_prefix(visit_id: int) -> str:
    return f"visit:{visit_id}:result-ready:"


def result_ready_hold(
    *,
    visit_id: int,
    version: int,
    phone: str,
    participant_id: int,
    now: datetime | None = None,
) -> Notification:
    """Write the message of summary `version`, due at the end of the review
    window, in the caller's transaction, and cancel the earlier versions' still
    waiting."""
    now = now or timezone.now()
    prefix = result_ready_prefix(visit_id)
    notifications_cancel_pending(dedupe_key_prefix=prefix)
    # The message says only that a result is ready, never what it is.
    return notification_schedule(
        phone=phone,
        kind=RESULT_READY_KIND,
        dedupe_key=f"{prefix}{version}",
        context={},
        send_at=now + review_window(),
        recipient_ref=f"participant:{participant_id}",
        language=MESSAGE_LANGUAGE,
    )


def result_ready_pending(*, visit_id: int) -> Notification | None:
    """The message still waiting for this visit, if any: the desk shows until
    when a correction replaces it."""
    return (
        Notification.objects.filter(
            dedupe_key__startswith=result_ready_prefix(visit_id),
            status__in=["pending", "queued"],
        )
        .order_by("-send_at")
        .first()
    )
