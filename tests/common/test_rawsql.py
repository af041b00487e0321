"""Rows read and written by hand-written statements are the rows the ORM reads
and writes: encrypted columns encrypted, stamps set, values converted."""

import pytest
from django.db import connection

from common.rawsql import column_list, insert_returning_pk, instance_from_row
from notifications.models import Notification
from screening.models import Participant
from tests.screening.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def test_an_instance_read_by_hand_equals_the_one_the_orm_builds() -> None:
    made = ParticipantFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column_list(Participant, 'p')} "  # noqa: S608
            "FROM screening_participant p WHERE p.id = %s",
            [made.pk],
        )
        row = cursor.fetchone()

    by_hand, end = instance_from_row(Participant, row)

    by_orm = Participant.objects.get(pk=made.pk)
    assert end == len(row)
    for field in Participant._meta.concrete_fields:
        assert getattr(by_hand, field.attname) == getattr(by_orm, field.attname)
    assert not by_hand._state.adding


def test_rows_inserted_by_hand_are_encrypted_stamped_and_get_their_keys() -> None:
    rows = [
        Notification(
            kind="otp",
            recipient_phone="13800001111",
            recipient_hash="h",
            context={"code": str(n)},
            dedupe_key=f"raw:{n}",
            send_at="2026-01-01T00:00:00Z",
        )
        for n in range(3)
    ]

    insert_returning_pk(rows)

    assert all(row.pk for row in rows)
    for row in rows:
        stored = Notification.objects.get(pk=row.pk)
        assert stored.recipient_phone == "13800001111"
        assert stored.context == row.context
        assert stored.created_at is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT recipient_phone FROM notifications_notification WHERE id = %s",
            [rows[0].pk],
        )
        assert "13800001111" not in cursor.fetchone()[0]
