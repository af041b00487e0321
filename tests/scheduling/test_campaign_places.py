"""The campaign's funded-places counter: every path that makes an appointment
active or inactive moves it in the same transaction, so it always equals the
active appointments, and the quota is decided by it."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from scheduling.appointment_places import campaign_places_recount
from scheduling.desk.checkin import appointment_check_in, appointment_check_in_undo
from scheduling.desk.no_show import appointments_mark_no_show
from scheduling.desk.walk_ins import walk_in_register
from scheduling.errors import SlotFull
from scheduling.models import ACTIVE_STATUSES, Appointment
from scheduling.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from screening.errors import NotEligible
from screening.models import Campaign
from screening.privacy import participant_withdraw_consent
from tests.scheduling.desk_support import clinic_user, slot_today
from tests.scheduling.factories import (
    ConsentedParticipantFactory,
    SiteFactory,
    SlotFactory,
    tomorrow_at,
)
from tests.screening.factories import (
    CampaignFactory,
    DistrictFactory,
    newcomer_id_number,
)

pytestmark = pytest.mark.django_db


def places_taken(campaign: Campaign) -> int:
    campaign.refresh_from_db(fields=["places_taken"])
    return campaign.places_taken


def active(campaign: Campaign) -> int:
    return Appointment.objects.filter(
        campaign=campaign, status__in=ACTIVE_STATUSES
    ).count()


def test_booking_takes_a_place_and_cancelling_gives_it_back() -> None:
    slot = SlotFactory(starts_at=tomorrow_at(9))
    campaign = slot.campaign

    appointment = appointment_book(
        participant=ConsentedParticipantFactory(), slot_id=slot.pk
    )
    assert places_taken(campaign) == 1 == active(campaign)

    appointment_cancel(appointment=appointment)
    assert places_taken(campaign) == 0 == active(campaign)

    # A second cancel is a no-op and must not give the place back twice.
    appointment_cancel(appointment=appointment)
    assert places_taken(campaign) == 0


def test_a_move_keeps_her_place_counted_once() -> None:
    first = SlotFactory(starts_at=tomorrow_at(9))
    second = SlotFactory(campaign=first.campaign, starts_at=tomorrow_at(10))
    appointment = appointment_book(
        participant=ConsentedParticipantFactory(), slot_id=first.pk
    )

    appointment_reschedule(appointment=appointment, slot_id=second.pk)

    assert places_taken(first.campaign) == 1 == active(first.campaign)


def test_a_refused_booking_leaves_the_counter_alone() -> None:
    slot = SlotFactory(starts_at=tomorrow_at(9), capacity=1)
    appointment_book(participant=ConsentedParticipantFactory(), slot_id=slot.pk)

    with pytest.raises(SlotFull):
        appointment_book(participant=ConsentedParticipantFactory(), slot_id=slot.pk)

    assert places_taken(slot.campaign) == 1 == active(slot.campaign)


def test_the_last_funded_place_goes_to_one_woman_and_the_next_is_told_why() -> None:
    campaign = CampaignFactory(quota=1)
    slots = [
        SlotFactory(campaign=campaign, starts_at=tomorrow_at(9 + n)) for n in range(2)
    ]
    appointment_book(participant=ConsentedParticipantFactory(), slot_id=slots[0].pk)

    with pytest.raises(NotEligible) as refused:
        appointment_book(participant=ConsentedParticipantFactory(), slot_id=slots[1].pk)

    assert [reason.code for reason in refused.value.reasons] == ["quota_full"]
    assert places_taken(campaign) == 1 == active(campaign)
    slots[1].refresh_from_db()
    assert slots[1].booked == 0


def test_withdrawn_consent_cancels_her_booking_and_frees_the_place() -> None:
    slot = SlotFactory(starts_at=tomorrow_at(9))
    woman = ConsentedParticipantFactory()
    appointment_book(participant=woman, slot_id=slot.pk)

    participant_withdraw_consent(participant=woman)

    assert places_taken(slot.campaign) == 0 == active(slot.campaign)


def test_a_no_show_frees_her_funded_place() -> None:
    slot = SlotFactory(starts_at=tomorrow_at(9))
    appointment_book(participant=ConsentedParticipantFactory(), slot_id=slot.pk)
    later = timezone.now() + timedelta(days=2)

    assert appointments_mark_no_show(now=later) == 1
    assert appointments_mark_no_show(now=later) == 0

    assert places_taken(slot.campaign) == 0 == active(slot.campaign)


# Ten in the morning on the site's clock: the 23:00 slot is still ahead to book
# and is today's to check in, whenever the suite runs.
@time_machine.travel(
    datetime.combine(
        datetime.now(ZoneInfo("Asia/Shanghai")).date(),
        time(10),
        tzinfo=ZoneInfo("Asia/Shanghai"),
    ),
    tick=False,
)
def test_check_in_keeps_the_place_and_undoing_a_walk_in_frees_it() -> None:
    district = DistrictFactory(code="410802")
    campaign = CampaignFactory(districts=[district])
    site = SiteFactory(walk_in_capacity=2)
    slot = slot_today(site=site, campaign=campaign, hour=23)
    desk = clinic_user(site)
    booked = appointment_book(
        participant=ConsentedParticipantFactory(), slot_id=slot.pk
    )

    appointment_check_in(by=desk, reference=booked.reference)
    assert places_taken(campaign) == 1 == active(campaign)

    walk_in = walk_in_register(
        by=desk,
        site=site,
        phone="13900001234",
        full_name="李红",
        id_number=newcomer_id_number(4242),
        employment_type="courier",
        district_code="410802",
        consent=True,
    )
    assert places_taken(campaign) == 2 == active(campaign)

    appointment_check_in_undo(by=desk, appointment_id=walk_in.pk)
    assert places_taken(campaign) == 1 == active(campaign)


def test_a_recount_repairs_a_counter_edited_by_hand() -> None:
    slot = SlotFactory(starts_at=tomorrow_at(9))
    appointment_book(participant=ConsentedParticipantFactory(), slot_id=slot.pk)
    Campaign.objects.filter(pk=slot.campaign_id).update(places_taken=7)

    assert campaign_places_recount(campaign_id=slot.campaign_id) == 1

    assert places_taken(slot.campaign) == 1
