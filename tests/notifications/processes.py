"""Real `celery worker` and `celery beat` processes on the test database and the
test broker, for what only separate processes can show. Each runs in a process
group of its own, so that it can be stopped or killed whole."""

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import redis
from django.conf import settings as django_settings

BEAT_SENDS_DISPATCH = "Sending due task dispatch-due-notifications"


def database_url() -> str:
    """pytest-django's test database (`test_…`), which the subprocesses must use."""
    db = django_settings.DATABASES["default"]
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def celery_env(*, sms_file: Path, **extra: str) -> dict[str, str]:
    """This process's environment, pointed at the test database, the test broker
    (REDIS_URL as the suite was given it) and the `file` backend at `sms_file`."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
        "SMS_BACKEND": "file",
        "SMS_FILE_PATH": str(sms_file),
        **extra,
    }


def forget_broker_messages() -> None:
    """What a flushed Redis loses, without touching keys that are not ours."""
    redis.Redis.from_url(django_settings.CELERY_BROKER_URL).delete(
        "celery", "messages", "unacked", "unacked_index"
    )


def sms_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


class CeleryProcesses:
    """Starts workers and beats; `stop_all` ends every one it started."""

    def __init__(self, *, env: dict[str, str], directory: Path) -> None:
        self.env = env
        self.directory = directory
        self.started: list[subprocess.Popen] = []

    def _start(self, args: list[str], *, log: Path | None = None) -> subprocess.Popen:
        with contextlib.ExitStack() as stack:
            output = stack.enter_context(log.open("ab")) if log else None
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config.celery_app", *args],
                cwd=django_settings.BASE_DIR,
                env=self.env,
                start_new_session=True,
                stdout=output or subprocess.DEVNULL,
                stderr=output or subprocess.DEVNULL,
            )
        self.started.append(process)
        return process

    def worker(self, *, name: str, concurrency: int = 2) -> subprocess.Popen:
        return self._start(
            [
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                f"--hostname={name}@%h",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ]
        )

    def beat(self, *, name: str) -> Path:
        """A `celery beat` with its own schedule file; returns its log, where
        each dispatch it sends is a line containing BEAT_SENDS_DISPATCH."""
        log = self.directory / f"{name}.log"
        self._start(
            [
                "beat",
                f"--schedule={self.directory / name}-schedule",
                "--loglevel=INFO",
            ],
            log=log,
        )
        return log

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
