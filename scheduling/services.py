"""Writes of the scheduling app."""

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from scheduling.models import Site, Slot, SlotTemplate
from screening.models import Campaign

logger = logging.getLogger(__name__)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


@transaction.atomic
def slots_generate(
    *, campaign: Campaign, site: Site, date_from: date, date_to: date
) -> list[Slot]:
    """Create the slots the site's templates describe in a date range, within the
    campaign's screening days. Existing slots are kept as they are, so running it
    twice creates nothing more. Returns the slots it created."""
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    zone = ZoneInfo(site.timezone)
    templates = list(SlotTemplate.objects.filter(campaign=campaign, site=site))
    first = max(date_from, campaign.starts_on)
    last = min(date_to, campaign.ends_on)
    wanted = [
        Slot(
            campaign=campaign,
            site=site,
            starts_at=datetime.combine(day, template.start_time, tzinfo=zone),
            ends_at=datetime.combine(day, template.end_time, tzinfo=zone),
            capacity=template.capacity,
        )
        for day in (_days(first, last) if first <= last else [])
        for template in templates
        if template.weekday == day.weekday()
    ]
    existing = set(
        Slot.objects.filter(
            campaign=campaign,
            site=site,
            starts_at__in=[slot.starts_at for slot in wanted],
        ).values_list("starts_at", flat=True)
    )
    new = [slot for slot in wanted if slot.starts_at not in existing]
    # ignore_conflicts covers a concurrent run racing this one on the unique key.
    Slot.objects.bulk_create(new, ignore_conflicts=True)
    logger.info(
        "scheduling.slots_generated site=%s campaign=%s count=%s",
        site.pk,
        campaign.pk,
        len(new),
    )
    return new
