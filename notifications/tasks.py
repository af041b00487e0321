from celery import shared_task

from notifications.services import (
    SEND_BATCH_TASK,
    SEND_IMMEDIATE_TASK,
    SEND_TASK,
    SEND_TASK_TIME_LIMIT,
    notification_send,
    notifications_dispatch_due,
    notifications_send_batch,
    notifications_send_immediate,
)

SEND_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "time_limit": SEND_TASK_TIME_LIMIT,
    "soft_time_limit": SEND_TASK_TIME_LIMIT - 15,
}


@shared_task(name=SEND_TASK, **SEND_TASK_OPTIONS)
def notification_send_task(notification_id: int) -> None:
    """Send one message. Safe to run twice: the service checks the stored status."""
    notification_send(notification_id=notification_id)


@shared_task(name=SEND_BATCH_TASK, **SEND_TASK_OPTIONS)
def notifications_send_batch_task(notification_ids: list[int]) -> None:
    """Send the messages the dispatcher claimed together; safe to run twice, as
    one send is. What the time budget leaves over goes on as a new task."""
    left_over = notifications_send_batch(notification_ids=notification_ids)
    if left_over:
        notifications_send_batch_task.delay(left_over)


@shared_task(name="notifications.dispatch_due", time_limit=110, soft_time_limit=100)
def notifications_dispatch_due_task() -> None:
    notifications_dispatch_due()


@shared_task(name=SEND_IMMEDIATE_TASK, **SEND_TASK_OPTIONS)
def notifications_send_immediate_task() -> None:
    """Send the answers due at once, however many kicks asked for this run; safe
    to run twice, as one send is."""
    notifications_send_immediate()
