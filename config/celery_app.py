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
    # Booked appointments whose slot ended a while ago become no-shows.
    "mark-no-shows": {
        "task": "scheduling.appointments_mark_no_show",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    # Summaries and lab imports whose task was lost with the broker.
    "results-sweep": {
        "task": "screening.results_sweep",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    # The retention schedule (SPEC §4a): quiet hours, Asia/Shanghai.
    "purge-expired": {
        "task": "screening.purge_expired",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 3 * 60 * 60},
    },
}
