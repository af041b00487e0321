"""The statements of one booking, written out (ADR 0007).

A booking surge runs these for every request; the ORM spent more time building
each query than PostgreSQL spent running it. The rules stay in services.py: this
module only reads and writes rows, with the same conditions the ORM versions had.
"""

from datetime import datetime
from functools import cache

from django.db import connection

from common.rawsql import column_list, hot_cursor, instance_from_row
from scheduling.models import ACTIVE_STATUSES, Appointment, Site, Slot
from screening.models import Campaign, Consent, ConsentPurpose

# Names in the SQL below come from the models' metadata, never from a request;
# every value is a bound parameter.


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@cache
def _slot_read_sql(vendor: str) -> str:
    statuses = ", ".join(["%s"] * len(ACTIVE_STATUSES))
    return f"""
        SELECT {column_list(Slot, "s")}, {column_list(Site, "t")},
               {column_list(Campaign, "c")},
               EXISTS (
                   SELECT 1 FROM {_table(Appointment)} a
                   WHERE a.participant_id = %s AND a.campaign_id = s.campaign_id
                     AND a.status IN ({statuses})
               ),
               EXISTS (
                   SELECT 1 FROM {_table(Consent)} k
                   WHERE k.participant_id = %s AND k.purpose = %s
                     AND k.withdrawn_at IS NULL
               )
        FROM {_table(Slot)} s
        JOIN {_table(Site)} t ON t.id = s.site_id
        JOIN {_table(Campaign)} c ON c.id = s.campaign_id
        WHERE s.id = %s
    """  # noqa: S608  # nosec B608


def slot_for_booking(*, slot_id: int, participant_id: int) -> Slot | None:
    """The slot with its site and campaign attached, and two answers about her:
    `her_active` (an active appointment in the slot's campaign) and
    `her_consent` (a live consent to the processing of her health data)."""
    params = [
        participant_id,
        *[str(status) for status in ACTIVE_STATUSES],
        participant_id,
        str(ConsentPurpose.HEALTH_DATA),
        slot_id,
    ]
    with hot_cursor() as cursor:
        cursor.execute(_slot_read_sql(connection.vendor), params)
        row = cursor.fetchone()
    if row is None:
        return None
    slot, offset = instance_from_row(Slot, row)
    site, offset = instance_from_row(Site, row, offset)
    campaign, offset = instance_from_row(Campaign, row, offset)
    slot.site = site
    slot.campaign = campaign
    slot.her_active = bool(row[offset])  # type: ignore[attr-defined]
    slot.her_consent = bool(row[offset + 1])  # type: ignore[attr-defined]
    return slot


def slot_place_take(*, slot_id: int, now: datetime) -> bool:
    """One place in the slot if one is left and the slot has not begun: one
    statement, so two requests can never both take the last place."""
    with hot_cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(Slot)} SET booked = booked + 1 "  # noqa: S608  # nosec B608
            "WHERE id = %s AND booked < capacity AND starts_at > %s",
            [slot_id, connection.ops.adapt_datetimefield_value(now)],
        )
        return cursor.rowcount == 1


def campaign_place_take(*, campaign_id: int) -> bool:
    """One funded place of the campaign if one is left (the row stays locked
    until the commit: call it last)."""
    with hot_cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(Campaign)} SET places_taken = places_taken + 1 "  # noqa: S608  # nosec B608
            "WHERE id = %s AND places_taken < quota",
            [campaign_id],
        )
        return cursor.rowcount == 1
