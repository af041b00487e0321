"""`celery beat` itself, as a process, on a period of a second: it alone carries
scheduled messages out through real worker processes, each at or after its time
and exactly once, and two beats at once (a deployment mistake) send nothing twice.

The two-beat run lasts BEAT_SOAK_SECONDS (60 by default, to keep `make test`
short); `BEAT_SOAK_SECONDS=300 bash scripts/test.sh tests/notifications/test_beat.py`
runs it for five minutes.
"""

import os
import random
import socket
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.db import transaction
from django.utils import timezone

from config.celery_app import app, dispatch_schedule
from notifications.models import Kind, Notification, Status
from notifications.services import notification_schedule
from tests.notifications.processes import (
    BEAT_SENDS_DISPATCH,
    CeleryProcesses,
    celery_env,
    forget_broker_messages,
    sms_lines,
)
from tests.notifications.test_worker import wait_for

DISPATCH_SECONDS = 1
SOAK_SECONDS = int(os.environ.get("BEAT_SOAK_SECONDS", "60"))
WAITING = [Status.PENDING, Status.QUEUED, Status.SENDING]


@pytest.fixture
def sms_file(settings, tmp_path) -> Path:
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    # Quiet hours would hold these reminders until morning when the suite runs at
    # night; they are the outbox's own rule, tested in test_timing.py.
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END
    return settings.SMS_FILE_PATH


@pytest.fixture
def processes(sms_file, tmp_path) -> Iterator[CeleryProcesses]:
    env = celery_env(sms_file=sms_file, OUTBOX_DISPATCH_SECONDS=str(DISPATCH_SECONDS))
    started = CeleryProcesses(env=env, directory=tmp_path)
    app.control.purge()
    forget_broker_messages()
    yield started
    started.stop_all()
    forget_broker_messages()


def start(processes: CeleryProcesses, *, workers: int, beats: int) -> list[Path]:
    """Workers answering and beats running, each seen sending a dispatch; the
    beats' logs."""
    names = [f"beat-test-{n}@{socket.gethostname()}" for n in range(workers)]
    for name in names:
        processes.worker(name=name.split("@")[0], concurrency=1)
    logs = [processes.beat(name=f"beat-{n}") for n in range(beats)]

    def workers_answer() -> bool:
        answers = app.control.ping(destination=names, timeout=0.5) or []
        return len(answers) == workers

    wait_for(workers_answer, seconds=60)
    wait_for(lambda: all(dispatches_sent(log) for log in logs), seconds=60)
    return logs


def dispatches_sent(log: Path) -> int:
    if not log.exists():
        return 0
    return log.read_text(encoding="utf-8", errors="replace").count(BEAT_SENDS_DISPATCH)


def schedule(n: int, *, send_at: datetime | None, kind: str) -> Notification:
    phone = f"13{n:09d}"
    with transaction.atomic():
        return notification_schedule(
            phone=phone,
            kind=kind,
            dedupe_key=f"beat:{n}",
            context={"time": "10:00", "site": "A"},
            send_at=send_at,
        )


def assert_each_sent_once_at_or_after_its_time(sms_file: Path) -> None:
    rows = {row.dedupe_key: row for row in Notification.objects.all()}
    lines = sms_lines(sms_file)
    counts = Counter(line["dedupe_key"] for line in lines)
    assert set(counts) == set(rows)
    assert max(counts.values()) == 1
    early = [
        line["dedupe_key"]
        for line in lines
        if datetime.fromisoformat(line["time"]) < rows[line["dedupe_key"]].send_at
    ]
    assert early == []
    assert {row.status for row in rows.values()} == {Status.SENT}


def test_beat_dispatches_at_the_start_of_every_minute_unless_told_otherwise():
    assert dispatch_schedule(60) == crontab(minute="*")
    assert app.conf.beat_schedule["dispatch-due-notifications"]["schedule"] == (
        crontab(minute="*")
    )


def test_a_shorter_dispatch_period_runs_every_that_many_seconds():
    assert dispatch_schedule(2) == timedelta(seconds=2)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_beat_alone_sends_each_scheduled_message_once_at_or_after_its_time(
    processes, sms_file
):
    start(processes, workers=1, beats=1)
    now = timezone.now()
    # A confirmation goes at once, on commit; the reminders only when beat's
    # dispatcher finds them due. Nothing here calls a task or the dispatcher.
    schedule(0, send_at=None, kind=Kind.BOOKING_CONFIRMED)
    for n, seconds in enumerate((3, 6, 9), start=1):
        schedule(n, send_at=now + timedelta(seconds=seconds), kind=Kind.RESULT_READY)

    wait_for(
        lambda: not Notification.objects.filter(status__in=WAITING).exists(),
        seconds=60,
    )

    assert_each_sent_once_at_or_after_its_time(sms_file)
    assert [line["dedupe_key"] for line in sms_lines(sms_file)] == [
        "beat:0",
        "beat:1",
        "beat:2",
        "beat:3",
    ]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_for_a_while_send_every_message_exactly_once(
    processes, sms_file
):
    logs = start(processes, workers=2, beats=2)
    before = [dispatches_sent(log) for log in logs]
    rng = random.Random(4)
    started = time.monotonic()
    n = 0
    # Rows keep coming due through the run: most a few seconds ahead, for the
    # dispatchers of both beats to race for; one in five due at once, whose
    # on-commit send races them too.
    while time.monotonic() - started < SOAK_SECONDS:
        now = timezone.now()
        for _ in range(4):
            n += 1
            if n % 5 == 0:
                schedule(n, send_at=None, kind=Kind.BOOKING_CONFIRMED)
            else:
                ahead = timedelta(seconds=rng.uniform(0.0, 5.0))
                schedule(n, send_at=now + ahead, kind=Kind.REMINDER_DAY_BEFORE)
        time.sleep(0.25)

    wait_for(
        lambda: not Notification.objects.filter(status__in=WAITING).exists(),
        seconds=60,
    )

    assert Notification.objects.count() == n
    assert_each_sent_once_at_or_after_its_time(sms_file)
    # Both beats really dispatched all along, about once a second each.
    during = [dispatches_sent(log) - b for log, b in zip(logs, before, strict=True)]
    assert min(during) >= SOAK_SECONDS // (2 * DISPATCH_SECONDS)
