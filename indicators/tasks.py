"""Celery entry points of the indicators app: one service call each."""

from celery import shared_task

from indicators.facts import fold_if_installed


@shared_task(
    name="indicators.facts_fold",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=300,
    soft_time_limit=270,
)
def facts_fold_task() -> int:
    """Refresh the report facts of the women changed since the last fold, so a
    report's own fold is short. Safe to run twice or side by side: folds take
    one advisory lock, and a woman taken twice is recomputed twice, the same."""
    return fold_if_installed()
