from dataclasses import dataclass

from django.db.models import F, QuerySet, Sum
from django.utils import timezone

from scheduling.models import ACTIVE_STATUSES, Appointment, Site, Slot
from screening.models import Campaign
from screening.selectors import campaign_list_public


@dataclass(frozen=True)
class CampaignOverview:
    campaign: Campaign
    sites: list[Site]
    places_left: int


def site_list_active() -> QuerySet[Site]:
    return Site.objects.filter(is_active=True).order_by("code")


def campaign_places_left(*, campaign: Campaign) -> int:
    """Places she could still book: open slot places, bounded by the funded quota."""
    open_places = (
        Slot.objects.filter(campaign=campaign, starts_at__gt=timezone.now())
        .aggregate(n=Sum(F("capacity") - F("booked")))
        .get("n")
        or 0
    )
    used = Appointment.objects.filter(
        campaign=campaign, status__in=ACTIVE_STATUSES
    ).count()
    return max(0, min(open_places, campaign.quota - used))


def campaign_overviews() -> list[CampaignOverview]:
    campaigns = list(campaign_list_public())
    overviews = []
    for campaign in campaigns:
        sites = list(
            Site.objects.filter(slots__campaign=campaign, is_active=True)
            .distinct()
            .order_by("code")
        )
        overviews.append(
            CampaignOverview(
                campaign=campaign,
                sites=sites,
                places_left=campaign_places_left(campaign=campaign),
            )
        )
    return overviews
