"""After a run: every slot's count and every campaign's funded-places counter
equal their active appointments, and none is over its limit.

It needs the servers and data of `bench/run`: from a clean clone, `make bench`
runs it at full size, and `bench/run --smoke` (in `make test`) at a tiny one.
"""

import json
import os
from pathlib import Path

import django

django.setup()

from django.db.models import Count, F, OuterRef, Q, Subquery  # noqa: E402
from django.db.models.functions import Coalesce  # noqa: E402

from scheduling.models import ACTIVE_STATUSES, Appointment, Slot  # noqa: E402
from screening.models import Campaign  # noqa: E402

# bench/run points BENCH_DATA elsewhere for its smoke run.
DATA = Path(
    os.environ.get("BENCH_DATA")
    or Path(__file__).resolve().parents[1] / "var" / "bench"
)

if __name__ == "__main__":
    slots = Slot.objects.annotate(
        active=Count("appointments", filter=Q(appointments__status__in=ACTIVE_STATUSES))
    )
    active_in_campaign = (
        Appointment.objects.filter(campaign=OuterRef("pk"), status__in=ACTIVE_STATUSES)
        .order_by()
        .values("campaign")
        .annotate(n=Count("id"))
        .values("n")
    )
    # The ceiling's bookings write only the slot and the appointment, by design.
    manifest = json.loads((DATA / "manifest.json").read_text())
    campaigns = Campaign.objects.exclude(pk=manifest["ceiling_campaign"]).annotate(
        active=Coalesce(Subquery(active_in_campaign), 0)
    )
    mismatched = slots.exclude(booked=F("active")).count()
    mismatched += campaigns.exclude(places_taken=F("active")).count()
    over = slots.filter(booked__gt=F("capacity")).count()
    over += campaigns.filter(places_taken__gt=F("quota")).count()
    print(
        json.dumps(
            {"slots": slots.count(), "mismatched": mismatched, "overbooked": over}
        )
    )
