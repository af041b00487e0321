"""After a run: every slot's count equals its active appointments."""

import json

import django

django.setup()

from django.db.models import Count, F, Q  # noqa: E402

from scheduling.models import ACTIVE_STATUSES, Slot  # noqa: E402

if __name__ == "__main__":
    slots = Slot.objects.annotate(
        active=Count("appointments", filter=Q(appointments__status__in=ACTIVE_STATUSES))
    )
    mismatched = slots.exclude(booked=F("active")).count()
    over = slots.filter(booked__gt=F("capacity")).count()
    print(
        json.dumps(
            {"slots": slots.count(), "mismatched": mismatched, "overbooked": over}
        )
    )
