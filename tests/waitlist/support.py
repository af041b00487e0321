"""Shared set-up of the waitlist tests: a day that is full, and women waiting."""

from datetime import timedelta

from scheduling.models import Slot
from scheduling.services import appointment_book
from scheduling.waitlist.models import WaitlistEntry
from scheduling.waitlist.services import waitlist_join
from tests.scheduling.factories import (
    ConsentedParticipantFactory,
    SlotFactory,
    tomorrow_at,
)


def day_after_tomorrow_at(hour: int):
    """Far enough ahead that an offer made at any hour, quiet or not, fits."""
    return tomorrow_at(hour) + timedelta(days=1)


def full_slot(*, capacity: int = 10, quota: int = 1000) -> tuple[Slot, list]:
    """A slot the day after tomorrow, every place booked; returns the bookings."""
    slot = SlotFactory(
        capacity=capacity,
        campaign__quota=quota,
        starts_at=day_after_tomorrow_at(15),
        ends_at=day_after_tomorrow_at(16),
    )
    booked = [
        appointment_book(participant=woman, slot_id=slot.pk)
        for woman in ConsentedParticipantFactory.create_batch(capacity)
    ]
    slot.refresh_from_db()
    return slot, booked


def waiting_for(slot: Slot, count: int, *, any_day: bool = False) -> list:
    day = None if any_day else day_after_tomorrow_at(15).date()
    return [
        waitlist_join(
            participant=woman,
            campaign_id=slot.campaign_id,
            site_id=slot.site_id,
            day=day,
        )
        for woman in ConsentedParticipantFactory.create_batch(count)
    ]


def entry(pk: int) -> WaitlistEntry:
    return WaitlistEntry.objects.get(pk=pk)
