"""Celery entry points of the scheduling app: ids in, one service call."""

from celery import shared_task

from scheduling.desk.no_show import appointments_mark_no_show
from scheduling.reports.folding import fold_waiting


@shared_task(
    name="scheduling.appointments_mark_no_show",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=600,
    soft_time_limit=540,
)
def appointments_mark_no_show_task() -> int:
    """The no-show sweep. Safe to run twice or side by side: every row changes by
    a compare-and-swap from `booked`, and its message has a dedupe key."""
    return appointments_mark_no_show()


@shared_task(
    name="scheduling.reports_fold",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=300,
    soft_time_limit=270,
)
def reports_fold_task() -> int:
    """Fold the report counts' deltas on the primary. Safe to run twice or side by
    side: each fold holds its campaign's advisory lock and is one statement."""
    return fold_waiting()
