"""Joining, offers, claims, lapses and leaving, one step at a time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification
from scheduling.errors import AlreadyBooked, CampaignNotFound
from scheduling.models import Slot
from scheduling.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from scheduling.waitlist.errors import (
    AlreadyWaiting,
    EntryNotFound,
    OfferExpired,
    PlacesAvailable,
    SiteNotInCampaign,
)
from scheduling.waitlist.models import EntryStatus, OfferStatus, WaitlistOffer
from scheduling.waitlist.selectors import entry_position
from scheduling.waitlist.services import (
    waitlist_claim,
    waitlist_join,
    waitlist_leave,
    waitlist_sweep,
)
from screening.errors import NotEligible
from screening.models import Campaign
from tests.scheduling.factories import (
    ConsentedParticipantFactory,
    SiteFactory,
    SlotFactory,
)
from tests.screening.factories import ParticipantFactory
from tests.waitlist.support import day_after_tomorrow_at, entry, full_slot, waiting_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_fill_task(monkeypatch):
    """The fill after a commit is the sweep's part here, called directly."""
    monkeypatch.setattr(
        "scheduling.waitlist.offers._fill_later", lambda _campaign_id: None
    )


def offer_of(entry_pk: int) -> WaitlistOffer:
    return WaitlistOffer.objects.get(entry_id=entry_pk, status=OfferStatus.HELD)


def test_joining_a_full_day_puts_her_in_line_in_order():
    slot, _ = full_slot(capacity=1)
    first, second = waiting_for(slot, 2)
    assert entry_position(entry=first) == 1
    assert entry_position(entry=second) == 2


def test_a_woman_waiting_for_any_day_is_in_every_days_line():
    slot, _ = full_slot(capacity=1)
    (anyday,) = waiting_for(slot, 1, any_day=True)
    (today,) = waiting_for(slot, 1)
    assert entry_position(entry=today) == 2
    assert entry_position(entry=anyday) == 1


def test_joining_a_day_with_places_left_is_refused():
    slot = SlotFactory(starts_at=day_after_tomorrow_at(15))
    with pytest.raises(PlacesAvailable):
        waitlist_join(
            participant=ConsentedParticipantFactory(),
            campaign_id=slot.campaign_id,
            site_id=slot.site_id,
            day=None,
        )


def test_joining_twice_is_refused():
    slot, _ = full_slot(capacity=1)
    (waiting,) = waiting_for(slot, 1)
    with pytest.raises(AlreadyWaiting):
        waitlist_join(
            participant=waiting.participant,
            campaign_id=slot.campaign_id,
            site_id=slot.site_id,
            day=None,
        )


def test_a_woman_already_booked_cannot_join():
    slot, booked = full_slot(capacity=1)
    with pytest.raises(AlreadyBooked):
        waitlist_join(
            participant=booked[0].participant,
            campaign_id=slot.campaign_id,
            site_id=slot.site_id,
            day=None,
        )


def test_joining_a_site_without_days_or_an_unknown_campaign_is_refused():
    slot, _ = full_slot(capacity=1)
    woman = ConsentedParticipantFactory()
    with pytest.raises(SiteNotInCampaign):
        waitlist_join(
            participant=woman,
            campaign_id=slot.campaign_id,
            site_id=SiteFactory().pk,
            day=None,
        )
    with pytest.raises(CampaignNotFound):
        waitlist_join(participant=woman, campaign_id=0, site_id=slot.site_id, day=None)


def test_a_woman_without_consent_cannot_join():
    slot, _ = full_slot(capacity=1)
    with pytest.raises(NotEligible):
        waitlist_join(
            participant=ParticipantFactory(),
            campaign_id=slot.campaign_id,
            site_id=slot.site_id,
            day=None,
        )


def test_a_cancellation_offers_the_place_by_message_and_holds_it():
    slot, booked = full_slot(capacity=1)
    (waiting,) = waiting_for(slot, 1)

    appointment_cancel(appointment=booked[0])

    offer = offer_of(waiting.pk)
    assert offer.slot_id == slot.pk
    assert entry(waiting.pk).status == EntryStatus.OFFERED
    message = Notification.objects.get(dedupe_key=f"waitlist-offer:{offer.pk}")
    assert message.kind == "waitlist_offer"
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_a_move_away_offers_the_old_place():
    slot, booked = full_slot(capacity=1)
    (waiting,) = waiting_for(slot, 1)
    other = SlotFactory(
        campaign=slot.campaign, site=slot.site, starts_at=day_after_tomorrow_at(10)
    )

    appointment_reschedule(appointment=booked[0], slot_id=other.pk)

    assert offer_of(waiting.pk).slot_id == slot.pk
    assert Campaign.objects.get(pk=slot.campaign_id).places_taken == 2


def test_claiming_the_held_place_books_it_for_her():
    slot, booked = full_slot(capacity=1)
    (waiting,) = waiting_for(slot, 1)
    appointment_cancel(appointment=booked[0])

    appointment = waitlist_claim(participant=waiting.participant, entry_id=waiting.pk)

    assert appointment.slot_id == slot.pk
    assert entry(waiting.pk).status == EntryStatus.BOOKED
    assert WaitlistOffer.objects.get(entry_id=waiting.pk).status == "claimed"
    assert Slot.objects.get(pk=slot.pk).booked == 1
    assert Campaign.objects.get(pk=slot.campaign_id).places_taken == 1


def test_claiming_twice_books_once():
    slot, booked = full_slot(capacity=1)
    (waiting,) = waiting_for(slot, 1)
    appointment_cancel(appointment=booked[0])
    waitlist_claim(participant=waiting.participant, entry_id=waiting.pk)

    with pytest.raises(AlreadyBooked):
        waitlist_claim(participant=waiting.participant, entry_id=waiting.pk)


def test_someone_elses_entry_cannot_be_claimed():
    slot, booked = full_slot(capacity=1)
    (waiting,) = waiting_for(slot, 1)
    appointment_cancel(appointment=booked[0])
    with pytest.raises(EntryNotFound):
        waitlist_claim(participant=ConsentedParticipantFactory(), entry_id=waiting.pk)


def test_a_lapsed_offer_passes_to_the_next_in_line_when_the_clock_moves():
    slot, booked = full_slot(capacity=1)
    first, second = waiting_for(slot, 2)
    appointment_cancel(appointment=booked[0])
    lapsed = offer_of(first.pk)

    expired = waitlist_sweep(now=lapsed.expires_at + timedelta(minutes=1))

    assert expired == 1
    assert entry(first.pk).status == EntryStatus.LAPSED
    assert offer_of(second.pk).slot_id == slot.pk
    assert Slot.objects.get(pk=slot.pk).booked == 1
    with pytest.raises(OfferExpired):
        waitlist_claim(participant=first.participant, entry_id=first.pk)


def test_the_sweep_run_twice_passes_each_offer_on_once():
    slot, booked = full_slot(capacity=1)
    first, second, third = waiting_for(slot, 3)
    appointment_cancel(appointment=booked[0])
    later = offer_of(first.pk).expires_at + timedelta(minutes=1)

    waitlist_sweep(now=later)
    waitlist_sweep(now=later)

    assert offer_of(second.pk)
    assert entry(third.pk).status == EntryStatus.WAITING
    assert WaitlistOffer.objects.filter(status=OfferStatus.HELD).count() == 1


def test_a_lapsed_offer_with_nobody_left_gives_the_place_back():
    slot, booked = full_slot(capacity=1)
    (waiting,) = waiting_for(slot, 1)
    appointment_cancel(appointment=booked[0])

    waitlist_sweep(now=offer_of(waiting.pk).expires_at + timedelta(minutes=1))

    assert Slot.objects.get(pk=slot.pk).booked == 0
    assert Campaign.objects.get(pk=slot.campaign_id).places_taken == 0


def test_an_offer_not_yet_due_stays_held():
    slot, booked = full_slot(capacity=1)
    (waiting,) = waiting_for(slot, 1)
    appointment_cancel(appointment=booked[0])

    assert waitlist_sweep(now=timezone.now()) == 0
    assert offer_of(waiting.pk)


def test_leaving_with_a_held_place_passes_it_on():
    slot, booked = full_slot(capacity=1)
    first, second = waiting_for(slot, 2)
    appointment_cancel(appointment=booked[0])

    waitlist_leave(participant=first.participant, entry_id=first.pk)

    assert entry(first.pk).status == EntryStatus.LEFT
    assert offer_of(second.pk).slot_id == slot.pk


def test_a_funded_place_given_back_goes_to_a_woman_whose_day_has_room():
    # Every funded place is taken; her day has room in its slot but no funding.
    slot, booked = full_slot(capacity=1, quota=1)
    other_day = SlotFactory(
        campaign=slot.campaign,
        site=slot.site,
        starts_at=day_after_tomorrow_at(15) + timedelta(days=1),
        ends_at=day_after_tomorrow_at(16) + timedelta(days=1),
    )
    woman = ConsentedParticipantFactory()
    waiting = waitlist_join(
        participant=woman,
        campaign_id=slot.campaign_id,
        site_id=slot.site_id,
        day=day_after_tomorrow_at(15).date() + timedelta(days=1),
    )
    appointment_cancel(appointment=booked[0])

    waitlist_sweep()

    assert offer_of(waiting.pk).slot_id == other_day.pk
    assert Slot.objects.get(pk=slot.pk).booked == 0
    assert Campaign.objects.get(pk=slot.campaign_id).places_taken == 1


def test_a_woman_who_booked_meanwhile_is_passed_over():
    slot, booked = full_slot(capacity=1)
    first, second = waiting_for(slot, 2)
    elsewhere = SlotFactory(campaign=slot.campaign, starts_at=day_after_tomorrow_at(9))
    appointment_book(participant=first.participant, slot_id=elsewhere.pk)

    appointment_cancel(appointment=booked[0])

    assert offer_of(second.pk)
    assert entry(first.pk).status == EntryStatus.WAITING
