"""The bulk write of many recipients' messages: each key once, known keys
skipped, quiet hours kept, and due rows left for the dispatcher's batches."""

from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications.models import Notification, Status
from notifications.services import (
    Addressed,
    Scheduled,
    notification_schedule,
    notifications_dispatch_due,
    notifications_schedule_bulk,
)

pytestmark = pytest.mark.django_db

NOON = datetime.fromisoformat("2025-03-10T12:00:00+08:00")
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def enqueue():
    with (
        mock.patch("notifications.services.handover.enqueue_send") as patched,
        mock.patch(
            "notifications.services.handover.enqueue_sends",
            side_effect=lambda ids: [patched(pk) for pk in ids],
        ),
    ):
        yield patched


def women(keys: range) -> list[Addressed]:
    return [
        Addressed(
            phone=f"1390000{n:04d}",
            recipient_ref=f"participant:{n}",
            messages=(
                Scheduled(kind="invitation", dedupe_key=f"k:{n}", context={"n": "1"}),
                Scheduled(
                    kind="invitation_reminder",
                    dedupe_key=f"k:{n}:reminder",
                    context={},
                    send_at=NOON + timedelta(days=7),
                ),
            ),
        )
        for n in keys
    ]


@time_machine.travel(NOON, tick=False)
def test_every_recipients_messages_are_written_once_in_bulk(enqueue):
    written = notifications_schedule_bulk(recipients=women(range(5)), zone=ZONE)

    assert written == 10
    assert Notification.objects.filter(kind="invitation").count() == 5
    row = Notification.objects.get(dedupe_key="k:3")
    assert (row.recipient_phone, row.recipient_ref) == ("13900000003", "participant:3")
    assert row.status == Status.PENDING
    assert row.channel == "sms"
    # Due now, yet not handed over one by one: the dispatcher takes them.
    enqueue.assert_not_called()


@time_machine.travel(NOON, tick=False)
def test_a_second_bulk_write_of_the_same_keys_writes_nothing(enqueue):
    notifications_schedule_bulk(recipients=women(range(3)), zone=ZONE)
    notification_schedule(phone="13900000009", kind="invitation", dedupe_key="k:9")

    again = notifications_schedule_bulk(recipients=women(range(10)), zone=ZONE)

    # 7 new women, 2 rows each, less the one key written before by another path.
    assert again == 13
    assert Notification.objects.count() == 20
    assert Notification.objects.filter(dedupe_key="k:9").count() == 1


@time_machine.travel(datetime.fromisoformat("2025-03-10T23:00:00+08:00"), tick=False)
def test_a_bulk_write_in_quiet_hours_waits_for_the_morning(enqueue):
    notifications_schedule_bulk(recipients=women(range(1)), zone=ZONE)

    row = Notification.objects.get(dedupe_key="k:0")
    assert row.send_at.astimezone(ZONE).hour >= 8
    assert row.send_at.astimezone(ZONE).date() == date(2025, 3, 11)


def test_nothing_to_write_writes_nothing():
    assert notifications_schedule_bulk(recipients=[]) == 0


@time_machine.travel(NOON, tick=False)
def test_the_dispatcher_hands_bulk_rows_that_are_due_to_the_senders(enqueue):
    notifications_schedule_bulk(recipients=women(range(4)), zone=ZONE)

    claimed = notifications_dispatch_due()

    assert claimed == 4
    due = Notification.objects.filter(kind="invitation")
    assert set(due.values_list("status", flat=True)) == {Status.QUEUED}
