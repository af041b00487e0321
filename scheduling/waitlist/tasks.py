"""Celery entry points of the waitlist: ids in, one service call."""

from celery import shared_task
from django.utils import timezone

from scheduling.waitlist.offers import FILL_TASK, waitlist_fill_campaign
from scheduling.waitlist.services import waitlist_sweep

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "time_limit": 300}


@shared_task(name="waitlist.sweep", **TASK_OPTIONS)
def waitlist_sweep_task() -> int:
    """Lapsed offers pass on, free places go to the line. Safe to run twice:
    offers are claimed with SKIP LOCKED and closed by compare-and-swap."""
    return waitlist_sweep()


@shared_task(name=FILL_TASK, **TASK_OPTIONS)
def waitlist_fill_campaign_task(campaign_id: int) -> int:
    """Free places of one campaign offered to the line. Safe to run twice."""
    return waitlist_fill_campaign(campaign_id=campaign_id, now=timezone.now())
