"""The factories build rows the product code itself would accept."""

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone

from common.crypto import keyed_hash
from scheduling.references import REFERENCE_ALPHABET, REFERENCE_LENGTH
from screening.idcard import age_on, parse_id_number
from screening.phone import normalise_phone
from tests.accounts.factories import STAFF_PASSWORD, UserFactory
from tests.notifications.factories import NotificationFactory
from tests.scheduling.factories import AppointmentFactory, SlotFactory
from tests.screening.factories import (
    CampaignFactory,
    ParticipantFactory,
    female_id_number,
)

pytestmark = pytest.mark.django_db


def test_participants_get_valid_distinct_id_numbers_of_women():
    participants = ParticipantFactory.create_batch(3)

    parsed = [parse_id_number(p.id_number) for p in participants]
    assert [p.sex for p in parsed] == ["F", "F", "F"]
    assert [p.birth_date for p in parsed] == [p.birth_date for p in participants]
    assert len({p.id_number for p in participants}) == 3


def test_id_numbers_stay_valid_and_distinct_far_into_the_sequence():
    numbers = [female_id_number(n) for n in range(0, 40_000, 97)]

    assert len(set(numbers)) == len(numbers)
    assert {parse_id_number(number).sex for number in numbers} == {"F"}


def test_participants_get_distinct_mobile_numbers_and_matching_hashes():
    first, second = ParticipantFactory.create_batch(2)

    assert normalise_phone(first.phone) == first.phone
    assert first.phone != second.phone
    assert first.phone_hash == keyed_hash(first.phone, purpose="phone")
    assert first.id_hash == keyed_hash(first.id_number, purpose="id")


def test_a_participant_is_of_age_for_the_default_campaign():
    campaign = CampaignFactory()
    participant = ParticipantFactory()

    age = age_on(participant.birth_date, campaign.age_on)

    assert campaign.min_age <= age <= campaign.max_age
    assert campaign.registration_open


def test_a_slot_is_tomorrow_from_nine_to_ten_in_shanghai():
    slot = SlotFactory()

    starts = timezone.localtime(slot.starts_at, ZoneInfo("Asia/Shanghai"))
    ends = timezone.localtime(slot.ends_at, ZoneInfo("Asia/Shanghai"))
    tomorrow = timezone.localdate(timezone=ZoneInfo("Asia/Shanghai")) + timedelta(1)
    assert (starts.date(), starts.time(), ends.time()) == (tomorrow, time(9), time(10))
    assert (slot.capacity, slot.booked) == (10, 0)


def test_an_appointment_belongs_to_its_slots_campaign_and_has_a_readable_reference():
    appointment = AppointmentFactory()

    assert appointment.campaign == appointment.slot.campaign
    assert len(appointment.reference) == REFERENCE_LENGTH
    assert set(appointment.reference) <= set(REFERENCE_ALPHABET)
    assert len(appointment.checkin_token) >= 32


def test_a_staff_account_signs_in_with_the_factory_password():
    user = UserFactory(role="union")

    assert authenticate(username=user.username, password=STAFF_PASSWORD) == user
    assert user.is_union


def test_a_notification_is_due_now_with_a_matching_phone_hash():
    notification = NotificationFactory()

    assert notification.send_at <= timezone.now()
    assert notification.recipient_hash == keyed_hash(
        notification.recipient_phone, purpose="phone"
    )
