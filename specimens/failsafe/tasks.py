"""Beat entry points of the failsafe. Both are safe to run twice: the sweep
moves each item by conditional updates, the digest is keyed by day."""

from celery import shared_task

from specimens.failsafe.digest import failsafe_digest_send
from specimens.failsafe.services import failsafe_sweep

SWEEP_TASK = "specimens.failsafe_sweep"
DIGEST_TASK = "specimens.failsafe_digest"


@shared_task(name=SWEEP_TASK, ignore_result=True)
def failsafe_sweep_task() -> None:
    """Bring the failsafe list up to date."""
    failsafe_sweep()


@shared_task(name=DIGEST_TASK, ignore_result=True)
def failsafe_digest_task() -> None:
    """Sweep first, so the digest counts this morning's list, then write it."""
    failsafe_sweep()
    failsafe_digest_send()
