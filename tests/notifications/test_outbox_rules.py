"""The outbox's rules: daily limits, reclaiming, asking before resending,
cancellation, the staff view, and no long countdowns anywhere."""

import ast
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from common.models import AuditEvent
from notifications.backends.base import OutgoingMessage, SendResult
from notifications.backends.file import FileBackend, index_path
from notifications.models import Kind, Notification, Status
from notifications.services import (
    MAX_ATTEMPTS,
    SkipReason,
    notification_send,
    notifications_cancel_for_recipient,
    notifications_dispatch_due,
)
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 3, 10, 12, tzinfo=SHANGHAI)
PROJECT = Path(settings.BASE_DIR)


@pytest.fixture
def enqueued():
    """What reached Celery. The test's transaction never commits, so on-commit
    hand-overs run at once here."""
    ids: list[int] = []
    with (
        mock.patch(
            "django.db.transaction.on_commit",
            side_effect=lambda func, *args, **kwargs: func(),
        ),
        mock.patch(
            "notifications.services.handover.enqueue_sends", side_effect=ids.extend
        ),
        mock.patch(
            "notifications.services.handover.enqueue_send", side_effect=ids.append
        ),
    ):
        yield ids


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    return settings.SMS_FILE_PATH


def keys_in(path: Path) -> list[str]:
    return [json.loads(line)["dedupe_key"] for line in path.read_text().splitlines()]


class AnsweringGateway:
    """A gateway that answers sends and status questions as told."""

    name = "fake"

    def __init__(self, send: SendResult, status: str = "not_found") -> None:
        self.result = send
        self.status = status
        self.sent: list[OutgoingMessage] = []
        self.asked: list[str] = []

    def send(self, message: OutgoingMessage) -> SendResult:
        self.sent.append(message)
        return self.result

    def query_status(self, correlation_id, provider_message_id="", **kwargs) -> str:
        self.asked.append(correlation_id)
        return self.status


# --- the daily limit per phone


def test_an_eleventh_message_to_one_phone_in_a_day_waits_for_tomorrow_morning(
    settings, enqueued
):
    settings.SMS_LIMIT_PER_PHONE_DAY = 10
    with time_machine.travel(NOON, tick=False):
        rows = NotificationFactory.create_batch(
            11,
            kind=Kind.RESULT_READY,
            recipient_phone="13800138000",
            send_at=NOON - timedelta(minutes=1),
        )
        claimed = notifications_dispatch_due()

    assert claimed == 10
    last = Notification.objects.get(pk=rows[-1].pk)
    assert last.status == Status.PENDING
    assert last.send_at == datetime(2026, 3, 11, 8, tzinfo=SHANGHAI)
    assert "limit" in last.last_error
    assert sorted(enqueued) == sorted(row.pk for row in rows[:10])


def test_sign_in_codes_are_neither_counted_nor_held_by_the_daily_limit(
    settings, enqueued
):
    settings.SMS_LIMIT_PER_PHONE_DAY = 1
    with time_machine.travel(NOON, tick=False):
        NotificationFactory.create_batch(
            3, kind=Kind.OTP, recipient_phone="13800138000"
        )
        NotificationFactory(kind=Kind.RESULT_READY, recipient_phone="13800138000")
        claimed = notifications_dispatch_due()

    assert claimed == 4


def test_a_reminder_over_the_limit_whose_visit_is_before_tomorrow_is_skipped(
    settings, enqueued
):
    settings.SMS_LIMIT_PER_PHONE_DAY = 1
    with time_machine.travel(NOON, tick=False):
        NotificationFactory(kind=Kind.RESULT_READY, recipient_phone="13800138000")
        reminder = NotificationFactory(
            kind=Kind.REMINDER_SAME_DAY,
            recipient_phone="13800138000",
            send_at=NOON,
            not_after=NOON + timedelta(hours=3),
        )
        notifications_dispatch_due()

    reminder.refresh_from_db()
    assert reminder.status == Status.SKIPPED
    assert reminder.last_error == SkipReason.DAILY_LIMIT


def test_messages_sent_yesterday_do_not_count_today(settings, enqueued):
    settings.SMS_LIMIT_PER_PHONE_DAY = 1
    NotificationFactory(
        kind=Kind.RESULT_READY,
        recipient_phone="13800138000",
        status=Status.SENT,
        claimed_at=NOON - timedelta(hours=13),
    )
    with time_machine.travel(NOON, tick=False):
        NotificationFactory(kind=Kind.RESULT_READY, recipient_phone="13800138000")
        assert notifications_dispatch_due() == 1


# --- sending: the claim, the guarded outcome, the backoff bound


def test_a_receipt_that_arrives_during_the_send_is_not_overwritten(sms_outbox):
    notification = NotificationFactory()

    def deliver_meanwhile(message: OutgoingMessage) -> SendResult:
        Notification.objects.filter(pk=notification.pk).update(status=Status.DELIVERED)
        return SendResult(accepted=True, provider_message_id="x")

    gateway = mock.Mock(name="fake", send=deliver_meanwhile, spec=["name", "send"])
    gateway.name = "fake"
    with mock.patch("notifications.backends.get_backend", return_value=gateway):
        result = notification_send(notification_id=notification.pk)

    assert result.status == Status.DELIVERED
    assert Notification.objects.get(pk=notification.pk).status == Status.DELIVERED


def test_after_six_transient_failures_a_message_is_failed_with_the_reason():
    notification = NotificationFactory()
    busy = AnsweringGateway(SendResult(accepted=False, error="busy", transient=True))

    with mock.patch("notifications.backends.get_backend", return_value=busy):
        for _ in range(MAX_ATTEMPTS + 2):
            Notification.objects.filter(pk=notification.pk).update(
                send_at=timezone.now()
            )
            notification_send(notification_id=notification.pk)

    stored = Notification.objects.get(pk=notification.pk)
    assert len(busy.sent) == MAX_ATTEMPTS
    assert (stored.status, stored.attempts, stored.last_error) == (
        Status.FAILED,
        MAX_ATTEMPTS,
        "busy",
    )


def test_a_message_held_up_until_its_visit_is_near_is_skipped_not_sent(sms_outbox):
    notification = NotificationFactory(
        kind=Kind.REMINDER_SAME_DAY,
        not_after=timezone.now() + timedelta(minutes=30),
    )

    result = notification_send(notification_id=notification.pk)

    assert sms_outbox == []
    assert result.status == Status.SKIPPED


@pytest.mark.parametrize(
    ("answer", "sends", "status"),
    [
        ("not_found", 1, Status.SENT),
        ("delivered", 0, Status.SENT),
        ("failed", 0, Status.FAILED),
        ("unknown", 0, Status.PENDING),
    ],
)
def test_a_send_that_timed_out_is_checked_with_the_gateway_before_a_retry(
    answer, sends, status
):
    notification = NotificationFactory(attempts=1, last_error="http:timeout")
    gateway = AnsweringGateway(
        SendResult(accepted=True, provider_message_id="p1"), answer
    )

    with mock.patch("notifications.backends.get_backend", return_value=gateway):
        notification_send(notification_id=notification.pk)

    assert gateway.asked == [notification.dedupe_key]
    assert len(gateway.sent) == sends
    assert Notification.objects.get(pk=notification.pk).status == status


def test_a_throttled_send_is_retried_without_asking_first():
    notification = NotificationFactory(attempts=1, last_error="tencent:LimitExceeded.")
    gateway = AnsweringGateway(SendResult(accepted=True), "unknown")

    with mock.patch("notifications.backends.get_backend", return_value=gateway):
        notification_send(notification_id=notification.pk)

    assert gateway.asked == []
    assert len(gateway.sent) == 1


# --- reclaiming rows left in `sending`


def stuck_sending(**kwargs) -> Notification:
    long_ago = timezone.now() - timedelta(hours=1)
    return NotificationFactory(
        status=Status.SENDING, attempts=1, claimed_at=long_ago, **kwargs
    )


def test_a_row_left_sending_whose_line_was_written_is_marked_sent(sms_file, enqueued):
    row = stuck_sending()
    FileBackend().send(
        OutgoingMessage(
            phone=row.recipient_phone,
            kind=row.kind,
            template_key=row.kind,
            params={},
            text="x",
            correlation_id=row.dedupe_key,
        )
    )

    notifications_dispatch_due()

    assert Notification.objects.get(pk=row.pk).status == Status.SENT
    assert enqueued == []


def test_a_row_left_sending_that_never_reached_the_file_is_sent_again(
    sms_file, enqueued
):
    row = stuck_sending()

    notifications_dispatch_due()

    assert Notification.objects.get(pk=row.pk).status == Status.QUEUED
    assert enqueued == [row.pk]


def test_a_row_left_sending_within_the_timeout_is_left_alone(sms_file, enqueued):
    row = NotificationFactory(status=Status.SENDING, claimed_at=timezone.now())

    notifications_dispatch_due()

    assert Notification.objects.get(pk=row.pk).status == Status.SENDING


def test_the_file_index_finds_a_line_written_by_a_writer_killed_before_indexing(
    sms_file,
):
    backend = FileBackend()
    message = OutgoingMessage(
        phone="13800138000",
        kind="otp",
        template_key="otp",
        params={},
        text="x",
        correlation_id="first",
    )
    backend.send(message)
    # What a writer killed between the line and the index leaves behind.
    with sms_file.open("a") as handle:
        handle.write(json.dumps({"dedupe_key": "orphan"}) + "\n")

    assert backend.query_status("orphan") == "delivered"
    assert backend.query_status("first") == "delivered"
    assert backend.query_status("never") == "not_found"
    assert index_path(sms_file).exists()


def test_a_gateway_that_cannot_account_for_a_row_is_asked_again_later(enqueued):
    row = stuck_sending()
    gateway = AnsweringGateway(SendResult(accepted=True), "unknown")

    with mock.patch("notifications.backends.get_backend", return_value=gateway):
        notifications_dispatch_due()

    stored = Notification.objects.get(pk=row.pk)
    assert stored.status == Status.SENDING
    assert stored.claimed_at > row.claimed_at
    assert gateway.sent == []


# --- cancellation


def test_cancelling_for_a_recipient_stops_only_her_waiting_messages_of_those_kinds():
    ref = "participant:7"
    reminder = NotificationFactory(recipient_ref=ref, kind=Kind.REMINDER_DAY_BEFORE)
    queued = NotificationFactory(
        recipient_ref=ref, kind=Kind.REMINDER_SAME_DAY, status=Status.QUEUED
    )
    result = NotificationFactory(recipient_ref=ref, kind=Kind.RESULT_READY)
    sent = NotificationFactory(
        recipient_ref=ref, kind=Kind.REMINDER_DAY_BEFORE, status=Status.SENT
    )
    someone_else = NotificationFactory(
        recipient_ref="participant:70", kind=Kind.REMINDER_DAY_BEFORE
    )

    cancelled = notifications_cancel_for_recipient(
        recipient_ref=ref, kinds=[Kind.REMINDER_DAY_BEFORE, Kind.REMINDER_SAME_DAY]
    )

    assert cancelled == 2
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses == {
        reminder.pk: Status.CANCELLED,
        queued.pk: Status.CANCELLED,
        result.pk: Status.PENDING,
        sent.pk: Status.SENT,
        someone_else.pk: Status.PENDING,
    }


def test_turning_sms_reminders_off_cancels_her_waiting_reminders():
    from screening.services import participant_update
    from tests.screening.factories import ParticipantFactory

    participant = ParticipantFactory(sms_reminders=True)
    reminder = NotificationFactory(
        recipient_ref=f"participant:{participant.pk}", kind=Kind.REMINDER_DAY_BEFORE
    )

    participant_update(participant=participant, sms_reminders=False)

    assert Notification.objects.get(pk=reminder.pk).status == Status.CANCELLED


def test_withdrawing_consent_to_health_data_cancels_her_waiting_reminders():
    from screening.models import ConsentPurpose
    from screening.services import consent_give, consent_withdraw
    from tests.screening.factories import ParticipantFactory

    participant = ParticipantFactory()
    consent_give(
        participant=participant, purpose=ConsentPurpose.HEALTH_DATA, text_version="1"
    )
    reminder = NotificationFactory(
        recipient_ref=f"participant:{participant.pk}", kind=Kind.REMINDER_SAME_DAY
    )

    consent_withdraw(participant=participant, purpose=ConsentPurpose.HEALTH_DATA)

    assert Notification.objects.get(pk=reminder.pk).status == Status.CANCELLED


# --- the staff view


def test_the_message_list_shows_counts_by_status_and_masks_phones(
    admin_client_logged_in,
):
    NotificationFactory.create_batch(2, recipient_phone="13812345678")
    NotificationFactory(status=Status.FAILED)
    NotificationFactory(status=Status.DELIVERED)

    response = admin_client_logged_in.get(
        reverse("admin:notifications_notification_changelist")
    )

    assert response.status_code == 200
    # Pending, sent, delivered, failed: the order a message moves in.
    counts = [count for _label, count in response.context["notification_status_counts"]]
    assert counts == [2, 0, 1, 1]
    assert b"13812345678" not in response.content


def test_the_retry_action_puts_failed_and_skipped_messages_back_and_audits_it(
    admin_client_logged_in,
):
    failed = NotificationFactory(
        kind=Kind.CANCELLED, status=Status.FAILED, attempts=6, last_error="busy"
    )
    skipped = NotificationFactory(
        kind=Kind.CANCELLED, status=Status.SKIPPED, last_error="too late"
    )
    sent = NotificationFactory(kind=Kind.CANCELLED, status=Status.SENT)

    admin_client_logged_in.post(
        reverse("admin:notifications_notification_changelist"),
        {
            "action": "retry",
            "_selected_action": [failed.pk, skipped.pk, sent.pk],
        },
    )

    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (
        Status.PENDING,
        0,
        "",
    )
    assert Notification.objects.get(pk=skipped.pk).status == Status.PENDING
    assert Notification.objects.get(pk=sent.pk).status == Status.SENT
    audited = AuditEvent.objects.filter(action="notification.retry")
    assert sorted(int(e.object_id) for e in audited) == sorted([failed.pk, skipped.pk])


# --- no long countdowns anywhere (SPEC §2)

_DELAY_ARGS = {"countdown", "eta"}
_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800}


def _literal_seconds(node: ast.expr) -> float | None:
    """The seconds a literal delay stands for: 600, 5 * 60, timedelta(hours=1),
    now() + timedelta(minutes=10). None for anything computed at run time."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.BinOp):
        left, right = _literal_seconds(node.left), _literal_seconds(node.right)
        if isinstance(node.op, ast.Mult) and left is not None and right is not None:
            return left * right
        if isinstance(node.op, ast.Add):
            # now() + timedelta(...): the literal part is the delay.
            return max(value for value in (left, right, 0.0) if value is not None)
    if (
        isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", "")) == "timedelta"
    ):
        total = 0.0
        for keyword in node.keywords:
            value = _literal_seconds(keyword.value)
            if value is None:
                return None
            total += value * _SECONDS.get(keyword.arg or "", 0)
        return total
    return None


def long_delays_in(source: str) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg in _DELAY_ARGS:
                seconds = _literal_seconds(keyword.value)
                if seconds is not None and seconds > 300:
                    lines.append(node.lineno)
    return lines


def test_the_scan_recognises_a_long_countdown_and_a_long_eta():
    source = (
        "task.apply_async((1,), countdown=3600)\n"
        "task.apply_async((1,), countdown=5 * 60)\n"
        "task.apply_async((1,), eta=now() + timedelta(minutes=10))\n"
        "task.apply_async((1,), countdown=delay)\n"
    )
    assert long_delays_in(source) == [1, 3]


def test_no_task_anywhere_is_delayed_by_more_than_five_minutes():
    offenders = []
    for path in PROJECT.rglob("*.py"):
        parts = path.relative_to(PROJECT).parts
        if parts[0].startswith(".") or "node_modules" in parts:
            continue
        source = path.read_text(encoding="utf-8")
        if not re.search(r"\b(countdown|eta)\s*=", source):
            continue
        offenders += [
            f"{path.relative_to(PROJECT)}:{n}" for n in long_delays_in(source)
        ]

    assert offenders == [], "future work is an outbox row (ADR 0003)"
