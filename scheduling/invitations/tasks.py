"""Celery entry points of invitation batches: ids in, one service call."""

from celery import shared_task

from scheduling.invitations.services import batch_send, invitations_sweep

OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "time_limit": 3600}


@shared_task(name="invitations.send_batch", **OPTIONS)
def batch_send_task(batch_id: int) -> int:
    """Safe to run twice: each invitation is sent once (status, dedupe key)."""
    return batch_send(batch_id=batch_id)


@shared_task(name="invitations.sweep", **OPTIONS)
def invitations_sweep_task() -> list[int]:
    """Responders and non-responders marked. Safe to run twice."""
    return list(invitations_sweep())
