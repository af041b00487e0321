"""Fill the campaigns' places_taken counter from the appointments that exist."""

from django.db import migrations
from django.db.models import Count, Q

ACTIVE = ("booked", "checked_in", "screened")


def count_places(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    Campaign = apps.get_model("screening", "Campaign")
    Appointment = apps.get_model("scheduling", "Appointment")
    counts = dict(
        Appointment.objects.filter(status__in=ACTIVE)
        .values_list("campaign_id")
        .annotate(n=Count("id", filter=Q(status__in=ACTIVE)))
    )
    for campaign in Campaign.objects.only("id"):
        Campaign.objects.filter(pk=campaign.pk).update(
            places_taken=counts.get(campaign.pk, 0)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0004_turnout_rollup"),
        ("screening", "0008_campaign_places_taken"),
    ]

    operations = [
        migrations.RunPython(count_places, migrations.RunPython.noop),
    ]
