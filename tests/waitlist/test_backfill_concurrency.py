"""Places given back at once, with real threads on real PostgreSQL connections."""

import pytest

from scheduling.errors import AlreadyBooked, SlotFull
from scheduling.models import ACTIVE_STATUSES, Appointment, Slot
from scheduling.services import appointment_book, appointment_cancel
from scheduling.waitlist.models import (
    EntryStatus,
    OfferStatus,
    WaitlistEntry,
    WaitlistOffer,
)
from scheduling.waitlist.services import waitlist_claim
from screening.models import Campaign
from tests.scheduling.factories import ConsentedParticipantFactory
from tests.scheduling.test_concurrency import at_once
from tests.waitlist.support import full_slot, waiting_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """Messages are enqueued on commit; the broker is not under test here."""
    monkeypatch.setattr(
        "notifications.services.handover.enqueue_send", lambda _pk: None
    )
    monkeypatch.setattr(
        "scheduling.waitlist.offers._fill_later", lambda _campaign_id: None
    )


def test_ten_places_given_back_at_once_make_exactly_ten_offers_to_ten_women():
    slot, booked = full_slot(capacity=10)
    entries = waiting_for(slot, 50)

    results = at_once([lambda a=a: appointment_cancel(appointment=a) for a in booked])

    assert all(isinstance(r, Appointment) for r in results)
    held = WaitlistOffer.objects.filter(status=OfferStatus.HELD)
    assert held.count() == 10
    assert held.values("entry").distinct().count() == 10
    # The first ten in line, whatever order the cancellations committed in.
    assert {o.entry_id for o in held} == {e.pk for e in entries[:10]}
    slot.refresh_from_db()
    assert slot.booked == slot.capacity == 10
    assert Campaign.objects.get(pk=slot.campaign_id).places_taken == 10
    assert WaitlistEntry.objects.filter(status=EntryStatus.WAITING).count() == 40


def test_a_held_place_cannot_be_booked_by_anyone_else():
    slot, booked = full_slot(capacity=2)
    waiting_for(slot, 1)
    appointment_cancel(appointment=booked[0])
    stranger = ConsentedParticipantFactory()

    with pytest.raises(SlotFull):
        appointment_book(participant=stranger, slot_id=slot.pk)

    slot.refresh_from_db()
    assert slot.booked == 2


def test_an_offer_claimed_twice_at_once_books_once():
    slot, booked = full_slot(capacity=1)
    (waiting,) = waiting_for(slot, 1)
    appointment_cancel(appointment=booked[0])
    woman = waiting.participant

    results = at_once(
        [lambda: waitlist_claim(participant=woman, entry_id=waiting.pk)] * 2
    )

    made = [r for r in results if isinstance(r, Appointment)]
    assert len(made) == 1
    assert isinstance(next(r for r in results if r not in made), AlreadyBooked)
    assert (
        Appointment.objects.filter(
            participant=woman, status__in=ACTIVE_STATUSES
        ).count()
        == 1
    )
    assert Slot.objects.get(pk=slot.pk).booked == 1
    assert Campaign.objects.get(pk=slot.campaign_id).places_taken == 1


def test_claims_and_cancellations_crossing_never_overbook():
    slot, booked = full_slot(capacity=10)
    entries = waiting_for(slot, 20)
    for appointment in booked[:5]:
        appointment_cancel(appointment=appointment)
    claims = [
        lambda e=e: waitlist_claim(participant=e.participant, entry_id=e.pk)
        for e in entries[:5]
    ]
    cancels = [lambda a=a: appointment_cancel(appointment=a) for a in booked[5:]]

    at_once(claims + cancels)

    slot.refresh_from_db()
    active = Appointment.objects.filter(slot=slot, status__in=ACTIVE_STATUSES).count()
    held = WaitlistOffer.objects.filter(status=OfferStatus.HELD).count()
    assert active == 5
    assert held == 5
    assert slot.booked == active + held == 10
    assert Campaign.objects.get(pk=slot.campaign_id).places_taken == 10
