"""The statements of one booking, written out (ADR 0007).

A booking surge runs these for every request; the ORM spent more time building
each query than PostgreSQL spent running it. The rules stay in services.py: this
module only reads and writes rows, with the same conditions the ORM versions had.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Model

from common.rawsql import (
    column_list,
    hot_cursor,
    insert_after,
    insert_fed_by,
    instance_from_row,
    literals,
)
from scheduling.models import ACTIVE_STATUSES, Appointment, Site, Slot
from screening.models import (
    Campaign,
    Consent,
    ConsentPurpose,
    Participant,
    ParticipantToken,
)
from screening.recall.models import Cease, CeaseScope, Deferral

# Names in the SQL below come from the models' metadata, never from a request;
# every value is a bound parameter.


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _her_answers_sql(who: str) -> str:
    """Four answers about the woman whose id is the SQL expression `who`, for
    the slot `s`; their values are `_her_answers_params`."""
    # The statuses written in: the unique partial index on (participant,
    # campaign) answers the first question with one probe only when the planner
    # can see that its predicate holds, and a generic plan sees no parameter.
    statuses = literals(*ACTIVE_STATUSES)
    return f"""
               EXISTS (
                   SELECT 1 FROM {_table(Appointment)} a
                   WHERE a.participant_id = {who} AND a.campaign_id = s.campaign_id
                     AND a.status IN ({statuses})
               ),
               EXISTS (
                   SELECT 1 FROM {_table(Consent)} k
                   WHERE k.participant_id = {who} AND k.purpose = %s
                     AND k.withdrawn_at IS NULL
               ),
               (
                   SELECT MAX(d.ends_on) FROM {_table(Deferral)} d
                   WHERE d.participant_id = {who} AND d.withdrawn_at IS NULL
                     AND d.ends_on > %s
               ),
               EXISTS (
                   SELECT 1 FROM {_table(Cease)} x
                   WHERE x.participant_id = {who} AND x.withdrawn_at IS NULL
                     AND x.scope = %s AND (x.ends_on IS NULL OR x.ends_on > %s)
               )"""  # noqa: S608  # nosec B608


def _her_answers_params(today: date) -> list[object]:
    day = connection.ops.adapt_datefield_value(today)
    return [
        str(ConsentPurpose.HEALTH_DATA),
        day,
        str(CeaseScope.ALL),
        day,
    ]


def _slot_join() -> str:
    return (
        f"{_table(Slot)} s JOIN {_table(Site)} t ON t.id = s.site_id"
        f" JOIN {_table(Campaign)} c ON c.id = s.campaign_id"
    )


def _slot_columns() -> str:
    models = ((Slot, "s"), (Site, "t"), (Campaign, "c"))
    return ", ".join(column_list(model, alias) for model, alias in models)


def _next_appointment_key(vendor: str) -> str:
    """The key her appointment will have if she books (booking_write), drawn
    with the read that comes before it: no round trip of its own. A refused
    booking leaves a gap in the keys, as a rolled-back insert does."""
    if vendor != "postgresql":
        return "NULL"
    table = literals(Appointment._meta.db_table)
    return f"nextval(pg_get_serial_sequence({table}, 'id'))"


@cache
def _slot_read_sql(vendor: str) -> str:
    return f"""
        SELECT {_slot_columns()}, {_her_answers_sql("her.id")},
               {_next_appointment_key(vendor)}
        FROM (SELECT CAST(%s AS BIGINT) AS id) her, {_slot_join()}
        WHERE s.id = %s
    """  # noqa: S608  # nosec B608


@cache
def _token_and_slot_sql(vendor: str) -> str:
    tokens, participants = _table(ParticipantToken), _table(Participant)
    return f"""
        SELECT {column_list(Participant, "p")}, {_slot_columns()},
               {_her_answers_sql("tok.participant_id")},
               {_next_appointment_key(vendor)}
        FROM {tokens} tok
        LEFT JOIN {participants} p ON p.id = tok.participant_id
        LEFT JOIN ({_slot_join()}) ON s.id = %s
        WHERE tok.key_hash = %s AND tok.expires_at > %s
    """  # noqa: S608  # nosec B608


def _as_date(value: date | str | None) -> date | None:
    # SQLite (make run) answers MAX() of a date column as text.
    return date.fromisoformat(value) if isinstance(value, str) else value


def _slot_from_row(row: Sequence[Any], offset: int) -> Slot:
    slot, offset = instance_from_row(Slot, row, offset)
    site, offset = instance_from_row(Site, row, offset)
    campaign, offset = instance_from_row(Campaign, row, offset)
    slot.site = site
    slot.campaign = campaign
    slot.her_active = bool(row[offset])  # type: ignore[attr-defined]
    slot.her_consent = bool(row[offset + 1])  # type: ignore[attr-defined]
    slot.her_deferred_until = _as_date(row[offset + 2])  # type: ignore[attr-defined]
    slot.her_ceased = bool(row[offset + 3])  # type: ignore[attr-defined]
    slot.next_appointment_key = row[offset + 4]  # type: ignore[attr-defined]
    return slot


def slot_for_booking(*, slot_id: int, participant_id: int, today: date) -> Slot | None:
    """The slot with its site and campaign attached, and four answers about her:
    `her_active` (an active appointment in the slot's campaign), `her_consent`
    (a live consent to the processing of her health data), and what
    screening.recall.eligibility.recall_state would say on `today`:
    `her_deferred_until` (the end of her live deferral, or None) and
    `her_ceased` (a live cease of all screening); and on PostgreSQL
    `next_appointment_key`, the key booking_write gives her appointment."""
    params = [*_her_answers_params(today), participant_id, slot_id]
    with hot_cursor() as cursor:
        cursor.execute(_slot_read_sql(connection.vendor), params)
        row = cursor.fetchone()
    return None if row is None else _slot_from_row(row, 0)


@dataclass
class TokenAndSlot:
    """What one statement read for a booking request: the participant of a live
    token (None for a phone not yet registered) and the slot as
    `slot_for_booking` reads it for her (None if there is no such slot or no
    participant)."""

    participant: Participant | None
    slot: Slot | None


def token_and_slot(
    *, key_hash: str, now: datetime, slot_id: int, today: date
) -> TokenAndSlot | None:
    """The reads of screening.authentication.token_with_participant and of
    `slot_for_booking` in one statement, or None for a token that is not live:
    a booking request's first round trip is also its last read."""
    params = [
        *_her_answers_params(today),
        slot_id,
        key_hash,
        connection.ops.adapt_datetimefield_value(now),
    ]
    with hot_cursor() as cursor:
        cursor.execute(_token_and_slot_sql(connection.vendor), params)
        row = cursor.fetchone()
    if row is None:
        return None
    if row[0] is None:
        return TokenAndSlot(participant=None, slot=None)
    # A booking reads neither her phone nor her ID: the phone's token is copied
    # into the outbox as it is (scheduling.messages), the ID stays unopened.
    participant, offset = instance_from_row(
        Participant, row, sealed=("phone", "id_number")
    )
    # The slot's primary key comes first in its columns: NULL when none matched.
    slot = None if row[offset] is None else _slot_from_row(row, offset)
    return TokenAndSlot(participant=participant, slot=slot)


@cache
def _slot_take_sql(vendor: str) -> str:
    return (
        f"UPDATE {_table(Slot)} SET booked = booked + 1 "  # noqa: S608  # nosec B608
        "WHERE id = %s AND booked < capacity AND starts_at > %s"
    )


def slot_place_take(*, slot_id: int, now: datetime) -> bool:
    """One place in the slot if one is left and the slot has not begun: one
    statement, so two requests can never both take the last place."""
    with hot_cursor() as cursor:
        cursor.execute(
            _slot_take_sql(connection.vendor),
            [slot_id, connection.ops.adapt_datetimefield_value(now)],
        )
        return cursor.rowcount == 1


def slot_place_take_and_insert(*, appointment: Appointment, now: datetime) -> bool:
    """`slot_place_take` for the appointment's slot and, if it took the place,
    the appointment's INSERT, in one statement (its key is set); False, with
    nothing written, when the slot is full or has begun."""
    return insert_after(
        appointment,
        condition=_slot_take_sql(connection.vendor),
        params=[appointment.slot_id, connection.ops.adapt_datetimefield_value(now)],
    )


def campaign_place_take(*, campaign_id: int) -> bool:
    """One funded place of the campaign if one is left (the row stays locked
    until the commit: call it last)."""
    with hot_cursor() as cursor:
        cursor.execute(_campaign_take_sql(), [campaign_id])
        return cursor.rowcount == 1


# --- A booking's writes in one statement (ADR 0024) ---------------------------------

# The name a booking's statement gives its refusal when the campaign has no
# funded place left: PostgreSQL raises it as a check violation of this name.
FUNDED_PLACES = "campaign_funded_places_left"

# Raises the check violation that aborts the whole statement (migration
# scheduling 0008): a statement has no other way to undo its earlier parts.
REFUSE_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION scheduling_refuse(name text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'booking refused: %', name
        USING ERRCODE = 'check_violation', CONSTRAINT = name;
END
$$;
"""


def writes_at_once(slot: Slot) -> bool:
    """Whether a booking's writes in `slot`, as read here, go as one statement
    (booking_write): on PostgreSQL, whose WITH clause may hold several writes,
    once the read drew her appointment's key, which its messages name."""
    key = getattr(slot, "next_appointment_key", None)
    return connection.vendor == "postgresql" and key is not None


def _campaign_take_sql() -> str:
    return (
        f"UPDATE {_table(Campaign)} SET places_taken = places_taken + 1 "  # noqa: S608  # nosec B608
        "WHERE id = %s AND places_taken < quota"
    )


def booking_write(
    *, appointment: Appointment, notes: Sequence[Model], now: datetime
) -> list[int] | None:
    """The place in her slot, her appointment (its key set: the read drew it),
    its outbox rows and the campaign's funded place, in one statement: in
    autocommit PostgreSQL runs it as a transaction of its own, so no BEGIN and
    no COMMIT travel, and the rows are locked in the order of the statements
    before it (the slot's first, the campaign's last).

    The keys of `notes`, in order; None, with nothing written, when the slot
    is full or has begun. With no funded place left the statement undoes
    itself and raises IntegrityError for the check FUNDED_PLACES."""
    appointment_sql, appointment_params = insert_fed_by([appointment], source="taken")
    notes_sql, notes_params = insert_fed_by(notes, source="booked")
    # Names from the models' metadata and constants of ours; values bound.
    sql = (
        f"WITH taken AS ({_slot_take_sql(connection.vendor)} RETURNING 1), "  # noqa: S608  # nosec B608
        f"booked AS ({appointment_sql}), notes AS ({notes_sql}), "
        f"funded AS ({_campaign_take_sql()} AND EXISTS (SELECT 1 FROM booked) "
        "RETURNING 1) "
        "SELECT EXISTS (SELECT 1 FROM booked), ARRAY(SELECT id FROM notes), "
        "CASE WHEN EXISTS (SELECT 1 FROM booked) "
        "AND NOT EXISTS (SELECT 1 FROM funded) "
        f"THEN scheduling_refuse({literals(FUNDED_PLACES)}) END"
    )
    params = [
        appointment.slot_id,
        connection.ops.adapt_datetimefield_value(now),
        *appointment_params,
        *notes_params,
        appointment.campaign_id,
    ]
    with hot_cursor() as cursor:
        cursor.execute(sql, params)
        booked, keys, _refused = cursor.fetchone()
    return list(keys) if booked else None


def refused_for_funded_places(error: Exception) -> bool:
    """Whether `error` is booking_write's refusal for want of a funded place."""
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == FUNDED_PLACES
