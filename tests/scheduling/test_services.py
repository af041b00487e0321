"""Booking, cancelling and moving: places, errors and the messages they queue."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from common.models import AuditEvent
from notifications.models import Notification, Status
from scheduling.errors import (
    AlreadyBooked,
    NotCancellable,
    NotReschedulable,
    SameSlot,
    SlotClosed,
    SlotFull,
    SlotNotFound,
    WrongCampaign,
)
from scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus, Slot
from scheduling.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from screening.errors import NotEligible
from screening.models import CampaignStatus, Consent
from tests.accounts.factories import UserFactory
from tests.scheduling.factories import (
    ConsentedParticipantFactory,
    SlotFactory,
)
from tests.screening.factories import CampaignFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in March 2026, Shanghai."""
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def rows(appointment: Appointment) -> dict[str, Notification]:
    return {
        n.dedupe_key.split(":", 4)[4]: n
        for n in Notification.objects.filter(
            dedupe_key__startswith=f"appointment:{appointment.pk}:slot:"
        )
    }


def pending(appointment: Appointment) -> list[str]:
    return sorted(
        Notification.objects.filter(
            dedupe_key__startswith=f"appointment:{appointment.pk}:",
            status=Status.PENDING,
        ).values_list("kind", flat=True)
    )


@pytest.fixture
def slot() -> Slot:
    return SlotFactory(capacity=10)


@pytest.fixture
def participant():
    return ConsentedParticipantFactory()


# --- booking ---------------------------------------------------------------------


def test_booking_takes_one_place_and_makes_a_booked_appointment(slot, participant):
    appointment = appointment_book(participant=participant, slot_id=slot.pk)

    slot.refresh_from_db()
    assert slot.booked == 1
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.campaign_id == slot.campaign_id
    assert len(appointment.reference) == 8
    assert len(appointment.checkin_token) >= 40


def test_booking_an_unknown_slot_is_slot_not_found(participant):
    with pytest.raises(SlotNotFound):
        appointment_book(participant=participant, slot_id=999_999)


def test_booking_a_slot_that_has_begun_is_slot_closed(participant):
    now = timezone.now()
    slot = SlotFactory(starts_at=now - timedelta(minutes=1))

    with pytest.raises(SlotClosed):
        appointment_book(participant=participant, slot_id=slot.pk)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("status", [CampaignStatus.CLOSED, CampaignStatus.DRAFT])
def test_booking_in_a_campaign_that_is_not_open_is_slot_closed(participant, status):
    slot = SlotFactory(campaign=CampaignFactory(status=status))

    with pytest.raises(SlotClosed):
        appointment_book(participant=participant, slot_id=slot.pk)


def test_booking_after_registration_closes_is_slot_closed(participant):
    campaign = CampaignFactory(registration_closes_at=timezone.now())
    slot = SlotFactory(campaign=campaign)

    with pytest.raises(SlotClosed):
        appointment_book(participant=participant, slot_id=slot.pk)


def test_booking_a_full_slot_is_slot_full_and_writes_nothing(participant):
    slot = SlotFactory(capacity=2, booked=2)

    with pytest.raises(SlotFull):
        appointment_book(participant=participant, slot_id=slot.pk)

    slot.refresh_from_db()
    assert slot.booked == 2
    assert not Appointment.objects.exists()
    assert not Notification.objects.exists()


def test_booking_twice_in_a_campaign_is_already_booked_and_keeps_the_place(
    participant,
):
    first = SlotFactory()
    second = SlotFactory(campaign=first.campaign, starts_at=first.ends_at)
    appointment_book(participant=participant, slot_id=first.pk)

    with pytest.raises(AlreadyBooked):
        appointment_book(participant=participant, slot_id=second.pk)

    second.refresh_from_db()
    assert second.booked == 0


def test_booking_without_consent_is_not_eligible_with_reasons(slot, participant):
    Consent.objects.filter(participant=participant).delete()

    with pytest.raises(NotEligible) as refused:
        appointment_book(participant=participant, slot_id=slot.pk)

    assert refused.value.status == 403
    assert refused.value.code == "not_eligible"
    assert "no_consent" in [r.code for r in refused.value.reasons]
    slot.refresh_from_db()
    assert slot.booked == 0


def test_booking_past_the_funded_quota_is_not_eligible():
    campaign = CampaignFactory(quota=1)
    slot = SlotFactory(campaign=campaign)
    appointment_book(participant=ConsentedParticipantFactory(), slot_id=slot.pk)

    with pytest.raises(NotEligible) as refused:
        appointment_book(participant=ConsentedParticipantFactory(), slot_id=slot.pk)

    assert [r.code for r in refused.value.reasons] == ["quota_full"]
    slot.refresh_from_db()
    assert slot.booked == 1


def test_a_cancelled_booking_frees_its_funded_place():
    campaign = CampaignFactory(quota=1)
    slot = SlotFactory(campaign=campaign)
    first = appointment_book(participant=ConsentedParticipantFactory(), slot_id=slot.pk)
    appointment_cancel(appointment=first)

    appointment_book(participant=ConsentedParticipantFactory(), slot_id=slot.pk)

    assert Appointment.objects.filter(status__in=ACTIVE_STATUSES).count() == 1


# --- messages --------------------------------------------------------------------


def test_booking_queues_a_confirmation_and_two_reminders_at_site_local_times():
    with time_machine.travel(at(10, 10), tick=False):
        slot = SlotFactory(starts_at=at(12, 9), ends_at=at(12, 10))
        appointment = appointment_book(
            participant=ConsentedParticipantFactory(), slot_id=slot.pk
        )

    queued = rows(appointment)
    assert sorted(queued) == [
        "confirmed",
        "reminder-0d",
        "reminder-1d",
    ]
    confirmed = queued["confirmed"]
    assert confirmed.kind == "booking_confirmed"
    assert confirmed.send_at == at(10, 10)
    assert confirmed.context == {
        "date": "3月12日",
        "time": "09:00",
        "site": slot.site.name,
        "reference": appointment.reference,
    }
    assert confirmed.recipient_phone == appointment.participant.phone
    assert confirmed.recipient_ref == f"participant:{appointment.participant_id}"
    assert queued["reminder-1d"].kind == "reminder_day_before"
    assert queued["reminder-1d"].send_at == at(11, 18)
    assert queued["reminder-0d"].kind == "reminder_same_day"
    # 07:30 is inside quiet hours (21:00-08:00): it goes at their end (ADR 0005).
    assert queued["reminder-0d"].send_at == at(12, 8)


def test_reminder_times_follow_the_sites_zone_not_the_servers():
    with time_machine.travel(at(10, 10), tick=False):
        urumqi = ZoneInfo("Asia/Urumqi")
        slot = SlotFactory(
            site__timezone="Asia/Urumqi",
            starts_at=datetime(2026, 3, 12, 10, tzinfo=urumqi),
            ends_at=datetime(2026, 3, 12, 11, tzinfo=urumqi),
        )
        appointment = appointment_book(
            participant=ConsentedParticipantFactory(), slot_id=slot.pk
        )

    queued = rows(appointment)
    assert queued["reminder-1d"].send_at == datetime(2026, 3, 11, 18, tzinfo=urumqi)
    assert queued["reminder-0d"].send_at == datetime(2026, 3, 12, 8, tzinfo=urumqi)


def test_booking_the_evening_before_skips_the_reminder_already_past():
    with time_machine.travel(at(11, 20), tick=False):
        slot = SlotFactory(starts_at=at(12, 9), ends_at=at(12, 10))
        appointment = appointment_book(
            participant=ConsentedParticipantFactory(), slot_id=slot.pk
        )

    assert sorted(rows(appointment)) == [
        "confirmed",
        "reminder-0d",
    ]


def test_a_morning_reminder_within_the_last_hour_before_the_visit_is_skipped():
    with time_machine.travel(at(10, 10), tick=False):
        slot = SlotFactory(starts_at=at(12, 8), ends_at=at(12, 9))
        appointment = appointment_book(
            participant=ConsentedParticipantFactory(), slot_id=slot.pk
        )

    assert sorted(rows(appointment)) == [
        "confirmed",
        "reminder-1d",
    ]


def test_booking_the_same_morning_queues_only_the_confirmation():
    with time_machine.travel(at(12, 8), tick=False):
        slot = SlotFactory(starts_at=at(12, 14), ends_at=at(12, 15))
        appointment = appointment_book(
            participant=ConsentedParticipantFactory(), slot_id=slot.pk
        )

    assert sorted(rows(appointment)) == ["confirmed"]


def test_a_woman_who_turned_reminders_off_gets_the_confirmation_only(slot):
    participant = ConsentedParticipantFactory(sms_reminders=False)

    appointment = appointment_book(participant=participant, slot_id=slot.pk)

    assert [n.kind for n in rows(appointment).values()] == ["booking_confirmed"]


def test_the_confirmation_is_enqueued_on_commit(
    slot, participant, django_capture_on_commit_callbacks, monkeypatch
):
    sent: list[int] = []
    monkeypatch.setattr("notifications.services.handover.enqueue_send", sent.append)

    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_book(participant=participant, slot_id=slot.pk)

    confirmed = Notification.objects.get(kind="booking_confirmed")
    assert sent == [confirmed.pk]
    assert confirmed.dedupe_key == (
        f"appointment:{appointment.pk}:slot:{slot.pk}:confirmed"
    )


# --- cancelling ------------------------------------------------------------------


def test_cancelling_gives_the_place_back_at_once(slot, participant):
    appointment = appointment_book(participant=participant, slot_id=slot.pk)

    cancelled = appointment_cancel(appointment=appointment)

    slot.refresh_from_db()
    assert slot.booked == 0
    assert cancelled.status == AppointmentStatus.CANCELLED
    assert cancelled.cancelled_at is not None


def test_cancelling_cancels_the_pending_messages_and_queues_a_cancellation(
    slot, participant
):
    appointment = appointment_book(participant=participant, slot_id=slot.pk)

    appointment_cancel(appointment=appointment)

    assert pending(appointment) == ["cancelled"]
    assert set(
        Notification.objects.filter(
            dedupe_key__startswith=f"appointment:{appointment.pk}:slot:"
        ).values_list("status", flat=True)
    ) == {Status.CANCELLED}


def test_cancelling_twice_is_harmless(slot, participant):
    appointment = appointment_book(participant=participant, slot_id=slot.pk)
    appointment_cancel(appointment=appointment)

    again = appointment_cancel(appointment=appointment)

    slot.refresh_from_db()
    assert again.status == AppointmentStatus.CANCELLED
    assert slot.booked == 0
    assert Notification.objects.filter(kind="cancelled").count() == 1


@pytest.mark.parametrize(
    "status",
    [
        AppointmentStatus.CHECKED_IN,
        AppointmentStatus.SCREENED,
        AppointmentStatus.NO_SHOW,
    ],
)
def test_cancelling_after_the_desk_has_seen_her_is_not_cancellable(
    slot, participant, status
):
    appointment = appointment_book(participant=participant, slot_id=slot.pk)
    Appointment.objects.filter(pk=appointment.pk).update(status=status)

    with pytest.raises(NotCancellable):
        appointment_cancel(appointment=appointment)

    slot.refresh_from_db()
    assert slot.booked == 1


# --- moving ----------------------------------------------------------------------


def test_moving_takes_the_new_place_and_frees_the_old_one(slot, participant):
    other = SlotFactory(campaign=slot.campaign, starts_at=slot.ends_at)
    appointment = appointment_book(participant=participant, slot_id=slot.pk)

    moved = appointment_reschedule(appointment=appointment, slot_id=other.pk)

    slot.refresh_from_db()
    other.refresh_from_db()
    assert (slot.booked, other.booked) == (0, 1)
    assert moved.slot_id == other.pk
    assert moved.status == AppointmentStatus.BOOKED
    assert moved.reference == appointment.reference


def test_moving_replaces_the_old_messages_with_the_new_times():
    with time_machine.travel(at(10, 10), tick=False):
        slot = SlotFactory(starts_at=at(12, 9), ends_at=at(12, 10))
        other = SlotFactory(
            campaign=slot.campaign,
            site=slot.site,
            starts_at=at(13, 14),
            ends_at=at(13, 15),
        )
        appointment = appointment_book(
            participant=ConsentedParticipantFactory(), slot_id=slot.pk
        )
        appointment_reschedule(appointment=appointment, slot_id=other.pk)

    live = Notification.objects.filter(
        dedupe_key__startswith=f"appointment:{appointment.pk}:", status=Status.PENDING
    )
    assert {n.kind: n.send_at for n in live} == {
        "rescheduled": at(10, 10),
        "reminder_day_before": at(12, 18),
        "reminder_same_day": at(13, 8),
    }
    assert {n.dedupe_key.split(":")[3] for n in live} == {str(other.pk)}
    assert not Notification.objects.filter(
        dedupe_key__startswith=f"appointment:{appointment.pk}:slot:{slot.pk}:",
        status=Status.PENDING,
    ).exists()


def test_moving_back_to_the_first_slot_queues_its_reminders_again():
    with time_machine.travel(at(10, 10), tick=False):
        slot = SlotFactory(starts_at=at(12, 9), ends_at=at(12, 10))
        other = SlotFactory(
            campaign=slot.campaign, starts_at=at(13, 9), ends_at=at(13, 10)
        )
        appointment = appointment_book(
            participant=ConsentedParticipantFactory(), slot_id=slot.pk
        )
        appointment = appointment_reschedule(appointment=appointment, slot_id=other.pk)
        appointment_reschedule(appointment=appointment, slot_id=slot.pk)

    assert pending(appointment) == [
        "reminder_day_before",
        "reminder_same_day",
        "rescheduled",
    ]


def test_moving_into_a_full_slot_keeps_the_old_booking_as_it_was(slot, participant):
    full = SlotFactory(campaign=slot.campaign, starts_at=slot.ends_at, booked=10)
    appointment = appointment_book(participant=participant, slot_id=slot.pk)
    before = pending(appointment)

    with pytest.raises(SlotFull):
        appointment_reschedule(appointment=appointment, slot_id=full.pk)

    appointment.refresh_from_db()
    slot.refresh_from_db()
    full.refresh_from_db()
    assert appointment.slot_id == slot.pk
    assert appointment.status == AppointmentStatus.BOOKED
    assert (slot.booked, full.booked) == (1, 10)
    assert pending(appointment) == before


def test_moving_to_the_same_slot_is_same_slot(slot, participant):
    appointment = appointment_book(participant=participant, slot_id=slot.pk)

    with pytest.raises(SameSlot):
        appointment_reschedule(appointment=appointment, slot_id=slot.pk)


def test_moving_to_another_campaigns_slot_is_refused(slot, participant):
    elsewhere = SlotFactory()
    appointment = appointment_book(participant=participant, slot_id=slot.pk)

    with pytest.raises(WrongCampaign):
        appointment_reschedule(appointment=appointment, slot_id=elsewhere.pk)


def test_moving_a_cancelled_appointment_is_not_reschedulable(slot, participant):
    other = SlotFactory(campaign=slot.campaign, starts_at=slot.ends_at)
    appointment = appointment_book(participant=participant, slot_id=slot.pk)
    appointment_cancel(appointment=appointment)

    with pytest.raises(NotReschedulable):
        appointment_reschedule(appointment=appointment, slot_id=other.pk)

    other.refresh_from_db()
    assert other.booked == 0


def test_send_times_are_stored_in_utc(participant):
    # Booked in the morning, so the day-before reminder is still ahead whatever
    # the hour the suite runs at.
    with time_machine.travel(at(10, 10), tick=False):
        slot = SlotFactory(starts_at=at(12, 9), ends_at=at(12, 10))
        appointment = appointment_book(participant=participant, slot_id=slot.pk)

    reminder = Notification.objects.get(
        dedupe_key=f"appointment:{appointment.pk}:slot:{slot.pk}:reminder-1d"
    )
    assert reminder.send_at.tzinfo == UTC


def test_a_colliding_reference_is_drawn_again(slot, participant, monkeypatch):
    taken = appointment_book(participant=ConsentedParticipantFactory(), slot_id=slot.pk)
    draws = iter([taken.reference, "NEWREF23"])
    monkeypatch.setattr(
        "scheduling.appointment_places.new_reference", lambda: next(draws)
    )

    appointment = appointment_book(participant=participant, slot_id=slot.pk)

    slot.refresh_from_db()
    assert appointment.reference == "NEWREF23"
    assert slot.booked == 2


def test_a_visit_that_has_begun_can_be_neither_cancelled_nor_moved(participant):
    with time_machine.travel(at(10, 10), tick=False):
        slot = SlotFactory(starts_at=at(12, 9), ends_at=at(12, 10))
        other = SlotFactory(
            campaign=slot.campaign, starts_at=at(12, 14), ends_at=at(12, 15)
        )
        appointment = appointment_book(participant=participant, slot_id=slot.pk)

    with time_machine.travel(at(12, 9, 5), tick=False):
        with pytest.raises(NotCancellable):
            appointment_cancel(appointment=appointment)
        with pytest.raises(NotReschedulable):
            appointment_reschedule(appointment=appointment, slot_id=other.pk)

    slot.refresh_from_db()
    assert slot.booked == 1


def test_a_staff_cancellation_is_audited(slot, participant):
    staff = UserFactory()
    appointment = appointment_book(participant=participant, slot_id=slot.pk)

    appointment_cancel(appointment=appointment, by=staff)

    event = AuditEvent.objects.get(action="appointment.cancel")
    assert (event.actor, event.object_id) == (staff, str(appointment.pk))
