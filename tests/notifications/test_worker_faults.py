"""Exactly once under faults, with real Redis, real workers and the file backend:
a worker killed mid-batch, two dispatchers at once, a flushed broker, and the
clock moving through a booking's reminders."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import psycopg
import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from common.crypto import keyed_hash
from config.celery_app import app
from notifications.backends import locmem
from notifications.models import Kind, Notification, Status
from notifications.services import (
    AUTHORITATIVE_CLAIM_GROUP as GROUP,
)
from notifications.services import (
    notification_schedule,
    notifications_dispatch_due,
    notifications_send_batch,
)
from tests.notifications.processes import celery_env, forget_broker_messages
from tests.notifications.test_worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
BATCH = 50


def due_rows(count: int, *, prefix: str) -> list[Notification]:
    """`count` result notices due a minute ago, each to a phone of its own so that
    the daily limit per phone holds none back."""
    now = timezone.now()
    rows = []
    for n in range(count):
        phone = f"139{n:08d}"
        rows.append(
            Notification(
                kind=Kind.RESULT_READY,
                recipient_phone=phone,
                recipient_hash=keyed_hash(phone, purpose="phone"),
                dedupe_key=f"{prefix}:{n}",
                send_at=now - timedelta(minutes=1),
            )
        )
    return Notification.objects.bulk_create(rows)


def keys_in(path: Path) -> Counter:
    if not path.exists():
        return Counter()
    return Counter(
        json.loads(line)["dedupe_key"]
        for line in path.read_text(encoding="utf-8").splitlines()
    )


def pretend_claims_timed_out() -> None:
    # The reclaim timeout is minutes; the rows are aged instead of the clock,
    # which subprocess workers would not see move.
    Notification.objects.filter(status__in=[Status.QUEUED, Status.SENDING]).update(
        claimed_at=timezone.now() - timedelta(hours=1)
    )


def dispatch_until_sent(count: int, *, seconds: float = 30.0) -> None:
    def all_sent() -> bool:
        notifications_dispatch_due()
        return Notification.objects.filter(status=Status.SENT).count() == count

    wait_for(all_sent, seconds=seconds)


@pytest.fixture
def sms_file(settings, tmp_path) -> Path:
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    settings.OUTBOX_SEND_BATCH_SIZE = BATCH
    return settings.SMS_FILE_PATH


# --- a worker process killed with SIGKILL in the middle of a batch


@pytest.fixture
def worker_process(sms_file) -> Iterator:
    """Starts `celery worker` processes (prefork, 2 children) on the test database
    and broker; each runs in a process group of its own, so it can be killed
    whole."""
    env = celery_env(sms_file=sms_file, OUTBOX_SEND_BATCH_SIZE=str(BATCH))
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config.celery_app",
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=django_settings.BASE_DIR,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        return process

    app.control.purge()
    forget_broker_messages()
    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    forget_broker_messages()


def test_a_worker_killed_mid_batch_loses_no_message_and_sends_none_twice(
    worker_process, sms_file
):
    rows = due_rows(600, prefix="killed")
    notifications_dispatch_due()
    assert Notification.objects.filter(status=Status.QUEUED).count() == 600
    # Hold a row of the second claim group of every batch after the first two:
    # both children stop inside a batch, some of its lines written and the rest
    # not.
    held = [row.pk for row in rows[2 * BATCH + GROUP + 5 :: BATCH]]
    db = django_settings.DATABASES["default"]
    locker = psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
    )
    try:
        locker.execute(
            "SELECT id FROM notifications_notification WHERE id = ANY(%s) FOR UPDATE",
            [held],
        )
        first = worker_process()
        wait_for(lambda: sum(keys_in(sms_file).values()) >= 2 * BATCH + 2 * GROUP)
        time.sleep(0.5)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        locker.rollback()
        locker.close()
    written_before_kill = sum(keys_in(sms_file).values())
    assert 0 < written_before_kill < 600

    time.sleep(1)
    pretend_claims_timed_out()
    worker_process()
    dispatch_until_sent(600)

    lines = keys_in(sms_file)
    assert set(lines) == {row.dedupe_key for row in rows}
    assert max(lines.values()) == 1


# --- two dispatchers at once


def test_two_dispatchers_at_once_enqueue_each_row_once_and_send_none_twice(
    settings,
):
    settings.SMS_BACKEND = "locmem"
    rows = due_rows(1000, prefix="two")
    enqueued: list[int] = []
    lock = threading.Lock()

    def enqueue_and_send(ids: list[int]) -> None:
        with lock:
            enqueued.extend(ids)
        notifications_send_batch(notification_ids=ids)

    stop = time.monotonic() + 3
    errors: list[BaseException] = []

    def dispatcher() -> None:
        try:
            while time.monotonic() < stop:
                notifications_dispatch_due(batch_size=37)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    with mock.patch(
        "notifications.services.handover.enqueue_sends", side_effect=enqueue_and_send
    ):
        threads = [threading.Thread(target=dispatcher) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert sorted(enqueued) == sorted(row.pk for row in rows)
    sent = Counter(message.correlation_id for message in locmem.outbox)
    assert len(sent) == 1000
    assert max(sent.values()) == 1


# --- a flushed broker


def test_a_broker_flushed_with_a_thousand_rows_waiting_loses_none(sms_file):
    rows = due_rows(1000, prefix="flushed")
    # Half claimed and queued in Redis, half not yet claimed, when Redis goes.
    notifications_dispatch_due(batch_size=500)
    Notification.objects.filter(pk__in=[row.pk for row in rows[500:]]).update(
        status=Status.PENDING, claimed_at=None
    )
    app.control.purge()
    forget_broker_messages()
    pretend_claims_timed_out()

    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        dispatch_until_sent(1000)

    lines = keys_in(sms_file)
    assert set(lines) == {row.dedupe_key for row in rows}
    assert max(lines.values()) == 1


# --- a booking's messages through a real worker, on a moving clock


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def test_a_booking_gets_one_confirmation_then_each_reminder_at_its_time(
    celery_worker_thread, sms_file
):
    visit = at(12, 10)
    with time_machine.travel(at(10, 10), tick=True) as clock:
        with transaction.atomic():
            for kind, key, send_at in (
                (Kind.BOOKING_CONFIRMED, "appointment:1:confirmed", None),
                (Kind.REMINDER_DAY_BEFORE, "appointment:1:reminder-1d", at(11, 18)),
                (Kind.REMINDER_SAME_DAY, "appointment:1:reminder-0d", at(12, 7, 30)),
            ):
                notification_schedule(
                    phone="13800138000",
                    kind=kind,
                    dedupe_key=key,
                    context={"date": "3月12日", "time": "10:00", "site": "A"},
                    send_at=send_at,
                    not_after=visit if send_at else None,
                    zone=SHANGHAI,
                )
        # Beat's dispatcher, through the worker, adds no second confirmation.
        app.send_task("notifications.dispatch_due")
        wait_for(lambda: list(keys_in(sms_file)) == ["appointment:1:confirmed"])

        clock.move_to(at(11, 17, 59))
        app.send_task("notifications.dispatch_due")
        time.sleep(0.5)
        assert list(keys_in(sms_file)) == ["appointment:1:confirmed"]

        clock.move_to(at(11, 18, 0))
        app.send_task("notifications.dispatch_due")
        wait_for(lambda: len(keys_in(sms_file)) == 2)

        # 07:30 is in quiet hours: the same-day reminder waits until 08:00.
        clock.move_to(at(12, 7, 45))
        app.send_task("notifications.dispatch_due")
        time.sleep(0.5)
        assert len(keys_in(sms_file)) == 2

        clock.move_to(at(12, 8, 0))
        app.send_task("notifications.dispatch_due")
        wait_for(lambda: len(keys_in(sms_file)) == 3)

    lines = keys_in(sms_file)
    assert list(lines) == [
        "appointment:1:confirmed",
        "appointment:1:reminder-1d",
        "appointment:1:reminder-0d",
    ]
    assert set(lines.values()) == {1}
