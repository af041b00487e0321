"""The statements of a room's steps, written out (ADR 0020).

Twenty rooms act at once on a screening day, on two cores; the ORM spent more
CPU building each query than PostgreSQL spent running it, and the time to drain
such a burst is what a room waits. The rules stay in services.py and routing.py:
this module only reads and writes rows, with the conditions the ORM versions
had. On a database other than PostgreSQL (`make run`'s SQLite, ADR 0011) each
function takes the plain ORM way: no SKIP LOCKED there, and writers are
serialised by `BEGIN IMMEDIATE` anyway.
"""

from datetime import date, datetime
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Model
from django.utils import timezone

from common.rawsql import column_list, hot_cursor, instance_from_row, literals
from screening.models import Visit
from stations.models import (
    ACTIVE,
    IN_ROOM,
    QueueCounter,
    Station,
    Stop,
    StopStatus,
    Ticket,
)
from stations.routing import Candidate, Load

# Names in the SQL below come from the models' metadata and statuses from
# StopStatus, never from a request; every other value is a bound parameter.
# Statuses are written as literals so that PostgreSQL can use the partial
# indexes (the line, the active stops) even in a prepared statement's generic
# plan, which knows no parameter's value.


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _at(value: datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


@cache
def _joined_columns(stop_alias: str) -> str:
    """Her stop, her ticket (t) and her visit (v): what the rooms' pages and
    the API show of the woman they act on."""
    return ", ".join(
        (
            column_list(Stop, stop_alias),
            column_list(Ticket, "t"),
            column_list(Visit, "v"),
        )
    )


def _stop_from_row(row: Any) -> Stop:
    stop, offset = instance_from_row(Stop, row)
    ticket, offset = instance_from_row(Ticket, row, offset)
    ticket.visit, _end = instance_from_row(Visit, row, offset)
    stop.ticket = ticket
    return stop


def _one(sql: str, params: list[Any]) -> Stop | None:
    with hot_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return _stop_from_row(row) if row else None


def _with_visit(stops: Any) -> Stop | None:
    return stops.select_related("ticket__visit").first()


@cache
def _call_next_sql() -> str:
    stop = _table(Stop)
    waiting = literals(StopStatus.WAITING)
    return f"""
        WITH taken AS (
            UPDATE {stop}
               SET status = {literals(StopStatus.CALLED)}, room = %s, by_id = %s,
                   called_at = COALESCE(%s::timestamptz, statement_timestamp())
             WHERE id = (
                   SELECT id FROM {stop}
                    WHERE station_id = %s AND status = {waiting}
                    ORDER BY queued_at, id
                    LIMIT 1
                    FOR UPDATE SKIP LOCKED)
            RETURNING {column_list(Stop, stop)}
        )
        SELECT {_joined_columns("taken")}
          FROM taken
          JOIN {_table(Ticket)} t ON t.id = taken.ticket_id
          JOIN {_table(Visit)} v ON v.id = t.visit_id
    """  # noqa: S608  # nosec B608


def call_next(
    *, station_id: int, room: int, by_id: int | None, now: datetime | None
) -> Stop | None:
    """The first woman in this station's line, called to `room`, with her
    ticket and visit; None when nobody waits. One statement: SKIP LOCKED passes
    over a woman another room is taking this instant, so she is never called
    twice, and the next one in line is taken. The clock is the statement's own
    unless the caller runs one: never earlier than her joining, which committed
    before this statement began."""
    if not _postgresql():
        first = (
            Stop.objects.filter(station_id=station_id, status=StopStatus.WAITING)
            .order_by("queued_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if first is None:
            return None
        Stop.objects.filter(pk=first).update(
            status=StopStatus.CALLED,
            room=room,
            by_id=by_id,
            called_at=now or timezone.now(),
        )
        return _with_visit(Stop.objects.filter(pk=first))
    return _one(_call_next_sql(), [room, by_id, _at(now), station_id])


def _assignments(columns: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    return ", ".join(f"{quote(column)} = %s" for column in columns)


@cache
def _step_sql(
    columns: tuple[str, ...], from_status: tuple[str, ...], unanswered: bool
) -> str:
    bump = ", no_answers = s.no_answers + 1" if unanswered else ""
    return f"""
        UPDATE {_table(Stop)} s SET {_assignments(columns)}{bump}
          FROM {_table(Ticket)} t JOIN {_table(Visit)} v ON v.id = t.visit_id
         WHERE t.visit_id = %s AND s.ticket_id = t.id AND s.station_id = %s
           AND s.status IN ({literals(*from_status)})
        RETURNING {_joined_columns("s")}
    """  # noqa: S608  # nosec B608


def stop_step(
    *,
    station_id: int,
    visit_id: int,
    from_status: tuple[str, ...],
    changes: dict[str, Any],
    unanswered: bool = False,
) -> Stop | None:
    """Her stop at this station moved on with `changes` (column: value), in
    one statement, if it is in `from_status`; with her ticket and visit, or
    None when it was not. `unanswered` counts one more call she did not answer."""
    columns = tuple(changes)
    if not _postgresql():
        extra = {"no_answers": F("no_answers") + 1} if unanswered else {}
        here = Stop.objects.filter(station_id=station_id, ticket__visit_id=visit_id)
        if not here.filter(status__in=from_status).update(**changes, **extra):
            return None
        return _with_visit(here)
    params = [_at(v) if isinstance(v, datetime) else v for v in changes.values()]
    sql = _step_sql(columns, from_status, unanswered)
    return _one(sql, [*params, visit_id, station_id])


Ahead = list[tuple[int, Candidate, Load]]


@cache
def _ahead_sql(ticket: str) -> str:
    """The stations still to come on the route of ticket `ticket` (an SQL
    expression), each with her stop there and its load now."""
    stop = _table(Stop)
    return f"""
        SELECT p.id AS stop_id, st.id AS station_id, st.step, st.service_minutes,
               st.rooms, here.waiting, here.in_rooms
          FROM {stop} p
          JOIN {_table(Station)} st ON st.id = p.station_id
         CROSS JOIN LATERAL (
               SELECT count(*) FILTER (
                          WHERE a.status = {literals(StopStatus.WAITING)}),
                      count(*) FILTER (WHERE a.status IN ({literals(*IN_ROOM)}))
                 FROM {stop} a
                WHERE a.station_id = st.id AND a.status IN ({literals(*ACTIVE)})
               ) AS here (waiting, in_rooms)
         WHERE p.ticket_id = {ticket} AND p.status = {literals(StopStatus.PENDING)}
    """  # noqa: S608  # nosec B608


def _ahead_from_rows(rows: list[Any]) -> Ahead:
    return [
        (stop_id, Candidate(station_id, step, minutes, rooms), Load(waiting, in_rooms))
        for stop_id, station_id, step, minutes, rooms, waiting, in_rooms in rows
    ]


def route_ahead(*, ticket_id: int | None = None, visit_id: int | None = None) -> Ahead:
    """The stations still to come on her route (her ticket's, or her visit's),
    each with her stop there and its load now (women waiting, women called or
    inside): one statement. The loads count only the stops in a line or a
    room, through the partial index that holds just those, however many women
    the day has seen; no lock is taken, since a count a moment old only makes
    the choice a little worse (ADR 0014)."""
    if not _postgresql():
        tickets = (
            Ticket.objects.filter(pk=ticket_id)
            if ticket_id is not None
            else Ticket.objects.filter(visit_id=visit_id or 0)
        )
        return _route_ahead_plain(tickets.values("pk")[:1])
    ticket = "%s" if ticket_id is not None else _ticket_of_visit()
    with hot_cursor() as cursor:
        cursor.execute(_ahead_sql(ticket), [ticket_id or visit_id])
        return _ahead_from_rows(cursor.fetchall())


def _ticket_of_visit() -> str:
    return f"(SELECT id FROM {_table(Ticket)} WHERE visit_id = %s)"  # noqa: S608  # nosec B608


def _route_ahead_plain(ticket_id: Any) -> Ahead:
    from stations.selectors import route_candidates, station_loads

    stops = list(
        Stop.objects.filter(ticket_id=ticket_id, status=StopStatus.PENDING)
        .select_related("station")
        .order_by("pk")
    )
    candidates = route_candidates(stop.station for stop in stops)
    loads = station_loads(station_ids=[stop.station_id for stop in stops])
    return [
        (stop.pk, candidate, loads.get(stop.station_id, Load()))
        for stop, candidate in zip(stops, candidates, strict=True)
    ]


@cache
def _end_sql() -> str:
    ticket, stop = _table(Ticket), _table(Stop)
    return f"""
        WITH t AS MATERIALIZED (
            SELECT {column_list(Ticket, ticket)} FROM {ticket}
             WHERE visit_id = %s
               FOR UPDATE
        ), ended AS (
            UPDATE {stop} s SET status = %s, ended_at = %s, by_id = %s
              FROM t
             WHERE s.ticket_id = t.id AND s.station_id = %s
               AND s.status IN ({literals(*IN_ROOM)})
            RETURNING {column_list(Stop, "s")}
        ), joined AS (
            UPDATE {stop}
               SET status = {literals(StopStatus.WAITING)},
                   joined_at = %s, queued_at = %s
             WHERE id = %s AND status = {literals(StopStatus.PENDING)}
               AND ticket_id IN (SELECT ticket_id FROM ended)
            RETURNING id
        )
        SELECT {_joined_columns("ended")}
          FROM ended
          JOIN t ON t.id = ended.ticket_id
          JOIN {_table(Visit)} v ON v.id = t.visit_id
    """  # noqa: S608  # nosec B608


def stop_end(
    *,
    station_id: int,
    visit_id: int,
    status: str,
    now: datetime,
    by_id: int | None,
    then_join: int | None,
) -> Stop | None:
    """Her stop in this room ended with `status` and, where routing chose one,
    her stop `then_join` put at the back of its line; with her ticket and
    visit, or None (and nothing changed) when she is not in a room here.

    One statement, so one commit and no transaction held between round trips.
    Her ticket's lock comes first (ADR 0009): "done" here and "left early" at
    the desk at the same moment must not both move her route. The next line is
    joined only once her stop here has ended (it reads what the end wrote),
    and only while that stop is still to come: if she left early since her
    route was read, nobody's line gets her."""
    if not _postgresql():
        return _stop_end_plain(station_id, visit_id, status, now, by_id, then_join)
    params = [visit_id, status, _at(now), by_id, station_id, _at(now), _at(now)]
    return _one(_end_sql(), [*params, then_join])


def _stop_end_plain(
    station_id: int,
    visit_id: int,
    status: str,
    now: datetime,
    by_id: int | None,
    then_join: int | None,
) -> Stop | None:
    from common.locks import rows_lock

    with transaction.atomic():
        if not rows_lock(Ticket.objects.filter(visit_id=visit_id)):
            return None
        stop = stop_step(
            station_id=station_id,
            visit_id=visit_id,
            from_status=IN_ROOM,
            changes={"status": status, "ended_at": now, "by_id": by_id},
        )
        if stop is not None and then_join is not None:
            stop_join_line(stop_id=then_join, now=now)
    return stop


def stop_join_line(*, stop_id: int, now: datetime) -> None:
    """She joins the line of the station of `stop_id`, at its back."""
    if not _postgresql():
        Stop.objects.filter(pk=stop_id, status=StopStatus.PENDING).update(
            status=StopStatus.WAITING, joined_at=now, queued_at=now
        )
        return
    with hot_cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(Stop)} SET status = {literals(StopStatus.WAITING)},"  # noqa: S608  # nosec B608
            " joined_at = %s, queued_at = %s"
            f" WHERE id = %s AND status = {literals(StopStatus.PENDING)}",
            [_at(now), _at(now), stop_id],
        )


@cache
def _number_sql() -> str:
    counter = _table(QueueCounter)
    return f"""
        INSERT INTO {counter} (site_id, day, last) VALUES (%s, %s, 1)
        ON CONFLICT (site_id, day) DO UPDATE SET last = {counter}.last + 1
        RETURNING last
    """  # noqa: S608  # nosec B608


def queue_number_take(*, site_id: int, day: date) -> int:
    """The next queue number at a site on a day, in one statement: the
    counter's row stays locked until the commit, so two desks checking women
    in at once never hand out the same number."""
    with hot_cursor() as cursor:
        day_value = connection.ops.adapt_datefield_value(day)
        cursor.execute(_number_sql(), [site_id, day_value])
        return int(cursor.fetchone()[0])
