"""Rows read and written by hand-written statements are the rows the ORM reads
and writes: encrypted columns encrypted, stamps set, values converted."""

import warnings
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common.crypto import Sealed
from common.rawsql import (
    _AS_THEY_ARE,
    _as_param,
    column_list,
    hot_cursor,
    insert_after,
    insert_fed_by,
    insert_returning_pk,
    instance_from_row,
    sealed_value,
)
from notifications.models import Notification
from scheduling.models import Appointment
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


def _stored_phone(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        column = "recipient_phone" if table.startswith("notifications") else "phone"
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _read_by_hand(pk: int, **options: object) -> Participant:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column_list(Participant, 'p')} "  # noqa: S608
            "FROM screening_participant p WHERE p.id = %s",
            [pk],
        )
        row = cursor.fetchone()
    participant, _end = instance_from_row(Participant, row, **options)
    return participant


def test_a_sealed_field_is_left_unopened_and_loads_when_read() -> None:
    made = ParticipantFactory()

    participant = _read_by_hand(made.pk, sealed=("phone", "id_number"))
    token = sealed_value(participant, "phone")

    assert "phone" not in participant.__dict__
    assert token == Sealed(_stored_phone("screening_participant", made.pk))
    # Read anyway, it is loaded and opened, and no longer offered sealed.
    assert participant.phone == made.phone
    assert sealed_value(participant, "phone") is None
    assert sealed_value(_read_by_hand(made.pk), "phone") is None


def test_a_sealed_token_is_copied_into_another_encrypted_column_as_it_is() -> None:
    made = ParticipantFactory()
    token = sealed_value(_read_by_hand(made.pk, sealed=("phone",)), "phone")
    assert token is not None
    row = Notification(
        kind="booking_confirmed",
        recipient_phone=token,
        recipient_hash=made.phone_hash,
        dedupe_key="sealed-copy",
        send_at=timezone.now(),
    )

    insert_returning_pk([row])

    assert _stored_phone("notifications_notification", row.pk) == token.token
    assert Notification.objects.get(pk=row.pk).recipient_phone == made.phone


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


def _outbox_rows(count: int, **shared: object) -> list[Notification]:
    """Rows alike but for their kind, key, time and window, as a booking's are."""
    visit = timezone.now() + timedelta(days=3)
    return [
        Notification(
            kind=("booking_confirmed", "reminder_24h", "reminder_2h")[n % 3],
            recipient_phone="13800002222",
            recipient_hash="h2",
            context={"place": "妇幼保健院", "n": "same"},
            dedupe_key=f"alike:{n}",
            send_at=visit - timedelta(hours=n),
            not_after=None if n == 0 else visit,
            **shared,
        )
        for n in range(count)
    ]


def test_rows_that_share_values_read_back_as_written_with_keys_in_order() -> None:
    rows = _outbox_rows(3, recipient_ref="participant:7")

    insert_returning_pk(rows)

    written = Notification.objects.filter(pk__in=[row.pk for row in rows])
    stored = {row.pk: row for row in written}
    for row in rows:
        again = stored[row.pk]
        assert again.dedupe_key == row.dedupe_key
        assert (again.kind, again.send_at, again.not_after) == (
            row.kind,
            row.send_at,
            row.not_after,
        )
        assert again.recipient_phone == "13800002222"
        assert again.context == {"place": "妇幼保健院", "n": "same"}
        assert again.recipient_ref == "participant:7"
        assert again.secret_params is None
        assert again.fallback == []


def test_a_value_too_long_for_its_column_is_refused_not_cut_short() -> None:
    rows = _outbox_rows(3, recipient_ref="x" * 65)  # the column holds 64

    with pytest.raises(DataError):
        insert_returning_pk(rows)


def test_a_booking_s_outbox_rows_go_in_one_statement_psycopg_can_cache() -> None:
    seen: list[int] = []

    def count(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "notifications_notification"'):
            seen.append(len(params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        insert_returning_pk(_outbox_rows(3))

    # psycopg parses a statement afresh on every run past 50 parameters.
    assert len(seen) == 1
    assert seen[0] <= 50


# Behind PgBouncer 1.18 in transaction mode nothing is prepared (tests/test_pooled.py).
needs_prepared_statements = pytest.mark.skipif(
    settings.DATABASES["default"]["OPTIONS"].get("prepare_threshold") is None,
    reason="prepared statements are off behind this pooler",
)


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@needs_prepared_statements
def test_a_hot_statement_is_planned_once_per_connection_after_a_few_runs() -> None:
    """PostgreSQL spent more time planning the booking's slot read than running
    it; prepared, it is planned once per connection."""
    assert connection.settings_dict["OPTIONS"]["prepare_threshold"] == 5
    made = ParticipantFactory()
    sql = "SELECT p.id FROM screening_participant p WHERE p.id = %s AND %s < %s"
    # Two fixed times: two calls of the clock can return the same instant.
    earlier = timezone.now()
    later = earlier + timedelta(seconds=1)
    answers = []
    for _ in range(7):
        with hot_cursor() as cursor:
            cursor.execute(sql, [made.pk, earlier, later])
            answers.append(cursor.fetchone())

    assert answers == [(made.pk,)] * 7
    assert [s for s in prepared_statements() if "screening_participant p" in s] == [
        sql.replace("%s", "$1", 1).replace("%s", "$2", 1).replace("%s", "$3", 1)
    ]


def test_the_orm_s_own_statements_are_never_prepared() -> None:
    made = ParticipantFactory()
    for _ in range(7):
        assert Participant.objects.get(pk=made.pk).pk == made.pk

    assert [s for s in prepared_statements() if "screening_participant" in s] == []


@needs_prepared_statements
def test_hot_statements_are_counted_like_any_other() -> None:
    with CaptureQueriesContext(connection) as queries, hot_cursor() as cursor:
        cursor.execute("SELECT %s::int", [1])
        assert cursor.fetchone() == (1,)

    # Logged as the server saw it, its value bound apart.
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT $1::int"]


def test_with_prepared_statements_off_a_hot_statement_is_never_prepared(
    settings,
) -> None:
    """For a pooler in transaction mode, which cannot keep a prepared statement
    from one transaction to the next (DB_PREPARED_STATEMENTS=false)."""
    options = connection.settings_dict["OPTIONS"]
    saved = options.pop("prepare_threshold")
    try:
        for _ in range(7):
            with hot_cursor() as cursor:
                cursor.execute("SELECT 42 AS never_prepared WHERE %s", [True])
                assert cursor.fetchone() == (42,)
    finally:
        options["prepare_threshold"] = saved

    assert [s for s in prepared_statements() if "never_prepared" in s] == []


@pytest.mark.parametrize("model", [Notification, Appointment, Participant])
def test_a_value_passed_through_as_it_is_is_the_one_the_field_would_send(
    model,
) -> None:
    """The shortcut of `insert_returning_pk` for plain fields sends what the
    field's own conversion sends, for every field of a booking's rows."""
    samples = [
        None,
        "13800001111",
        "",
        0,
        7,
        True,
        timezone.now(),
        datetime(2026, 5, 1, 9, 30),  # noqa: DTZ001  # naive: converted
        "2026-01-01T00:00:00Z",
    ]
    # The others (encrypted, JSON) always take the field's own conversion.
    plain = [f for f in model._meta.concrete_fields if type(f) in _AS_THEY_ARE]
    assert plain
    for field in plain:
        for value in samples:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    expected = field.get_db_prep_save(value, connection)
            except (TypeError, ValueError, ValidationError):
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                sent = _as_param(field, value, connection)
            assert sent == expected, (field, value)


def _bump_once() -> str:
    return (
        "UPDATE notifications_notification SET attempts = attempts + 1 "
        "WHERE id = %s AND attempts < 1"
    )


def test_a_row_inserted_after_an_update_goes_in_only_if_the_update_changed_one() -> (
    None
):
    gate = _outbox_rows(1)[0]
    insert_returning_pk([gate])
    first, second = _outbox_rows(3)[1:]

    assert insert_after(first, condition=_bump_once(), params=[gate.pk])
    assert not insert_after(second, condition=_bump_once(), params=[gate.pk])

    assert Notification.objects.get(pk=first.pk).dedupe_key == first.dedupe_key
    assert Notification.objects.get(pk=first.pk).not_after == first.not_after
    assert not Notification.objects.filter(dedupe_key=second.dedupe_key).exists()
    assert Notification.objects.get(pk=gate.pk).attempts == 1


def test_an_insert_that_fails_leaves_its_update_undone_too() -> None:
    gate, taken = _outbox_rows(2)
    insert_returning_pk([gate, taken])
    clash = _outbox_rows(2)[1]  # the dedupe key of `taken`

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_after(clash, condition=_bump_once(), params=[gate.pk])

    assert Notification.objects.get(pk=gate.pk).attempts == 0


def _fed_by(source_sql: str, rows: list[Notification]) -> list[int]:
    insert, params = insert_fed_by(rows, source="src")
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH src AS ({source_sql}), fed AS ({insert}) "  # noqa: S608  # nosec B608
            "SELECT ARRAY(SELECT id FROM fed)",
            params,
        )
        return list(cursor.fetchone()[0])


def test_rows_fed_by_a_source_go_in_only_when_it_yields_a_row_keys_in_order() -> None:
    rows = _outbox_rows(3)

    assert _fed_by("SELECT 1 WHERE false", rows) == []
    assert not Notification.objects.filter(dedupe_key__startswith="alike:").exists()

    keys = _fed_by("SELECT 1", rows)
    stored = dict(
        Notification.objects.filter(pk__in=keys).values_list("pk", "dedupe_key")
    )
    assert [stored[key] for key in keys] == [row.dedupe_key for row in rows]
    assert Notification.objects.get(pk=keys[0]).recipient_phone == "13800002222"


def test_a_key_set_before_the_insert_is_the_key_written() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('notifications_notification', 'id'))"
        )
        drawn = cursor.fetchone()[0]
    row = _outbox_rows(1)[0]
    row.pk = drawn

    assert _fed_by("SELECT 1", [row]) == [drawn]
    assert Notification.objects.get(pk=drawn).dedupe_key == row.dedupe_key
