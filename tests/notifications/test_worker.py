"""End to end through a real Celery worker and the real Redis broker."""

import json
import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from config.celery_app import app, close_broken_connections
from notifications.models import Notification, Status
from notifications.services import notification_schedule, notifications_dispatch_due
from notifications.tasks import notification_send_task


def wait_for(condition, *, seconds: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the worker")
        time.sleep(0.1)


def broker_queue_length() -> int:
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    return sum(broker.llen(queue) for queue in django_settings.CELERY_TASK_QUEUES)


@pytest.fixture
def worker(celery_worker_thread: None) -> None:
    return None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_carries_an_outbox_row_to_the_file_backend_exactly_once(
    worker, settings, tmp_path
) -> None:
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    with transaction.atomic():
        notification = notification_schedule(
            phone="13800138000",
            kind="otp",
            dedupe_key="test:worker:otp",
            context={"code": "246810"},
            send_at=timezone.now() - timedelta(seconds=1),
        )

    # Every way a duplicate could arise at once: the on-commit send, the beat
    # dispatcher, and a redelivered task.
    notifications_dispatch_due()
    notification_send_task.delay(notification.pk)
    wait_for(lambda: Notification.objects.get(pk=notification.pk).status == Status.SENT)
    wait_for(lambda: broker_queue_length() == 0)
    time.sleep(0.5)

    lines = settings.SMS_FILE_PATH.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["phone"] == "13800138000"
    assert record["kind"] == "otp"
    assert record["dedupe_key"] == "test:worker:otp"
    assert "246810" in record["text"]
    assert Notification.objects.get(pk=notification.pk).attempts == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_beat_dispatcher_task_claims_due_rows_through_the_worker(
    worker, settings, tmp_path
) -> None:
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    # Written as already claimed-and-lost (past due, pending): only beat sends it.
    notification = Notification.objects.create(
        kind="result_ready",
        recipient_phone="13900139000",
        recipient_hash="x" * 64,
        dedupe_key="test:worker:beat",
        send_at=timezone.now() - timedelta(minutes=5),
    )

    app.send_task("notifications.dispatch_due")

    wait_for(lambda: Notification.objects.get(pk=notification.pk).status == Status.SENT)
    lines = settings.SMS_FILE_PATH.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["dedupe_key"] for line in lines] == ["test:worker:beat"]


# --- the worker's database connection


backend_pids: list[int] = []


@app.task(name="tests.notifications.record_backend_pid")
def record_backend_pid() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend_pids.append(cursor.fetchone()[0])


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_from_one_task_to_the_next(worker):
    backend_pids.clear()
    for count in (1, 2, 3):
        record_backend_pid.delay()
        wait_for(lambda count=count: len(backend_pids) == count)

    assert len(set(backend_pids)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_connection_that_broke_during_a_task_is_closed_before_the_next(
    monkeypatch,
) -> None:
    connection.ensure_connection()
    connection.errors_occurred = True
    monkeypatch.setattr(connection, "is_usable", lambda: False)

    close_broken_connections()

    assert connection.connection is None


@pytest.mark.django_db(transaction=True)
def test_a_connection_that_only_saw_a_query_error_is_kept() -> None:
    connection.ensure_connection()
    connection.errors_occurred = True

    close_broken_connections()

    assert connection.connection is not None
    assert connection.errors_occurred is False
