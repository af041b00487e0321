"""Factories for the screening day: stations, and women checked in to them."""

from datetime import datetime

import factory
from django.utils import timezone

from screening.models import Campaign, Participant, Visit
from stations.models import Station, Ticket
from stations.services import ticket_open
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import CampaignFactory, ParticipantFactory


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"检查室{n}")
    tests = factory.LazyFunction(lambda: ["registration"])
    rooms = 1
    service_minutes = 5
    step = 1


def hospital_day(site=None) -> list[Station]:  # type: ignore[no-untyped-def]
    """The launch day's stations (DOMAIN §6.6): registration, then the
    gynaecological exam, breast exam and ultrasound in any order."""
    site = site or SiteFactory()
    return [
        StationFactory(
            site=site,
            name="登记 Registration",
            tests=["registration"],
            rooms=2,
            service_minutes=3,
            step=1,
        ),
        StationFactory(
            site=site,
            name="妇科 Gynaecology",
            tests=["hpv", "cytology"],
            rooms=3,
            service_minutes=8,
            step=2,
            room_names="201,202,203",
        ),
        StationFactory(
            site=site,
            name="乳腺触诊 Breast exam",
            tests=["cbe"],
            rooms=2,
            service_minutes=4,
            step=2,
        ),
        StationFactory(
            site=site,
            name="乳腺超声 Ultrasound",
            tests=["breast_ultrasound"],
            rooms=2,
            service_minutes=7,
            step=2,
            room_names="B超1,B超2",
        ),
    ]


def checked_in(
    site,  # type: ignore[no-untyped-def]
    *,
    participant: Participant | None = None,
    campaign: Campaign | None = None,
    now: datetime | None = None,
    rule: str | None = None,
) -> Ticket:
    """A woman checked in at `site` today: her visit and her ticket."""
    now = now or timezone.now()
    visit = Visit.objects.create(
        campaign=campaign or CampaignFactory(),
        participant=participant or ParticipantFactory(),
        site_id=site.pk,
        site_name=site.name,
        day=timezone.localdate(now),
        checked_in_at=now,
    )
    ticket = ticket_open(visit=visit, now=now, rule=rule)
    assert ticket is not None
    return ticket
