"""Which slots a site's templates describe for a date range, and which of them
exist already: what `slots_generate` makes, and what the admin's preview shows
before it does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from scheduling.models import Site, Slot, SlotTemplate
from screening.models import Campaign, CampaignStatus

# Longer ranges are generated in parts: a year of slots is already thousands of rows.
MAX_DAYS = 366


@dataclass(frozen=True)
class SlotPlan:
    """The slots one campaign's templates at one site describe in a range."""

    campaign: Campaign
    site: Site
    new: list[Slot]
    existing: list[Slot]


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def slots_wanted(
    *, campaign: Campaign, site: Site, date_from: date, date_to: date
) -> list[Slot]:
    """Unsaved slots for every template occurrence in the range, within the
    campaign's screening days, in the site's own time zone."""
    zone = ZoneInfo(site.timezone)
    templates = list(SlotTemplate.objects.filter(campaign=campaign, site=site))
    first = max(date_from, campaign.starts_on)
    last = min(date_to, campaign.ends_on)
    return [
        Slot(
            campaign=campaign,
            site=site,
            starts_at=datetime.combine(day, template.start_time, tzinfo=zone),
            ends_at=datetime.combine(day, template.end_time, tzinfo=zone),
            capacity=template.capacity,
        )
        for day in (_days(first, last) if first <= last else [])
        for template in sorted(templates, key=lambda t: t.start_time)
        if template.weekday == day.weekday()
    ]


def slots_existing(*, campaign: Campaign, site: Site, wanted: list[Slot]) -> QuerySet:
    """The saved slots that start when one of `wanted` would."""
    return Slot.objects.filter(
        campaign=campaign, site=site, starts_at__in=[s.starts_at for s in wanted]
    ).order_by("starts_at")


def slot_plan(
    *, campaign: Campaign, site: Site, date_from: date, date_to: date
) -> SlotPlan:
    wanted = slots_wanted(
        campaign=campaign, site=site, date_from=date_from, date_to=date_to
    )
    existing = list(slots_existing(campaign=campaign, site=site, wanted=wanted))
    taken = {slot.starts_at for slot in existing}
    new = [slot for slot in wanted if slot.starts_at not in taken]
    return SlotPlan(campaign=campaign, site=site, new=new, existing=existing)


def template_pairs(
    *, site_ids: list[int] | None = None, campaign_ids: list[int] | None = None
) -> list[tuple[Campaign, Site]]:
    """(campaign, site) pairs that have slot templates. From sites, only open
    campaigns (as `generate_slots` without --campaign); from campaigns, every site
    each chosen campaign has templates at, whatever its status."""
    templates = SlotTemplate.objects.select_related("campaign", "site")
    if site_ids is not None:
        templates = templates.filter(
            site_id__in=site_ids, campaign__status=CampaignStatus.OPEN
        )
    if campaign_ids is not None:
        templates = templates.filter(campaign_id__in=campaign_ids)
    pairs = {(t.campaign_id, t.site_id): (t.campaign, t.site) for t in templates}
    return sorted(pairs.values(), key=lambda p: (p[0].name, p[1].code))
