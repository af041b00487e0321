from django.db.models import QuerySet

from screening.models import Campaign, CampaignStatus


def campaign_list_public() -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(status=CampaignStatus.OPEN)
        .prefetch_related("districts")
        .order_by("starts_on", "id")
    )
