"""Behind PgBouncer in transaction mode (DATABASE_POOLER=pgbouncer; scripts/test.sh
runs a part of the suite so): a client's transactions land on whichever server
connection is free, so nothing may outlive a transaction on the server."""

import threading

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction

from common.rawsql import hot_cursor
from tests import pooler

pytestmark = pytest.mark.skipif(
    settings.POOLER != "pgbouncer", reason="runs behind PgBouncer only"
)

HOT = "SELECT pg_backend_pid(), 42 AS behind_the_pooler WHERE %s"


def hot_statement_on_this_connection() -> int:
    with transaction.atomic(), hot_cursor() as cursor:
        cursor.execute(HOT, [True])
        pid, answer = cursor.fetchone()
    assert answer == 42
    return pid


@pytest.mark.django_db
def test_the_test_database_is_pooled_in_transaction_mode() -> None:
    connection.ensure_connection()
    pools = pooler.show(connection.settings_dict, "POOLS")

    [pool] = [p for p in pools if p["database"] == connection.settings_dict["NAME"]]
    assert pool["pool_mode"] == "transaction"


def test_behind_pgbouncer_prepared_statements_and_named_cursors_are_off() -> None:
    assert connection.settings_dict["OPTIONS"]["prepare_threshold"] is None
    assert connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True


@pytest.mark.django_db(transaction=True)
def test_a_hot_statement_runs_on_another_server_connection_without_its_plan() -> None:
    """A statement prepared on one server connection would be missing on the
    next; unprepared, it runs wherever the pooler sends it."""
    first = hot_statement_on_this_connection()
    held = threading.Event()
    release = threading.Event()

    def hold_a_server_connection() -> None:
        # Another client inside a transaction keeps the server connection that
        # ours has just given back, so our next transaction must get another.
        db = connection.settings_dict
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]
        ) as other:
            other.execute("SELECT 1")
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold_a_server_connection)
    holder.start()
    try:
        assert held.wait(10)
        pids = {hot_statement_on_this_connection() for _ in range(6)}
    finally:
        release.set()
        holder.join()

    assert first not in pids
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%behind_the_pooler%"],
        )
        assert cursor.fetchone() == (0,)
