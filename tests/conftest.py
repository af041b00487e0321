"""Suite-wide set-up: the real PostgreSQL and Redis must answer before anything runs."""

import os
from collections.abc import Iterator
from urllib.parse import urlparse

import psycopg
import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import cache

from config.celery_app import app as celery_app
from notifications import rendering
from notifications.backends import locmem
from tests import pooler


def pytest_sessionstart(session: pytest.Session) -> None:
    problems = []
    db = settings.DATABASES["default"]
    try:
        psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.OperationalError as exc:
        problems.append(
            f"PostgreSQL at {db['HOST']}:{db['PORT']} is unreachable ({exc}).\n"
            "  Start it: pg_ctlcluster --skip-systemctl-redirect "
            "$(ls /etc/postgresql) main start\n  or point DATABASE_URL at a server."
        )
    redis_url = os.environ.get("REDIS_URL", settings.REDIS_URL)
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        where = urlparse(redis_url).netloc
        problems.append(
            f"Redis at {where} is unreachable ({exc}).\n"
            '  Start it: redis-server --daemonize yes --port 6379 --save ""\n'
            "  or point REDIS_URL at a server."
        )
    if problems:
        pytest.exit("\n".join(["The test suite needs real services:", *problems]), 3)


@pytest.fixture(autouse=True)
def _empty_sms_outbox() -> None:
    locmem.outbox.clear()
    # A template cached in a rolled-back test must not leak into the next.
    rendering._cache.clear()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # A listing or landing page cached by one test must not answer the next.
    cache.clear()


@pytest.fixture
def sms_outbox() -> list:
    return locmem.outbox


@pytest.fixture
def celery_worker_thread() -> Iterator[None]:
    """A real Celery worker on the real Redis broker, in a thread of this process.
    Tests that use it need `django_db(transaction=True)` so it sees their rows."""
    celery_app.control.purge()
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"
    ):
        yield


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(
    django_db_setup: None, django_db_blocker
) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Threads that served tests (the live server, an in-process worker) may leave
    a connection open, and PostgreSQL will not drop a database in use: end them
    before the test database is dropped."""
    yield
    from django.db import connection

    if not connection.settings_dict["NAME"].startswith("test_"):
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()
    if settings.POOLER == "pgbouncer":
        pooler.release_database(connection.settings_dict)
