"""Factories for the scheduling app: sites, slots and appointments."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import factory
from django.db.models import F
from django.utils import timezone

from scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    Site,
    Slot,
)
from scheduling.references import new_checkin_token, new_reference
from screening.models import Campaign, Consent, ConsentPurpose
from tests.screening.factories import CampaignFactory, ParticipantFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def tomorrow_at(hour: int) -> datetime:
    """Tomorrow in Asia/Shanghai at the given hour, as an aware datetime."""
    tomorrow = timezone.localdate(timezone=SHANGHAI) + timedelta(days=1)
    return datetime.combine(tomorrow, time(hour), tzinfo=SHANGHAI)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SITE{n:03d}")
    name = factory.Sequence(lambda n: f"测试医院{n}")
    address = "焦作市解放区"
    timezone = "Asia/Shanghai"


class SlotFactory(factory.django.DjangoModelFactory):
    """Tomorrow 09:00-10:00 Shanghai time, ten places, none taken."""

    class Meta:
        model = Slot

    campaign = factory.SubFactory(CampaignFactory)
    site = factory.SubFactory(SiteFactory)
    starts_at = factory.LazyFunction(lambda: tomorrow_at(9))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    capacity = 10
    booked = 0


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A booked appointment. The slot's `booked` count is left as it is, so tests
    of capacity set it themselves; the campaign's funded-places counter follows,
    as the booking services keep it."""

    class Meta:
        model = Appointment
        skip_postgeneration_save = True

    participant = factory.SubFactory(ParticipantFactory)
    slot = factory.SubFactory(SlotFactory)
    campaign = factory.LazyAttribute(lambda o: o.slot.campaign)
    status = AppointmentStatus.BOOKED
    reference = factory.LazyFunction(new_reference)
    checkin_token = factory.LazyFunction(new_checkin_token)

    @factory.post_generation
    def places_taken(self, create: bool, extracted: object, **kwargs) -> None:
        if create and self.status in ACTIVE_STATUSES:
            Campaign.objects.filter(pk=self.campaign_id).update(
                places_taken=F("places_taken") + 1
            )


class ConsentedParticipantFactory(ParticipantFactory):
    """A participant who has agreed to the processing of her health data, so the
    eligibility rules let her book (she is a woman of the campaigns' age)."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def consent(self, create: bool, extracted: object, **kwargs) -> None:
        if create:
            Consent.objects.create(
                participant=self, purpose=ConsentPurpose.HEALTH_DATA, text_version="1"
            )
