"""Writes to the outbox: scheduling, claiming, sending and cancelling messages.

Every message is a row; Celery only carries row ids (ADR 0003). A row moves
pending → queued (claimed by the dispatcher) → sending (claimed by one send) →
sent → delivered, or ends failed, skipped or cancelled. Each move is one
conditional UPDATE, so two processes can never both take the same step.

| module       | holds                                                        |
|--------------|--------------------------------------------------------------|
| `outbox`     | writing rows (quiet hours, the visit window), cancels, retry |
| `bulk`       | many recipients' rows in few INSERTs, known keys skipped     |
| `dispatch`   | beat's claim of due rows, the daily limit per phone          |
| `reclaim`    | rows whose task never ran or whose send never finished       |
| `immediate`  | the answers due at once, many to one task (ADR 0008)         |
| `sending`    | the claim, the gateway call and the outcome of each send     |
| `statements` | the send path's SQL, written out                             |
| `handover`   | the hand-over to Celery, by task name                        |
| `rules`      | attempts, backoff, the kinds that go at once, time limits    |

Callers import from here; the names below are the package's whole surface.
"""

from notifications.services.bulk import Addressed, notifications_schedule_bulk
from notifications.services.dispatch import notifications_dispatch_due
from notifications.services.handover import (
    IMMEDIATE_KICK_KEY,
    SEND_BATCH_TASK,
    SEND_IMMEDIATE_TASK,
    SEND_TASK,
    notifications_kick_immediate,
)
from notifications.services.immediate import notifications_send_immediate
from notifications.services.outbox import (
    Scheduled,
    notification_retry,
    notification_schedule,
    notifications_cancel_for_recipient,
    notifications_cancel_pending,
    notifications_new,
    notifications_schedule_new,
    notifications_written,
)
from notifications.services.rules import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_JITTER,
    COUNTED_STATUSES,
    MAX_ATTEMPTS,
    NOT_COUNTED_PER_PHONE,
    QUIET_HOURS_EXEMPT,
    RECLAIM_QUERY_LIMIT,
    REMINDER_KINDS,
    SEND_BATCH_BUDGET_SECONDS,
    SEND_TASK_TIME_LIMIT,
    UNCERTAIN_GIVE_UP_AFTER,
    WAITING,
    SkipReason,
    backoff,
)
from notifications.services.sending import (
    AUTHORITATIVE_CLAIM_GROUP,
    notification_send,
    notifications_send_batch,
)

__all__ = [
    "AUTHORITATIVE_CLAIM_GROUP",
    "BACKOFF_BASE_SECONDS",
    "BACKOFF_JITTER",
    "COUNTED_STATUSES",
    "IMMEDIATE_KICK_KEY",
    "MAX_ATTEMPTS",
    "NOT_COUNTED_PER_PHONE",
    "QUIET_HOURS_EXEMPT",
    "RECLAIM_QUERY_LIMIT",
    "REMINDER_KINDS",
    "SEND_BATCH_BUDGET_SECONDS",
    "SEND_BATCH_TASK",
    "SEND_IMMEDIATE_TASK",
    "SEND_TASK",
    "SEND_TASK_TIME_LIMIT",
    "UNCERTAIN_GIVE_UP_AFTER",
    "WAITING",
    "Addressed",
    "Scheduled",
    "SkipReason",
    "backoff",
    "notification_retry",
    "notification_schedule",
    "notification_send",
    "notifications_cancel_for_recipient",
    "notifications_cancel_pending",
    "notifications_dispatch_due",
    "notifications_kick_immediate",
    "notifications_new",
    "notifications_schedule_bulk",
    "notifications_schedule_new",
    "notifications_send_batch",
    "notifications_send_immediate",
    "notifications_written",
]
