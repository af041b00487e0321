"""The chain under faults: a worker killed with SIGKILL mid-chain and a flushed
broker, with real worker processes, the WeChat stand-in and the file SMS
backend. Every message arrives exactly once, on exactly one channel."""

import importlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.utils import timezone

from common.crypto import keyed_hash
from config.celery_app import app
from notifications.models import Channel, Kind, Notification, Status
from notifications.services import notifications_dispatch_due
from tests.notifications.processes import celery_env, forget_broker_messages
from tests.notifications.test_worker import wait_for
from tests.stand_ins.wechat import APP_ID, APP_SECRET, WeChatStandIn

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

COUNT = 60


@pytest.fixture
def wechat_server(settings) -> Iterator[WeChatStandIn]:
    with WeChatStandIn() as server:
        server.configure(settings)
        yield server


@pytest.fixture
def sms_file(settings, tmp_path) -> Path:
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    return settings.SMS_FILE_PATH


def _rows() -> list[Notification]:
    """Confirmations due now, each to a woman with WeChat bound; every third
    refuses WeChat messages, so hers must go on to SMS."""
    now = timezone.now()
    rows = []
    for n in range(COUNT):
        phone = f"139{n:08d}"
        rows.append(
            Notification(
                kind=Kind.BOOKING_CONFIRMED,
                channel=Channel.WECHAT,
                fallback=[Channel.SMS],
                recipient_openid=f"o-{n:04d}",
                recipient_phone=phone,
                recipient_hash=keyed_hash(phone, purpose="phone"),
                dedupe_key=f"chain:{n}",
                context={
                    "date": "12月4日",
                    "time": "09:00",
                    "site": "市妇幼",
                    "reference": f"R{n}",
                },
                send_at=now - timedelta(minutes=1),
            )
        )
    return Notification.objects.bulk_create(rows)


def _start_worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
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


def _sms_keys(path: Path) -> Counter:
    if not path.exists():
        return Counter()
    return Counter(
        json.loads(line)["dedupe_key"] for line in path.read_text("utf-8").splitlines()
    )


def _settled() -> bool:
    notifications_dispatch_due()
    done = Notification.objects.filter(status=Status.SENT).count()
    return done == COUNT


def test_a_worker_killed_mid_chain_and_a_flushed_broker_lose_nothing_and_repeat_nothing(
    wechat_server, sms_file
):
    from notifications.models import MessageTemplate

    # A transactional test run before this one flushes the seeded texts; the
    # workers render from them, so they are put back first.
    importlib.import_module(
        "notifications.migrations.0002_seed_message_templates"
    ).seed(django_apps, None)
    MessageTemplate.objects.filter(kind="booking_confirmed").update(
        wechat_template_id="TPL-BOOKED", wechat_fields={"thing1": "site"}
    )
    refusing = {f"o-{n:04d}" for n in range(0, COUNT, 3)}
    wechat_server.state.refusing.update(refusing)
    rows = _rows()
    env = celery_env(
        sms_file=sms_file,
        WECHAT_BACKEND="wechat",
        WECHAT_APP_ID=APP_ID,
        WECHAT_APP_SECRET=APP_SECRET,
        WECHAT_API_BASE=wechat_server.base,
    )
    app.control.purge()
    forget_broker_messages()
    notifications_dispatch_due()
    # Rows held locked stop the workers part-way: some sent, some not.
    held = [row.pk for row in rows[COUNT // 2 :: 7]]
    db = django_settings.DATABASES["default"]
    locker = psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
    )
    first = _start_worker(env)
    try:
        locker.execute(
            "SELECT id FROM notifications_notification WHERE id = ANY(%s) FOR UPDATE",
            [held],
        )
        wait_for(lambda: len(wechat_server.state.sent) >= 10, seconds=60)
        time.sleep(0.5)
    finally:
        # Killed whatever happened above: a worker left running would take the
        # next tests' tasks from the same broker.
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        locker.rollback()
        locker.close()
    # The broker loses everything it held (a Redis flush).
    forget_broker_messages()
    Notification.objects.filter(status__in=[Status.QUEUED, Status.SENDING]).update(
        claimed_at=timezone.now() - timedelta(hours=1)
    )
    second = _start_worker(env)
    try:
        wait_for(_settled, seconds=120)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=20)
    forget_broker_messages()

    by_wechat = Counter(sent["touser"] for sent in wechat_server.state.sent)
    by_sms = _sms_keys(sms_file)
    assert set(by_wechat) == {f"o-{n:04d}" for n in range(COUNT)} - refusing
    assert max(by_wechat.values()) == 1
    assert set(by_sms) == {f"chain:{n}|sms" for n in range(0, COUNT, 3)}
    assert max(by_sms.values()) == 1
