"""The Celery application. The beat schedule lives here, in code, under review."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("ankang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Future messages are outbox rows; this claims the ones that have come due.
    "dispatch-due-notifications": {
        "task": "notifications.dispatch_due",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
}
