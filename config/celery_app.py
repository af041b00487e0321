"""The Celery application. The beat schedule lives here, in code, under review."""

import os
from datetime import timedelta

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_prerun

from config.env import env_int

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("ankang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The failsafe keeps its tasks in its own package inside the specimens app.
app.autodiscover_tasks(["specimens.failsafe"])

# Celery's Django fix-up closes every database connection around every task. A
# send task is a few milliseconds of work and a new PostgreSQL connection costs
# about ten, so a worker keeps its connection for this many tasks instead (the
# fix-up reads only this old-style name). A connection that broke meanwhile is
# closed before the next task: see close_broken_connections.
app.conf.update({"CELERY_DB_REUSE_MAX": 500})


@task_prerun.connect
def close_broken_connections(**kwargs: object) -> None:
    """What Django does for a request with a connection that failed during the
    last one (a database restart): close it, so that this task opens a new one."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if connection.connection is None or not connection.errors_occurred:
            continue
        if connection.is_usable():
            connection.errors_occurred = False
        else:
            connection.close()


def dispatch_schedule(seconds: int) -> crontab | timedelta:
    """At the start of every minute by default; a shorter period when
    OUTBOX_DISPATCH_SECONDS asks for one (tests run beat on a few seconds)."""
    if seconds == 60:
        return crontab(minute="*")
    return timedelta(seconds=seconds)


# Read from the environment here, not from settings: the schedule is built when
# this module is imported, before Django's settings are.
DISPATCH_SECONDS = env_int("OUTBOX_DISPATCH_SECONDS", 60, minimum=1)

app.conf.beat_schedule = {
    # Future messages are outbox rows; this claims the ones that have come due.
    "dispatch-due-notifications": {
        "task": "notifications.dispatch_due",
        "schedule": dispatch_schedule(DISPATCH_SECONDS),
        # A run that waited longer than the period is superseded by the next.
        "options": {"expires": max(5, min(55, DISPATCH_SECONDS - 5))},
    },
    # Booked appointments whose slot ended a while ago become no-shows.
    "mark-no-shows": {
        "task": "scheduling.appointments_mark_no_show",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    # The report counts' deltas folded on the primary: a reports replica reads
    # without folding (common.report_reads).
    "fold-report-counts": {
        "task": "scheduling.reports_fold",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    # The indicator facts of women whose records changed, so that a report's
    # own fold before it reads stays short.
    "fold-indicator-facts": {
        "task": "indicators.facts_fold",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    # Summaries and lab imports whose task was lost with the broker.
    "results-sweep": {
        "task": "screening.results_sweep",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    # Offers of held places that lapsed pass on; free places go to the line.
    "waitlist-sweep": {
        "task": "waitlist.sweep",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    # Invited women who booked, and those who never answered.
    "invitations-sweep": {
        "task": "invitations.sweep",
        "schedule": crontab(minute=15),
        "options": {"expires": 50 * 60},
    },
    # The retention schedule (SPEC §4a): quiet hours, Asia/Shanghai.
    "purge-expired": {
        "task": "screening.purge_expired",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 3 * 60 * 60},
    },
    # Overdue tubes onto the failsafe list, up a tier, lost ones recalled.
    "failsafe-sweep": {
        "task": "specimens.failsafe_sweep",
        "schedule": crontab(minute=7),
        "options": {"expires": 50 * 60},
    },
    # The clinic lead's digest, each morning in Asia/Shanghai (keyed by day).
    "failsafe-digest": {
        "task": "specimens.failsafe_digest",
        "schedule": crontab(hour=8, minute=0),
        "options": {"expires": 2 * 60 * 60},
    },
}
