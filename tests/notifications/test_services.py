"""The outbox: scheduling, dispatching, sending and cancelling messages."""

from datetime import datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from common.crypto import keyed_hash
from notifications.backends.base import OutgoingMessage, SendResult
from notifications.models import Kind, Notification, Status
from notifications.services import (
    MAX_ATTEMPTS,
    notification_schedule,
    notification_send,
    notifications_cancel_pending,
    notifications_dispatch_due,
)
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

NOW = datetime.fromisoformat("2025-03-10T09:00:00+08:00")


@pytest.fixture
def enqueue():
    """The hand-over to Celery, one call per id whether the row went alone or in a
    batch; the real broker has its own integration test."""
    with (
        mock.patch("notifications.services.handover.enqueue_send") as patched,
        mock.patch(
            "notifications.services.handover.enqueue_sends",
            side_effect=lambda ids: [patched(pk) for pk in ids],
        ),
    ):
        yield patched


class FakeGateway:
    """An SMS gateway that answers every message with the same result."""

    name = "fake"

    def __init__(self, result: SendResult) -> None:
        self.result = result
        self.sent: list[OutgoingMessage] = []

    def send(self, message: OutgoingMessage) -> SendResult:
        self.sent.append(message)
        return self.result


def use_gateway(result: SendResult):
    return mock.patch(
        "notifications.backends.get_backend", return_value=FakeGateway(result)
    )


# --- notification_schedule


def test_scheduling_writes_one_row_with_the_phone_encrypted_and_hashed(enqueue):
    notification = notification_schedule(
        phone="13800138000",
        kind=Kind.OTP,
        dedupe_key="otp:13800138000:1",
        context={"code": 654321},
    )

    stored = Notification.objects.get()
    assert stored == notification
    assert stored.recipient_phone == "13800138000"
    assert stored.recipient_hash == keyed_hash("13800138000", purpose="phone")
    assert stored.context == {"code": "654321"}
    assert stored.status == Status.PENDING


def test_a_second_schedule_with_the_same_key_writes_nothing(
    enqueue, django_capture_on_commit_callbacks
):
    first = notification_schedule(
        phone="13800138000", kind=Kind.OTP, dedupe_key="otp:1", context={"code": "1"}
    )

    with django_capture_on_commit_callbacks() as callbacks:
        second = notification_schedule(
            phone="13900139000",
            kind=Kind.OTP,
            dedupe_key="otp:1",
            context={"code": "2"},
        )

    assert second.pk == first.pk
    assert second.recipient_phone == "13800138000"
    assert Notification.objects.count() == 1
    assert callbacks == []


def test_a_message_due_now_is_enqueued_once_the_transaction_commits(
    enqueue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_schedule(
            phone="13800138000", kind=Kind.OTP, dedupe_key="otp:1"
        )
        enqueued_before_commit = enqueue.call_count

    assert enqueued_before_commit == 0
    enqueue.assert_called_once_with(notification.pk)


def test_a_message_due_later_is_not_enqueued(
    enqueue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification_schedule(
            phone="13800138000",
            kind=Kind.REMINDER_DAY_BEFORE,
            dedupe_key="appointment:1:reminder_day_before",
            send_at=timezone.now() + timedelta(days=3),
        )

    assert callbacks == []
    enqueue.assert_not_called()


# --- notifications_dispatch_due


def test_dispatch_claims_only_due_pending_messages_oldest_first(
    enqueue, django_capture_on_commit_callbacks
):
    now = timezone.now()
    newer = NotificationFactory(send_at=now - timedelta(minutes=1))
    older = NotificationFactory(send_at=now - timedelta(minutes=10))
    later = NotificationFactory(send_at=now + timedelta(hours=1))
    sent = NotificationFactory(send_at=now - timedelta(hours=1), status=Status.SENT)
    cancelled = NotificationFactory(
        send_at=now - timedelta(hours=1), status=Status.CANCELLED
    )

    with django_capture_on_commit_callbacks(execute=True):
        claimed = notifications_dispatch_due()

    assert claimed == 2
    assert enqueue.call_args_list == [mock.call(older.pk), mock.call(newer.pk)]
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses == {
        newer.pk: Status.QUEUED,
        older.pk: Status.QUEUED,
        later.pk: Status.PENDING,
        sent.pk: Status.SENT,
        cancelled.pk: Status.CANCELLED,
    }
    assert Notification.objects.get(pk=older.pk).claimed_at is not None


def test_dispatch_works_through_every_due_message_in_batches(
    enqueue, django_capture_on_commit_callbacks
):
    now = timezone.now()
    due = [
        NotificationFactory(send_at=now - timedelta(minutes=minutes))
        for minutes in (5, 4, 3, 2, 1)
    ]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        claimed = notifications_dispatch_due(batch_size=2)

    assert claimed == 5
    assert len(callbacks) == 3
    assert enqueue.call_args_list == [mock.call(n.pk) for n in due]
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.QUEUED}


def test_dispatching_twice_enqueues_each_message_once(
    enqueue, django_capture_on_commit_callbacks
):
    notification = NotificationFactory()

    with django_capture_on_commit_callbacks(execute=True):
        first = notifications_dispatch_due()
    with django_capture_on_commit_callbacks(execute=True):
        second = notifications_dispatch_due()

    assert (first, second) == (1, 0)
    enqueue.assert_called_once_with(notification.pk)


def test_dispatch_enqueues_nothing_before_the_claim_commits(
    enqueue, django_capture_on_commit_callbacks
):
    NotificationFactory()

    with django_capture_on_commit_callbacks() as callbacks:
        notifications_dispatch_due()

    assert len(callbacks) == 1
    enqueue.assert_not_called()


def test_a_message_claimed_longer_ago_than_the_timeout_is_claimed_again(
    enqueue, django_capture_on_commit_callbacks
):
    timeout = timedelta(seconds=settings.OUTBOX_RECLAIM_AFTER_SECONDS)
    with time_machine.travel(NOW, tick=False):
        notification = NotificationFactory(send_at=NOW)
        with django_capture_on_commit_callbacks(execute=True):
            notifications_dispatch_due()
    later = NOW + timeout + timedelta(seconds=1)

    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        claimed = notifications_dispatch_due()

    assert claimed == 1
    assert enqueue.call_args_list == [mock.call(notification.pk)] * 2
    notification.refresh_from_db()
    assert notification.status == Status.QUEUED
    assert notification.claimed_at == later


def test_a_message_claimed_within_the_timeout_is_left_queued(
    enqueue, django_capture_on_commit_callbacks
):
    timeout = timedelta(seconds=settings.OUTBOX_RECLAIM_AFTER_SECONDS)
    with time_machine.travel(NOW, tick=False):
        notification = NotificationFactory(send_at=NOW)
        with django_capture_on_commit_callbacks(execute=True):
            notifications_dispatch_due()

    with (
        time_machine.travel(NOW + timeout - timedelta(seconds=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        claimed = notifications_dispatch_due()

    assert claimed == 0
    enqueue.assert_called_once_with(notification.pk)
    notification.refresh_from_db()
    assert notification.claimed_at == NOW


# --- notification_send


def test_sending_renders_the_chinese_template_and_records_the_gateway_answer(
    sms_outbox,
):
    notification = NotificationFactory(
        kind=Kind.OTP, recipient_phone="13800138000", context={"code": "246810"}
    )

    result = notification_send(notification_id=notification.pk)

    assert [(m.phone, m.text) for m in sms_outbox] == [
        ("13800138000", "您的验证码是246810,5分钟内有效。请勿告诉他人。")
    ]
    stored = Notification.objects.get(pk=notification.pk)
    assert result == stored
    assert stored.status == Status.SENT
    assert stored.provider == "locmem"
    assert stored.provider_message_id == notification.dedupe_key
    assert stored.sent_at is not None
    assert stored.attempts == 1
    assert stored.last_error == ""


def test_sending_in_english_uses_the_english_text(sms_outbox):
    notification = NotificationFactory(
        kind=Kind.OTP, language="en", context={"code": "246810"}
    )

    notification_send(notification_id=notification.pk)

    assert sms_outbox[0].text == (
        "Your code is 246810. It is valid for 5 minutes. Do not share it."
    )


def test_sending_a_queued_message_twice_sends_it_once(sms_outbox):
    notification = NotificationFactory(status=Status.QUEUED)

    notification_send(notification_id=notification.pk)
    notification_send(notification_id=notification.pk)

    assert len(sms_outbox) == 1
    assert Notification.objects.get(pk=notification.pk).attempts == 1


@pytest.mark.parametrize(
    "status", [Status.CANCELLED, Status.SENT, Status.FAILED, Status.SENDING]
)
def test_a_message_no_longer_waiting_is_not_sent(sms_outbox, status):
    notification = NotificationFactory(status=status)

    result = notification_send(notification_id=notification.pk)

    assert sms_outbox == []
    assert result.status == status
    assert result.attempts == 0


def test_a_message_not_yet_due_is_not_sent(sms_outbox):
    notification = NotificationFactory(send_at=timezone.now() + timedelta(hours=1))

    result = notification_send(notification_id=notification.pk)

    assert sms_outbox == []
    assert result.status == Status.PENDING


def test_sending_a_message_that_no_longer_exists_does_nothing(sms_outbox):
    result = notification_send(notification_id=999_999)

    assert result is None
    assert sms_outbox == []


def test_a_transient_failure_reschedules_the_message_with_backoff_and_jitter():
    notification = NotificationFactory(send_at=NOW, status=Status.QUEUED)
    busy = SendResult(accepted=False, error="gateway busy", transient=True)

    with use_gateway(busy), time_machine.travel(NOW, tick=False):
        notification_send(notification_id=notification.pk)
    first_retry_at = Notification.objects.get(pk=notification.pk).send_at
    with use_gateway(busy), time_machine.travel(first_retry_at, tick=False):
        notification_send(notification_id=notification.pk)

    stored = Notification.objects.get(pk=notification.pk)
    first_wait = (first_retry_at - NOW).total_seconds()
    second_wait = (stored.send_at - first_retry_at).total_seconds()
    assert 24 <= first_wait <= 36
    assert 48 <= second_wait <= 72
    assert stored.status == Status.PENDING
    assert stored.attempts == 2
    assert stored.last_error == "gateway busy"
    assert stored.provider == "fake"
    assert stored.sent_at is None


def test_a_transient_failure_on_the_last_attempt_records_failed():
    notification = NotificationFactory(attempts=MAX_ATTEMPTS - 1)
    timeout = SendResult(accepted=False, error="gateway timeout", transient=True)

    with use_gateway(timeout):
        notification_send(notification_id=notification.pk)

    stored = Notification.objects.get(pk=notification.pk)
    assert stored.status == Status.FAILED
    assert stored.attempts == MAX_ATTEMPTS
    assert stored.last_error == "gateway timeout"


def test_a_permanent_failure_records_failed_with_the_error():
    notification = NotificationFactory()
    rejected = SendResult(accepted=False, error="invalid number", transient=False)

    with use_gateway(rejected) as get_backend:
        notification_send(notification_id=notification.pk)

    stored = Notification.objects.get(pk=notification.pk)
    assert len(get_backend.return_value.sent) == 1
    assert stored.status == Status.FAILED
    assert stored.last_error == "invalid number"
    assert stored.provider == "fake"
    assert stored.sent_at is None


def test_a_failed_message_is_not_sent_again_by_a_later_dispatch(
    enqueue, django_capture_on_commit_callbacks
):
    notification = NotificationFactory()
    rejected = SendResult(accepted=False, error="invalid number", transient=False)
    with use_gateway(rejected):
        notification_send(notification_id=notification.pk)

    with django_capture_on_commit_callbacks(execute=True):
        claimed = notifications_dispatch_due()

    assert claimed == 0
    enqueue.assert_not_called()


# --- notifications_cancel_pending


def test_cancelling_by_prefix_cancels_waiting_messages_but_not_sent_ones():
    pending = NotificationFactory(dedupe_key="appointment:7:reminder_day_before")
    queued = NotificationFactory(
        dedupe_key="appointment:7:reminder_same_day", status=Status.QUEUED
    )
    sent = NotificationFactory(
        dedupe_key="appointment:7:booking_confirmed", status=Status.SENT
    )
    other = NotificationFactory(dedupe_key="appointment:70:reminder_day_before")

    cancelled = notifications_cancel_pending(dedupe_key_prefix="appointment:7:")

    assert cancelled == 2
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses == {
        pending.pk: Status.CANCELLED,
        queued.pk: Status.CANCELLED,
        sent.pk: Status.SENT,
        other.pk: Status.PENDING,
    }


def test_a_cancelled_message_is_not_sent_even_if_its_task_arrives(sms_outbox):
    notification = NotificationFactory(
        dedupe_key="appointment:7:reminder_day_before", status=Status.QUEUED
    )
    notifications_cancel_pending(dedupe_key_prefix="appointment:7:")

    notification_send(notification_id=notification.pk)

    assert sms_outbox == []
