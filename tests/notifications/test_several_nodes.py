"""The production shape on one machine: two web process groups (gunicorn) on their
own ports, a worker on the `messages` queue and one on `celery`, one beat, all on
the test database and the test broker. A booking surge split over both web
groups fills the last places exactly and confirms each booking once; a message
worker killed mid-batch and a flushed broker lose nothing and send nothing twice."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings

from config.celery_app import app
from notifications.models import Notification, Status
from scheduling.models import Appointment, Slot
from tests.notifications.processes import (
    CeleryProcesses,
    celery_env,
    forget_broker_messages,
)
from tests.notifications.test_worker import wait_for
from tests.notifications.test_worker_faults import (
    BATCH,
    due_rows,
    keys_in,
    pretend_claims_timed_out,
)
from tests.scheduling.factories import ConsentedParticipantFactory, SlotFactory
from tests.screening.factories import bearer_token

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WEB_GROUPS = 2
PLACES = 10
WOMEN = 40


def free_ports(count: int, first: int = 6500, last: int = 6599) -> list[int]:
    found = []
    for port in range(first, last + 1):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                found.append(port)
        if len(found) == count:
            return found
    raise RuntimeError("no free ports for the web groups")


class Nodes(CeleryProcesses):
    """The processes of the shape; `stop_all` ends every one."""

    def web(self, *, port: int) -> subprocess.Popen:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--workers=1",
                f"--bind=127.0.0.1:{port}",
                "--log-level=warning",
            ],
            cwd=django_settings.BASE_DIR,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.started.append(process)
        return process

    def queue_worker(self, *, name: str, queue: str) -> subprocess.Popen:
        return self._start(
            [
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                f"--queues={queue}",
                f"--hostname={name}@%h",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ]
        )


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
            return True
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def sms_file(tmp_path_factory) -> Path:
    """Where the nodes' `file` backend writes; each test reads its own keys."""
    return tmp_path_factory.mktemp("nodes") / "sms.jsonl"


@pytest.fixture(scope="module")
def shape(sms_file) -> Iterator[tuple[Nodes, list[int]]]:
    """Started once for the module: the processes hold no state of a test."""
    env = celery_env(
        sms_file=sms_file,
        OUTBOX_SEND_BATCH_SIZE=str(BATCH),
        OUTBOX_DISPATCH_SECONDS="1",
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    nodes = Nodes(env=env, directory=sms_file.parent)
    app.control.purge()
    forget_broker_messages()
    ports = free_ports(WEB_GROUPS)
    try:
        for port in ports:
            nodes.web(port=port)
        nodes.queue_worker(name="messages-1", queue="messages")
        nodes.queue_worker(name="slow-1", queue="celery")
        nodes.beat(name="beat")
        wait_for(lambda: all(answers(port) for port in ports), seconds=30)
        yield nodes, ports
    finally:
        nodes.stop_all()
        forget_broker_messages()


def book(port: int, key: str, slot_id: int, barrier: threading.Barrier) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/appointments/",
        data=json.dumps({"slot": slot_id}).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    barrier.wait(timeout=30)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_surge_over_two_web_groups_fills_the_last_places_and_confirms_each_once(
    shape, sms_file
) -> None:
    _nodes, ports = shape
    slot = SlotFactory(capacity=PLACES, campaign__quota=1000)
    women = ConsentedParticipantFactory.create_batch(WOMEN)
    keys = [bearer_token(phone=w.phone, participant=w) for w in women]
    barrier = threading.Barrier(WOMEN)

    with ThreadPoolExecutor(max_workers=WOMEN) as pool:
        statuses = list(
            pool.map(
                lambda n: book(ports[n % WEB_GROUPS], keys[n], slot.pk, barrier),
                range(WOMEN),
            )
        )

    slot.refresh_from_db()
    booked = set(
        Appointment.objects.filter(slot=slot).values_list("participant_id", flat=True)
    )
    assert Counter(statuses)[201] == PLACES
    assert len(statuses) - Counter(statuses)[201] == WOMEN - PLACES
    assert slot.booked == PLACES == len(booked)

    # The confirmations go by the `messages` worker, one per booking.
    def confirmations() -> Counter:
        lines = keys_in(sms_file)
        return Counter({k: n for k, n in lines.items() if not k.startswith("nodes:")})

    wait_for(lambda: sum(confirmations().values()) >= PLACES, seconds=30)
    time.sleep(1.5)
    assert sum(confirmations().values()) == PLACES
    assert max(confirmations().values()) == 1
    assert Slot.objects.get(pk=slot.pk).booked == PLACES


def test_a_message_worker_killed_mid_batch_and_a_flushed_broker_lose_nothing(
    shape, sms_file
) -> None:
    nodes, _ports = shape
    [messages_worker] = [
        p for p in nodes.started if "--queues=messages" in " ".join(map(str, p.args))
    ]

    def sent() -> int:
        return sum(n for k, n in keys_in(sms_file).items() if k.startswith("nodes:"))

    rows = due_rows(300, prefix="nodes")
    # A row of every batch after the first is held, so that the worker is inside
    # a batch when it is killed.
    held = [row.pk for row in rows[BATCH + 5 :: BATCH]]
    db = django_settings.DATABASES["default"]
    locker = psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname=db["NAME"],
    )
    try:
        locker.execute(
            "SELECT id FROM notifications_notification WHERE id = ANY(%s) FOR UPDATE",
            [held],
        )
        # Beat dispatches within a second; the first batch goes out, then a held row.
        wait_for(lambda: sent() >= BATCH, seconds=30)
        time.sleep(0.5)
        os.killpg(messages_worker.pid, signal.SIGKILL)
        messages_worker.wait(timeout=10)
    finally:
        locker.rollback()
        locker.close()
    assert 0 < sent() < 300
    forget_broker_messages()

    pretend_claims_timed_out()
    nodes.queue_worker(name="messages-2", queue="messages")
    # Beat alone finds the rows whose claims ran out and enqueues them again.
    wait_for(
        lambda: Notification.objects.filter(status=Status.SENT).count() == 300,
        seconds=60,
    )

    lines = Counter(
        {k: n for k, n in keys_in(sms_file).items() if k.startswith("nodes:")}
    )
    assert set(lines) == {row.dedupe_key for row in rows}
    assert max(lines.values()) == 1
