from celery import shared_task

from notifications.services import notification_send, notifications_dispatch_due

SEND_TASK_OPTIONS = {
    "name": "notifications.send",
    "acks_late": True,
    "reject_on_worker_lost": True,
    "time_limit": 60,
    "soft_time_limit": 45,
}


@shared_task(**SEND_TASK_OPTIONS)
def notification_send_task(notification_id: int) -> None:
    """Send one message. Safe to run twice: the service checks the stored status."""
    notification_send(notification_id=notification_id)


@shared_task(name="notifications.dispatch_due", time_limit=110, soft_time_limit=100)
def notifications_dispatch_due_task() -> None:
    notifications_dispatch_due()
