"""Celery entry points of the screening app: ids in, one service call."""

from celery import shared_task

from screening.results.imports import (
    RESULT_IMPORT_RUN_TASK,
    SUMMARY_COMPUTE_MANY_TASK,
    result_import_run,
    result_imports_resume_stale,
)
from screening.results.recording import SUMMARY_COMPUTE_TASK
from screening.results.selectors import visits_needing_summary
from screening.results.summaries import summary_compute
from screening.retention import purge_expired

IDEMPOTENT = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(name="screening.purge_expired", time_limit=3600, soft_time_limit=3500)
def purge_expired_task() -> None:
    """The nightly retention run. Safe to run twice: what is done is not redone."""
    purge_expired()


@shared_task(name=SUMMARY_COMPUTE_TASK, time_limit=60, soft_time_limit=50, **IDEMPOTENT)
def summary_compute_task(visit_id: int) -> None:
    """Safe to run twice: an unchanged summary writes nothing and sends nothing."""
    summary_compute(visit_id=visit_id)


@shared_task(
    name=SUMMARY_COMPUTE_MANY_TASK,
    time_limit=300,
    soft_time_limit=280,
    **IDEMPOTENT,
)
def summary_compute_many_task(visit_ids: list[int]) -> None:
    """The visits of one imported batch: one task per few hundred visits keeps
    the broker's queue short after a large import."""
    for visit_id in visit_ids:
        summary_compute(visit_id=visit_id)


@shared_task(
    name=RESULT_IMPORT_RUN_TASK,
    time_limit=1800,
    soft_time_limit=1700,
    **IDEMPOTENT,
)
def result_import_run_task(import_id: int) -> None:
    """Safe to run twice: the run claims the import, and resumes after the last
    committed batch."""
    result_import_run(import_id=import_id)


@shared_task(name="screening.results_sweep", time_limit=110, soft_time_limit=100)
def results_sweep_task() -> None:
    """Pick up what a lost task left behind: summaries and imports."""
    visit_ids = visits_needing_summary()
    if visit_ids:
        summary_compute_many_task.delay(visit_ids)
    result_imports_resume_stale()
