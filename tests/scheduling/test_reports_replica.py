"""The union's reports and exports read a real streaming replica of the test
cluster (scripts/replica.sh: pg_basebackup, a second cluster on its own port),
never write there, and say how far behind it is."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Role
from common.models import AuditEvent
from common.report_reads import REPORTS_ALIAS, ReportsRouter, report_reads
from scheduling.models import Slot
from tests.accounts.factories import UserFactory
from tests.scheduling.factories import AppointmentFactory
from tests.scheduling.test_reports_turnout import World, build_world

ROOT = Path(settings.BASE_DIR)
TURNOUT = "/api/v1/reports/turnout/"
CSV = "/api/v1/reports/turnout.csv"
OUTCOMES = "/api/v1/reports/outcomes/"
# Replaying is paused this long: the lag reported must be at least this.
PAUSE_SECONDS = 3
# A replica that has replayed what it was sent may still show a moment's lag on a
# busy machine: every database of the cluster streams to it.
CAUGHT_UP_SECONDS = 2.5
WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "CREATE", "DROP", "ALTER")


def free_port(first: int = 6500, last: int = 6599) -> int:
    """A free port for the replica, in the range the project's test servers use."""
    wanted = os.environ.get("REPLICA_PORT")
    if wanted:
        return int(wanted)
    for port in range(first, last + 1):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port for the replica")


def primary_port() -> str:
    # Behind a pooler the copy is still taken from PostgreSQL itself.
    return os.environ.get("PRIMARY_PORT", "5432")


@pytest.fixture(scope="module")
def replica(django_db_setup, django_db_blocker) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A streaming replica of the test database's cluster, as the `reports`
    database, for this module's tests."""
    directory = Path(tempfile.mkdtemp(prefix="ankang-replica-"))
    port = free_port()
    env = {**os.environ, "PRIMARY_PORT": primary_port()}
    script = [str(ROOT / "scripts" / "replica.sh")]
    subprocess.run(
        ["bash", *script, "start", str(directory), str(port)], env=env, check=True
    )
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    connections.settings[REPORTS_ALIAS] = {
        **primary,
        "HOST": "127.0.0.1",
        "PORT": port,
        "OPTIONS": {**primary["OPTIONS"], "prepare_threshold": None},
        "TEST": {**primary["TEST"], "MIRROR": DEFAULT_DB_ALIAS},
    }
    try:
        yield REPORTS_ALIAS
    finally:
        with django_db_blocker.unblock():
            connections[REPORTS_ALIAS].close()
        del connections[REPORTS_ALIAS]
        del connections.settings[REPORTS_ALIAS]
        subprocess.run(["bash", *script, "stop", str(directory)], env=env, check=False)
        shutil.rmtree(directory, ignore_errors=True)


def on_replica(sql: str, params: list | None = None) -> tuple:
    with connections[REPORTS_ALIAS].cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()


def caught_up() -> None:
    """Wait until the replica has replayed everything the primary has written."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        (target,) = cursor.fetchone()
    for _ in range(100):
        if on_replica("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])[0]:
            return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up in 5 s")


def union_client() -> APIClient:
    """Signed in for the API and the dashboard page alike."""
    client = APIClient()
    client.force_login(UserFactory(role=Role.UNION))
    return client


def book_more(world: World, count: int) -> None:
    slot = Slot.objects.filter(campaign=world.campaign).first()
    for _ in range(count):
        AppointmentFactory(slot=slot)


# The replica counts as a mirror of the primary: a test's clean-up empties the
# primary, and the replica follows.
on_the_replica = pytest.mark.django_db(
    transaction=True, databases=[DEFAULT_DB_ALIAS, REPORTS_ALIAS]
)


def written(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(WRITES)
    ]


@on_the_replica
def test_the_turnout_report_reads_the_replica_and_writes_nothing_there(replica) -> None:
    world = build_world()
    client = union_client()
    caught_up()

    with (
        CaptureQueriesContext(connections[REPORTS_ALIAS]) as there,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as here,
    ):
        response = client.get(TURNOUT, {"campaign": world.campaign.pk})

    assert response.status_code == 200
    assert any("scheduling_turnout_count" in q["sql"] for q in there.captured_queries)
    assert not any(
        "scheduling_turnout_count" in q["sql"] for q in here.captured_queries
    )
    assert written(there) == []
    assert response.json()["replica_lag_seconds"] < CAUGHT_UP_SECONDS


@on_the_replica
def test_a_paused_replica_shows_the_old_figures_and_its_lag(replica, settings) -> None:
    settings.REPORTS_LAG_NOTICE_SECONDS = 0
    world = build_world()
    client = union_client()
    caught_up()
    before = client.get(TURNOUT, {"campaign": world.campaign.pk}).json()
    on_replica("SELECT pg_wal_replay_pause()")
    try:
        book_more(world, 25)
        time.sleep(PAUSE_SECONDS)
        behind = client.get(TURNOUT, {"campaign": world.campaign.pk}).json()
        page = client.get("/union/", {"campaign": world.campaign.pk})
    finally:
        on_replica("SELECT pg_wal_replay_resume()")
    caught_up()
    after = client.get(TURNOUT, {"campaign": world.campaign.pk}).json()

    # The bookings made meanwhile are on the primary, not yet in the report.
    assert behind["totals"]["booked"] == before["totals"]["booked"]
    assert behind["replica_lag_seconds"] >= PAUSE_SECONDS
    assert after["totals"]["booked"]["value"] > before["totals"]["booked"]["value"]
    assert after["replica_lag_seconds"] < behind["replica_lag_seconds"]
    assert 'id="replica-lag"' in page.content.decode()


@on_the_replica
def test_an_export_reads_the_replica_and_audits_on_the_primary(replica) -> None:
    world = build_world()
    client = union_client()
    caught_up()

    with CaptureQueriesContext(connections[REPORTS_ALIAS]) as there:
        response = client.get(CSV, {"campaign": world.campaign.pk})
        outcomes = client.get(OUTCOMES, {"campaign": world.campaign.pk})

    assert response.status_code == 200
    assert outcomes.status_code == 200
    assert outcomes.json()["replica_lag_seconds"] < CAUGHT_UP_SECONDS
    assert there.captured_queries
    assert written(there) == []
    assert AuditEvent.objects.filter(action="report.exported").count() == 1


@on_the_replica
def test_the_replica_refuses_a_write_so_none_is_ever_routed_there(replica) -> None:
    with report_reads() as alias:
        assert alias == REPORTS_ALIAS
        assert ReportsRouter().db_for_write(AuditEvent) == DEFAULT_DB_ALIAS
    # What a write sent there by mistake would meet.
    with pytest.raises(Exception, match="read-only transaction"):
        on_replica("CREATE TEMP TABLE x (i int)")


def test_outside_a_report_every_read_goes_to_the_primary() -> None:
    router = ReportsRouter()

    assert router.db_for_read(AuditEvent) is None
    assert router.allow_migrate(REPORTS_ALIAS, "scheduling") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "scheduling") is True
