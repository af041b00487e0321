"""Answers due at once share one send task while it waits to run (ADR 0008):
none is lost between two runs, a lost task holds nothing back for long, and
without a shared cache the site refuses to start that way."""

import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from celery.signals import before_task_publish
from django.core.cache import cache, caches
from django.core.checks import run_checks
from django.db import connection, transaction
from django.utils import timezone
from redis.exceptions import ResponseError

from notifications.backends.base import SendResult
from notifications.models import Kind, Notification, Status
from notifications.services import (
    IMMEDIATE_KICK_KEY,
    Scheduled,
    handover,
    immediate,
    notification_schedule,
    notifications_schedule_new,
    notifications_send_immediate,
)
from notifications.tasks import (
    notification_send_task,
    notifications_send_immediate_task,
)
from tests.notifications.processes import sms_lines
from tests.notifications.test_services import use_gateway
from tests.notifications.test_worker import wait_for

# The production backend (config/settings/base.py).
REDIS_CACHE = "common.redis_cache.ReusingRedisCache"


@pytest.fixture
def shared_cache(settings) -> Iterator[None]:
    """The production arrangement: kicks on, noted in a Redis every process sees
    (a prefix of its own, so nothing else in that database is touched)."""
    settings.CACHES = {
        "default": {
            "BACKEND": REDIS_CACHE,
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": f"test-kick-{uuid.uuid4().hex}",
        }
    }
    settings.OUTBOX_COALESCE_IMMEDIATE = True
    yield
    cache.delete(IMMEDIATE_KICK_KEY)


@pytest.fixture(autouse=True)
def fresh_process() -> Iterator[None]:
    """Each test starts as a new process: it knows of no task on its way."""
    handover.kick_memory_clear()
    yield
    handover.kick_memory_clear()


class Clock:
    """The kicks' clock, moved by hand: a test runs the task when it would
    start, not earlier."""

    def __init__(self, linger_ms: int) -> None:
        self.now = time.time()
        self.linger = linger_ms / 1000

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def to_task_start(self) -> None:
        self.advance(self.linger)


@pytest.fixture
def clock(monkeypatch, settings) -> Clock:
    ticking = Clock(settings.OUTBOX_IMMEDIATE_LINGER_MS)
    monkeypatch.setattr(handover, "_clock", ticking)
    return ticking


@pytest.fixture
def sms_file(settings, tmp_path) -> Path:
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    return settings.SMS_FILE_PATH


@pytest.fixture
def kicks(monkeypatch) -> list[float | None]:
    """The kick's task as it would reach the broker, recorded instead; the real
    broker and worker carry it in the end-to-end test below."""
    published: list[float | None] = []
    monkeypatch.setattr(
        notifications_send_immediate_task,
        "apply_async",
        lambda countdown=None: published.append(countdown),
    )
    return published


def confirm(n: int, *, kind: str = Kind.BOOKING_CONFIRMED) -> Notification:
    with transaction.atomic():
        return notification_schedule(
            phone=f"139{n:08d}",
            kind=kind,
            dedupe_key=f"kick:{kind}:{n}",
            context={"time": "10:00", "site": "A", "code": "123456"},
        )


def sent_keys(sms_file: Path) -> Counter:
    return Counter(line["dedupe_key"] for line in sms_lines(sms_file))


@pytest.mark.django_db(transaction=True)
def test_answers_committed_before_the_send_task_starts_share_one_task(
    shared_cache, kicks, sms_file
) -> None:
    rows = [confirm(n) for n in range(20)]

    # Published to start a moment later, so that a surge's answers gather.
    assert kicks == [0.2]
    assert notifications_send_immediate() == 20
    assert sent_keys(sms_file) == Counter({row.dedupe_key: 1 for row in rows})
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}


@pytest.mark.django_db(transaction=True)
def test_an_answer_committed_after_a_run_began_kicks_the_next_run(
    shared_cache, kicks, sms_file, clock
) -> None:
    first = confirm(1)
    assert len(kicks) == 1
    clock.to_task_start()
    assert notifications_send_immediate() == 1
    # The run freed the note before it looked for rows.
    assert cache.get(IMMEDIATE_KICK_KEY) is None

    second = confirm(2)

    assert len(kicks) == 2
    assert notifications_send_immediate() == 1
    assert sent_keys(sms_file) == Counter({first.dedupe_key: 1, second.dedupe_key: 1})


@pytest.mark.django_db(transaction=True)
def test_a_row_committed_after_a_run_chose_its_rows_is_never_stranded(
    shared_cache, kicks, sms_file, clock
) -> None:
    """The run frees the note before it looks, so a row it did not see kicks a
    run of its own."""
    confirm(1)
    clock.to_task_start()
    real_send_batch = immediate.notifications_send_batch
    late: list[Notification] = []

    def commit_another_meanwhile(*, notification_ids: list[int]) -> list[int]:
        if not late:
            late.append(confirm(2))
        return real_send_batch(notification_ids=notification_ids)

    with mock.patch.object(
        immediate, "notifications_send_batch", commit_another_meanwhile
    ):
        assert notifications_send_immediate() == 1

    assert Notification.objects.get(pk=late[0].pk).status == Status.PENDING
    assert len(kicks) == 2
    assert notifications_send_immediate() == 1
    assert sent_keys(sms_file) == Counter(
        {"kick:booking_confirmed:1": 1, late[0].dedupe_key: 1}
    )


@pytest.mark.django_db(transaction=True)
def test_a_lost_send_task_holds_back_the_next_kick_only_until_its_note_expires(
    shared_cache, kicks, sms_file, settings
) -> None:
    settings.OUTBOX_IMMEDIATE_KICK_SECONDS = 1
    confirm(1)  # its task is lost with the broker
    confirm(2)
    assert len(kicks) == 1

    wait_for(lambda: cache.get(IMMEDIATE_KICK_KEY) is None, seconds=5)
    confirm(3)

    assert len(kicks) == 2
    assert notifications_send_immediate() == 3
    assert len(sent_keys(sms_file)) == 3


@pytest.mark.django_db(transaction=True)
def test_every_answer_of_a_new_booking_in_one_insert_kicks_once(
    shared_cache, kicks, sms_file
) -> None:
    with transaction.atomic():
        notifications_schedule_new(
            phone="13900000001",
            messages=[
                Scheduled(
                    kind=Kind.BOOKING_CONFIRMED,
                    dedupe_key="kick:new:confirmed",
                    context={"time": "10:00", "site": "A"},
                ),
                Scheduled(
                    kind=Kind.REMINDER_DAY_BEFORE,
                    dedupe_key="kick:new:reminder",
                    context={"time": "10:00", "site": "A"},
                    send_at=timezone.now() + timedelta(days=2),
                ),
            ],
        )

    assert len(kicks) == 1
    assert notifications_send_immediate() == 1
    assert set(sent_keys(sms_file)) == {"kick:new:confirmed"}
    assert Notification.objects.get(dedupe_key="kick:new:reminder").status == (
        Status.PENDING
    )


@pytest.mark.django_db(transaction=True)
def test_a_due_reminder_keeps_a_send_task_of_its_own(
    shared_cache, kicks, monkeypatch, settings
) -> None:
    """Only the answers share a run; what beat would send goes on by itself, as
    before, and the run leaves it alone."""
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END
    enqueued: list[int] = []
    monkeypatch.setattr(notification_send_task, "delay", enqueued.append)

    reminder = confirm(1, kind=Kind.REMINDER_SAME_DAY)

    assert kicks == []
    assert enqueued == [reminder.pk]
    assert notifications_send_immediate() == 0
    assert Notification.objects.get(pk=reminder.pk).status == Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_run_leaves_future_answers_and_rows_claimed_elsewhere_alone(
    shared_cache, kicks, sms_file
) -> None:
    later = Notification.objects.create(
        kind=Kind.BOOKING_CONFIRMED,
        recipient_phone="13900000002",
        recipient_hash="a" * 64,
        dedupe_key="kick:later",
        send_at=timezone.now() + timedelta(minutes=5),
    )
    elsewhere = Notification.objects.create(
        kind=Kind.BOOKING_CONFIRMED,
        recipient_phone="13900000003",
        recipient_hash="b" * 64,
        dedupe_key="kick:elsewhere",
        send_at=timezone.now() - timedelta(seconds=1),
        status=Status.SENDING,
        claimed_at=timezone.now(),
    )

    assert notifications_send_immediate() == 0
    assert Notification.objects.get(pk=later.pk).status == Status.PENDING
    assert Notification.objects.get(pk=elsewhere.pk).status == Status.SENDING
    assert not sms_file.exists() or sent_keys(sms_file) == Counter()


@pytest.mark.django_db(transaction=True)
def test_a_send_the_gateway_refuses_for_now_waits_for_its_retry_not_this_run(
    shared_cache, kicks
) -> None:
    row = confirm(1)

    with use_gateway(SendResult(accepted=False, error="throttled", transient=True)):
        notifications_send_immediate()

    row.refresh_from_db()
    assert row.status == Status.PENDING
    assert row.attempts == 1
    assert row.send_at > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_with_its_cache_unreachable_every_kick_after_a_task_s_start_publishes(
    settings, kicks, sms_file, caplog, clock
) -> None:
    """Without the note no other process can know of the task: each one that
    finds no task of its own on the way publishes one. Nothing waits for beat."""
    settings.CACHES = {
        "default": {"BACKEND": REDIS_CACHE, "LOCATION": "redis://127.0.0.1:1/0"}
    }
    settings.OUTBOX_COALESCE_IMMEDIATE = True

    confirm(1)
    clock.to_task_start()
    confirm(2)

    assert len(kicks) == 2
    assert "notifications.kick_without_cache" in caplog.text
    assert notifications_send_immediate() == 2


# --- the process's memory of the task on its way (docs/adr/0022)


@pytest.fixture
def cache_asked(shared_cache, monkeypatch) -> list[str]:
    """Every round trip a kick makes to the shared cache, recorded as it goes."""
    asked: list[str] = []
    # The backend itself, not the proxy: the settings change back first.
    backend = caches["default"]
    real = backend.add_or_read

    def counted(*args, **kwargs):
        asked.append("add_or_read")
        return real(*args, **kwargs)

    monkeypatch.setattr(backend, "add_or_read", counted)
    return asked


@pytest.mark.django_db(transaction=True)
def test_answers_committed_before_the_task_starts_ask_the_cache_once(
    shared_cache, kicks, sms_file, clock, cache_asked
) -> None:
    rows = [confirm(n) for n in range(10)]

    assert kicks == [0.2]
    assert cache_asked == ["add_or_read"]
    clock.to_task_start()
    assert notifications_send_immediate() == 10
    assert sent_keys(sms_file) == Counter({row.dedupe_key: 1 for row in rows})


@pytest.mark.django_db(transaction=True)
def test_a_process_that_finds_another_s_note_skips_the_cache_until_its_start(
    shared_cache, kicks, clock, cache_asked
) -> None:
    # Another process published the task, to start 0.2 s from now.
    cache.set(IMMEDIATE_KICK_KEY, clock.now + 0.2, timeout=5)

    confirm(1)
    confirm(2)
    assert kicks == []
    assert cache_asked == ["add_or_read"]

    clock.advance(0.2)
    confirm(3)
    assert cache_asked == ["add_or_read", "add_or_read"]


@pytest.mark.parametrize(
    "ahead",
    [
        # Written before the note held a start time: it holds 1.
        None,
        # A start further away than the linger: a machine whose clock is wrong.
        600.0,
    ],
)
@pytest.mark.django_db(transaction=True)
def test_a_note_without_a_start_to_trust_is_asked_again_on_every_kick(
    shared_cache, kicks, clock, cache_asked, ahead
) -> None:
    """Nothing waits on a note that gives no start it can believe."""
    noted = 1 if ahead is None else clock.now + ahead
    cache.set(IMMEDIATE_KICK_KEY, noted, timeout=5)

    confirm(1)
    confirm(2)

    assert kicks == []
    assert cache_asked == ["add_or_read", "add_or_read"]


@pytest.mark.django_db(transaction=True)
def test_with_no_linger_every_kick_asks_the_cache(
    shared_cache, kicks, settings, cache_asked
) -> None:
    settings.OUTBOX_IMMEDIATE_LINGER_MS = 0  # the task may start at once

    confirm(1)
    confirm(2)

    assert kicks == [None]
    assert cache_asked == ["add_or_read", "add_or_read"]


def test_add_or_read_stores_once_and_then_answers_what_it_holds(shared_cache) -> None:
    assert cache.add_or_read("kick-test", 1.5, timeout=5) == (True, None)
    assert cache.add_or_read("kick-test", 2.5, timeout=5) == (False, 1.5)
    assert cache.get("kick-test") == 1.5
    cache.delete("kick-test")


def test_add_or_read_on_a_redis_without_nx_get_takes_two_round_trips(
    shared_cache, monkeypatch
) -> None:
    client = cache._cache.get_client(write=True)

    def refuse(*args, **kwargs):
        if kwargs.get("get"):
            raise ResponseError("syntax error")
        return type(client).set(client, *args, **kwargs)

    monkeypatch.setattr(client, "set", refuse)

    assert cache.add_or_read("kick-old", 1.5, timeout=5) == (True, None)
    assert cache.add_or_read("kick-old", 2.5, timeout=5) == (False, 1.5)
    cache.delete("kick-old")


def test_sharing_send_tasks_with_a_cache_kept_per_process_stops_the_site(
    settings,
) -> None:
    settings.OUTBOX_COALESCE_IMMEDIATE = True
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }

    assert "notifications.E001" in {message.id for message in run_checks()}

    settings.CACHES = {"default": {"BACKEND": REDIS_CACHE, "LOCATION": "redis://x"}}
    assert "notifications.E001" not in {message.id for message in run_checks()}
    settings.OUTBOX_COALESCE_IMMEDIATE = False
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    assert "notifications.E001" not in {message.id for message in run_checks()}


# --- end to end: concurrent bookings' answers through the real broker and worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_answers_committed_at_once_by_many_requests_each_reach_the_gateway_once(
    shared_cache, celery_worker_thread, sms_file
) -> None:
    published: Counter = Counter()

    def count(sender: str, **kwargs: object) -> None:
        published[sender] += 1

    before_task_publish.connect(count, weak=False)
    threads = 8
    per_thread = 15
    barrier = threading.Barrier(threads)

    def commit_answers(thread: int) -> None:
        barrier.wait(timeout=30)
        try:
            for n in range(per_thread):
                confirm(thread * 100 + n)
        finally:
            connection.close()

    try:
        workers = [
            threading.Thread(target=commit_answers, args=(t,)) for t in range(threads)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        total = threads * per_thread
        wait_for(
            lambda: Notification.objects.filter(status=Status.SENT).count() == total,
            seconds=30,
        )
    finally:
        before_task_publish.disconnect(count)

    counts = sent_keys(sms_file)
    assert len(counts) == total
    assert max(counts.values()) == 1
    # Shared: far fewer runs than answers, and no task per answer.
    assert 1 <= published["notifications.send_immediate"] < total
    assert published["notifications.send"] == 0
