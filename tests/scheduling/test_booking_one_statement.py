"""A booking's writes on PostgreSQL are one statement (ADR 0024): the slot's
place, the appointment, its outbox rows and the campaign's funded place
together, committed on their own outside a transaction and under a savepoint
inside one, and undone together when any part of them is refused."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Notification, Status
from scheduling import booking_statements as statements
from scheduling.errors import SlotFull
from scheduling.messages import dedupe_prefix
from scheduling.models import Appointment, AppointmentStatus, Slot
from scheduling.services import appointment_book
from screening.errors import NotEligible
from screening.models import Campaign, Participant
from tests.scheduling.factories import (
    ConsentedParticipantFactory,
    SlotFactory,
    tomorrow_at,
)
from tests.screening.factories import CampaignFactory


@pytest.fixture(autouse=True)
def _a_morning():
    """Ten in the morning in Shanghai: a visit tomorrow at nine gets both its
    reminders, the day before at 18:00 and the same morning."""
    with time_machine.travel(
        datetime(2026, 12, 8, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        yield


@pytest.fixture
def kicks(monkeypatch) -> list[int]:
    """The outbox keys handed over at once, in place of the broker."""
    handed: list[int] = []
    monkeypatch.setattr(
        "notifications.services.handover.kick_or_enqueue", handed.append
    )
    return handed


def stale_read(*, woman: Participant, slot: Slot) -> Slot:
    """The slot as a booking reads it before anything else happens."""
    read = statements.slot_for_booking(
        slot_id=slot.pk, participant_id=woman.pk, today=timezone.localdate()
    )
    assert read is not None
    return read


def one_funded_place_in_two_slots() -> tuple[Slot, Slot, Participant, Slot]:
    """A campaign of one funded place over two slots, and a woman who has read
    the first slot while the place was still free."""
    campaign = CampaignFactory(quota=1)
    slot = SlotFactory(campaign=campaign, starts_at=tomorrow_at(9))
    other_slot = SlotFactory(campaign=campaign, starts_at=tomorrow_at(10))
    woman = ConsentedParticipantFactory()
    return slot, other_slot, woman, stale_read(woman=woman, slot=slot)


def written_for(slot: Slot) -> tuple[int, int, int, int]:
    """Places taken in the slot and the campaign, appointments and messages."""
    slot.refresh_from_db()
    campaign = Campaign.objects.get(pk=slot.campaign_id)
    appointments = Appointment.objects.filter(slot=slot)
    messages = Notification.objects.filter(
        dedupe_key__startswith="appointment:",
        recipient_ref__in=[f"participant:{a.participant_id}" for a in appointments],
    )
    return slot.booked, campaign.places_taken, appointments.count(), messages.count()


@pytest.mark.django_db(transaction=True)
def test_a_booking_outside_a_transaction_is_its_read_and_one_write_committed_at_once(
    kicks,
) -> None:
    slot = SlotFactory(starts_at=tomorrow_at(9))
    woman = ConsentedParticipantFactory()

    with CaptureQueriesContext(connection) as queries:
        appointment = appointment_book(participant=woman, slot_id=slot.pk)

    assert len(queries.captured_queries) == 2
    assert not connection.in_atomic_block
    # Seen at once from another connection: nothing waits for a COMMIT.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT status FROM scheduling_appointment WHERE id = %s",
                [appointment.pk],
            )
            assert cursor.fetchone() == (AppointmentStatus.BOOKED,)
    finally:
        other.close()
    assert written_for(slot) == (1, 1, 1, 3)
    confirmation = Notification.objects.get(
        dedupe_key__startswith=dedupe_prefix(appointment), kind="booking_confirmed"
    )
    assert confirmation.status == Status.PENDING
    assert kicks == [confirmation.pk]


@pytest.mark.django_db(transaction=True)
def test_the_last_funded_place_taken_meanwhile_undoes_every_part_of_her_booking(
    kicks,
) -> None:
    slot, other_slot, woman, read = one_funded_place_in_two_slots()
    appointment_book(participant=ConsentedParticipantFactory(), slot_id=other_slot.pk)
    kicks.clear()

    with pytest.raises(NotEligible) as refused:
        appointment_book(participant=woman, slot_id=slot.pk, read=read)

    assert [reason.code for reason in refused.value.reasons] == ["quota_full"]
    assert written_for(slot) == (0, 1, 0, 0)
    assert kicks == []


@pytest.mark.django_db
def test_a_refusal_inside_the_callers_transaction_leaves_that_transaction_usable(
    kicks,
) -> None:
    slot, other_slot, woman, read = one_funded_place_in_two_slots()

    with transaction.atomic():
        appointment_book(
            participant=ConsentedParticipantFactory(), slot_id=other_slot.pk
        )
        with pytest.raises(NotEligible):
            appointment_book(participant=woman, slot_id=slot.pk, read=read)
        # The savepoint rolled back; the caller's booking above still stands.
        assert written_for(other_slot) == (1, 1, 1, 3)

    assert written_for(slot) == (0, 1, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_full_slot_writes_nothing_and_hands_over_nothing(kicks) -> None:
    slot = SlotFactory(starts_at=tomorrow_at(9), capacity=1)
    woman = ConsentedParticipantFactory()
    read = stale_read(woman=woman, slot=slot)
    appointment_book(participant=ConsentedParticipantFactory(), slot_id=slot.pk)
    kicks.clear()

    with pytest.raises(SlotFull):
        appointment_book(participant=woman, slot_id=slot.pk, read=read)

    assert written_for(slot) == (1, 1, 1, 3)
    assert kicks == []


@pytest.mark.django_db(transaction=True)
def test_her_appointment_has_the_key_her_read_drew(kicks) -> None:
    slot = SlotFactory(starts_at=tomorrow_at(9))
    woman = ConsentedParticipantFactory()
    read = stale_read(woman=woman, slot=slot)

    appointment = appointment_book(participant=woman, slot_id=slot.pk, read=read)

    assert appointment.pk == read.next_appointment_key
    keys = Notification.objects.filter(
        dedupe_key__startswith=dedupe_prefix(appointment)
    ).values_list("dedupe_key", flat=True)
    assert sorted(keys) == sorted(
        f"appointment:{appointment.pk}:slot:{slot.pk}:{suffix}"
        for suffix in ("confirmed", "reminder-1d", "reminder-0d")
    )


@pytest.mark.django_db(transaction=True)
def test_the_write_stays_within_what_psycopg_parses_once_per_process(kicks) -> None:
    slot = SlotFactory(starts_at=tomorrow_at(9))
    seen: list[tuple[int, int]] = []

    def measure(execute, sql, params, many, context):
        if sql.startswith("WITH taken AS"):
            seen.append((len(sql.encode()), len(params)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(measure):
        appointment_book(participant=ConsentedParticipantFactory(), slot_id=slot.pk)

    # Past 4,096 bytes or 50 parameters psycopg converts the text on every run.
    [(length, count)] = seen
    assert length <= 4096
    assert count <= 50


@pytest.mark.django_db(transaction=True)
def test_a_slot_read_without_a_drawn_key_is_booked_in_several_statements(
    kicks,
) -> None:
    slot = SlotFactory(starts_at=tomorrow_at(9))
    woman = ConsentedParticipantFactory()
    read = stale_read(woman=woman, slot=slot)
    read.next_appointment_key = None

    appointment = appointment_book(participant=woman, slot_id=slot.pk, read=read)

    assert written_for(slot) == (1, 1, 1, 3)
    assert (
        Notification.objects.filter(
            dedupe_key__startswith=dedupe_prefix(appointment)
        ).count()
        == 3
    )
