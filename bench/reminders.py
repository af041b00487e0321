"""100,000 due reminders through the outbox and the `file` backend (SPEC §7).

Two `celery worker` processes (prefork, one child each) send what one dispatcher,
standing in for beat, claims. Passes when every reminder is in the file exactly
once within 120 s of the first claim. From a clean clone, after `make test`
(which installs the tools), with PostgreSQL and Redis running:

    .venv/bin/python bench/reminders.py

DATABASE_URL (default ankang_bench_sms) and REDIS_URL (default database 12) name
a throwaway database and Redis database: it is created and migrated, and the rows
it leaves are deleted at the next run.

`--smoke` sends 300 through the same two workers from a throwaway database of its
own (bench/smoke.py) and the Redis of REDIS_URL, checks that each is in the file
exactly once, and drops the database.
"""

import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import smoke  # noqa: E402

SMOKE = smoke.requested()
if SMOKE:
    smoke.enter("reminders")
    SMOKE_DIR = tempfile.mkdtemp(prefix="reminders-smoke-")
    os.environ["SMS_FILE_PATH"] = str(Path(SMOKE_DIR) / "reminders.jsonl")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/ankang_bench_sms")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")
os.environ["CELERY_BROKER_URL"] = os.environ["REDIS_URL"]
os.environ["SMS_BACKEND"] = "file"
os.environ.setdefault("SMS_FILE_PATH", str(ROOT / "var" / "bench" / "reminders.jsonl"))
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.report import replace_section  # noqa: E402
from common.crypto import keyed_hash  # noqa: E402
from config.celery_app import app  # noqa: E402
from notifications.backends.file import index_path  # noqa: E402
from notifications.models import Kind, Notification, Status  # noqa: E402
from notifications.services import notifications_dispatch_due  # noqa: E402

COUNT = 300 if SMOKE else int(os.environ.get("BENCH_REMINDERS", "100000"))
WORKERS = 2
TARGET_SECONDS = 120
PREFIX = "bench:reminder:"
SECTION = "## Reminders through the outbox"
# Kept beside each new figure: what the send path measured before it was batched,
# alone and in runs alternating with the batched one on a machine busy with other
# work.
HISTORY = (
    "Before (one claim and one outcome statement per message, one file lock per "
    "line, a new database connection per task, ten indexes): 105.5 s (948/s) on "
    "2026-11-24; alternating with the batched path under the same load (load "
    "average 4-8), 137.4 s and 115.8 s before against 50.2 s and 59.3 s after"
)


def seed(path: Path) -> None:
    Notification.objects.filter(dedupe_key__startswith=PREFIX).delete()
    for stale in (path, index_path(path)):
        stale.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    due = timezone.now() - timedelta(minutes=1)
    rows = []
    for n in range(COUNT):
        # A phone each: the daily limit per phone is the dispatcher's, not the
        # subject of this measurement.
        phone = f"13{n:09d}"
        rows.append(
            Notification(
                kind=Kind.REMINDER_DAY_BEFORE,
                recipient_phone=phone,
                recipient_hash=keyed_hash(phone, purpose="phone"),
                context={"time": "09:00", "site": "Bench"},
                dedupe_key=f"{PREFIX}{n}",
                send_at=due,
            )
        )
    Notification.objects.bulk_create(rows, batch_size=5000)


def start_workers() -> list[subprocess.Popen]:
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery", "unacked", "unacked_index")
    workers = [
        subprocess.Popen(  # one process each, as two machines would run them
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config.celery_app",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                f"--hostname=bench{n}@%h",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            start_new_session=True,
        )
        for n in range(WORKERS)
    ]
    deadline = time.monotonic() + 60
    while len(app.control.ping(timeout=1.0) or []) < WORKERS:
        if time.monotonic() > deadline:
            raise SystemExit("The workers did not start.")
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=30)


def run(path: Path) -> tuple[float, int, int]:
    """Seconds from the first claim to the last row sent; keys twice; keys missing."""
    # Over the status index: the bench's own polling must not load the database.
    waiting = Notification.objects.filter(
        status__in=[Status.PENDING, Status.QUEUED, Status.SENDING]
    )
    started = time.monotonic()
    last_dispatch = 0.0
    while waiting.exists():
        if time.monotonic() - started > 5 * TARGET_SECONDS:
            break
        # Beat claims once a minute; every 10 s only picks up the rare retry sooner.
        if time.monotonic() - last_dispatch > 10:
            claimed = notifications_dispatch_due()
            if os.environ.get("BENCH_VERBOSE"):
                print(f"dispatched {claimed} in {time.monotonic() - started:.1f} s")
            last_dispatch = time.monotonic()
        time.sleep(0.5)
    elapsed = time.monotonic() - started
    keys = re.compile(r'"dedupe_key": "([^"]+)"')
    lines = Counter(keys.findall(path.read_text(encoding="utf-8")))
    twice = sum(1 for n in lines.values() if n > 1)
    missing = sum(1 for n in range(COUNT) if f"{PREFIX}{n}" not in lines)
    return elapsed, twice, missing


def write_section(summary: str, *, load: str) -> None:
    """This benchmark's section of docs/benchmarks.md; the others stay as they are."""
    body = (
        "`bench/reminders.py`: due reminder rows bulk-created, claimed by one "
        "dispatcher (as beat), sent through the `file` backend by two `celery "
        "worker` processes (prefork, one child each) on PostgreSQL and Redis; "
        "every dedupe key counted in the file afterwards. Target (SPEC §7): "
        "100,000 in ≤ 120 s, none twice.\n\n"
        f"- Date: {time.strftime('%Y-%m-%d')}; {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average {load} (other work on the "
        "machine slows the run)\n"
        f"- {summary}\n"
        f"- {HISTORY}\n"
    )
    replace_section(ROOT / "docs" / "benchmarks.md", SECTION, body)


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def ensure_database() -> None:
    """Create the database of DATABASE_URL when missing, then migrate it."""
    db = settings.DATABASES["default"]
    with smoke.psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        found = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone()
        if not found:
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0)


def run_smoke() -> None:
    """The same path at COUNT rows; the database and the file are dropped after."""
    url = os.environ["DATABASE_URL"]
    path = Path(settings.SMS_FILE_PATH)
    try:
        ensure_database()
        seed(path)
        workers = start_workers()
        try:
            _elapsed, twice, missing = run(path)
        finally:
            stop_workers(workers)
        left = Notification.objects.exclude(status=Status.SENT).count()
    finally:
        from django.db import connection

        connection.close()
        smoke.drop_database(url)
        shutil.rmtree(SMOKE_DIR, ignore_errors=True)
    checks = {"rows": COUNT, "twice": twice, "missing": missing, "not_sent": left}
    smoke.report("reminders", checks, ok=twice == 0 and missing == 0 and left == 0)


def main() -> None:
    if SMOKE:
        run_smoke()
        return
    ensure_database()
    path = Path(settings.SMS_FILE_PATH)
    seed(path)
    load_before = load_average()
    workers = start_workers()
    try:
        elapsed, twice, missing = run(path)
    finally:
        stop_workers(workers)
    passed = elapsed <= TARGET_SECONDS and twice == 0 and missing == 0
    summary = (
        f"reminders: {COUNT} sent by {WORKERS} worker processes in {elapsed:.1f} s "
        f"({COUNT / elapsed:.0f}/s); twice {twice}, missing {missing} "
        f"[target <= {TARGET_SECONDS} s, none twice: {'PASS' if passed else 'FAIL'}]"
    )
    load = f"{load_before} before, {load_average()} after"
    print(summary, f"(load average {load})")
    write_section(summary, load=load)
    Notification.objects.filter(dedupe_key__startswith=PREFIX).delete()


if __name__ == "__main__":
    main()
