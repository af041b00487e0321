"""Invariants the database itself enforces, whatever the Python code above it does."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from scheduling.models import AppointmentStatus, Slot, SlotTemplate
from tests.scheduling.factories import AppointmentFactory, SiteFactory, SlotFactory
from tests.screening.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def test_a_slot_cannot_be_booked_beyond_its_capacity():
    slot = SlotFactory(capacity=10)

    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(booked=F("capacity") + 1)


def test_a_slot_can_be_booked_up_to_its_capacity():
    slot = SlotFactory(capacity=10)

    Slot.objects.filter(pk=slot.pk).update(booked=F("capacity"))

    slot.refresh_from_db()
    assert slot.booked == 10
    assert slot.available == 0


def test_a_slot_cannot_have_a_negative_booked_count():
    slot = SlotFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(booked=-1)


def test_a_slot_cannot_end_before_it_starts():
    slot = SlotFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(ends_at=F("starts_at"))


def test_a_site_cannot_have_two_slots_starting_at_the_same_time_in_a_campaign():
    slot = SlotFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        SlotFactory(campaign=slot.campaign, site=slot.site, starts_at=slot.starts_at)


def test_a_slot_template_needs_at_least_one_place():
    slot = SlotFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        SlotTemplate.objects.create(
            campaign=slot.campaign,
            site=slot.site,
            weekday=0,
            start_time=slot.starts_at.time(),
            end_time=slot.ends_at.time(),
            capacity=0,
        )


def test_a_campaign_cannot_end_before_it_starts():
    campaign = CampaignFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        type(campaign).objects.filter(pk=campaign.pk).update(
            ends_on=campaign.starts_on - timedelta(days=1)
        )


@pytest.mark.parametrize(
    "status",
    [
        AppointmentStatus.BOOKED,
        AppointmentStatus.CHECKED_IN,
        AppointmentStatus.SCREENED,
    ],
)
def test_a_participant_cannot_hold_two_active_appointments_in_one_campaign(status):
    first = AppointmentFactory(status=status)
    other_slot = SlotFactory(
        campaign=first.campaign,
        site=first.slot.site,
        starts_at=first.slot.starts_at + timedelta(hours=1),
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(participant=first.participant, slot=other_slot)


@pytest.mark.parametrize(
    "status", [AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW]
)
def test_a_participant_can_book_again_once_her_appointment_is_no_longer_active(
    status,
):
    first = AppointmentFactory(status=status)
    other_slot = SlotFactory(
        campaign=first.campaign,
        site=first.slot.site,
        starts_at=first.slot.starts_at + timedelta(hours=1),
    )

    second = AppointmentFactory(participant=first.participant, slot=other_slot)

    assert second.pk is not None
    assert second.campaign == first.campaign


def test_a_participant_can_hold_one_active_appointment_in_each_of_two_campaigns():
    site = SiteFactory()
    first = AppointmentFactory(slot=SlotFactory(site=site))
    other_campaign_slot = SlotFactory(site=site, starts_at=first.slot.starts_at)

    second = AppointmentFactory(participant=first.participant, slot=other_campaign_slot)

    assert second.campaign != first.campaign
    assert first.participant.appointments.count() == 2
