"""Invariants of the outbox that the database enforces."""

import pytest
from django.db import IntegrityError, connection, transaction

from notifications.models import Notification
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_two_messages_cannot_share_a_dedupe_key():
    first = NotificationFactory(dedupe_key="appointment:1:reminder_day_before")

    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationFactory(dedupe_key=first.dedupe_key)


def _plan(sql: str, params: list[str]) -> str:
    with connection.cursor() as cursor:
        # A test's outbox is a few rows, which a plan would otherwise scan.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_one_index_keeps_the_dedupe_key_unique_and_answers_its_prefixes():
    NotificationFactory(dedupe_key="appointment:7:reminder_day_before")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = %s AND indexdef LIKE %s",
            [Notification._meta.db_table, "%dedupe_key%"],
        )
        on_the_key = cursor.fetchall()
    assert [name for name, _ in on_the_key] == ["notification_one_per_dedupe_key"]
    assert "UNIQUE" in on_the_key[0][1]
    table = Notification._meta.db_table
    by_key = _plan(f"SELECT id FROM {table} WHERE dedupe_key = %s", ["a:1"])  # noqa: S608 - our table
    by_prefix = _plan(f"SELECT id FROM {table} WHERE dedupe_key LIKE %s", ["a:1:%"])  # noqa: S608 - our table
    assert "notification_one_per_dedupe_key" in by_key
    assert "notification_one_per_dedupe_key" in by_prefix
    assert (
        Notification.objects.filter(dedupe_key__startswith="appointment:7:").count()
        == 1
    )
