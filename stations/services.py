"""Writes of the screening day: her ticket at check-in, and the steps a room
takes with her. Every service takes `now` so that the day simulation can run a
controlled clock; the pages and the API leave it to the real one.

Locks, in one order everywhere (ADR 0009): her ticket first, then her stops.
Calling the next woman locks only the stop it takes, and skips stops another
room holds, so two rooms calling at once never wait on each other. A room's
steps run the statements of stations/statements.py (ADR 0020): one statement
each; "done" reads her route ahead, then ends her stop here and puts her in
her next line in one.
"""

import logging
from contextlib import nullcontext
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from common.locks import rows_lock
from screening.idcard import age_on
from screening.models import Visit
from stations import routing, statements
from stations.errors import (
    NotCalledHere,
    RoomBusy,
    RoomInvalid,
    RouteOpen,
    TicketClosed,
)
from stations.models import (
    ACTIVE,
    OPEN,
    Station,
    Stop,
    StopStatus,
    Ticket,
    TicketStatus,
)

logger = logging.getLogger(__name__)


def _rule(rule: str | None) -> str:
    return rule or str(getattr(settings, "STATION_ROUTING", routing.SHORTEST_WAIT))


def ticket_open(
    *, visit: Visit, now: datetime | None = None, rule: str | None = None
) -> Ticket | None:
    """Her queue number and route, in the check-in's transaction. None at a site
    without stations (the desk works as before). Idempotent per visit."""
    now = now or timezone.now()
    stations = list(
        Station.objects.filter(site_id=visit.site_id, is_active=True).order_by(
            "step", "pk"
        )
    )
    if not stations:
        return None
    existing = Ticket.objects.filter(visit=visit).first()
    if existing is not None:
        return existing
    participant, campaign = visit.participant, visit.campaign
    age = age_on(participant.birth_date, visit.day)
    with transaction.atomic():
        ticket = Ticket.objects.create(
            visit=visit,
            site_id=visit.site_id,
            day=visit.day,
            number=statements.queue_number_take(site_id=visit.site_id, day=visit.day),
            opened_at=now,
        )
        Stop.objects.bulk_create(
            Stop(ticket=ticket, station=station)
            for station in stations
            if routing.on_route(
                tests=station.tests,
                min_age=station.min_age,
                max_age=station.max_age,
                scope=campaign.services,
                age=age,
            )
        )
        _advance(ticket.pk, now=now, rule=_rule(rule))
    logger.info("stations.ticket_opened id=%s number=%s", ticket.pk, ticket.number)
    return ticket


def ticket_drop(*, visit_id: int) -> None:
    """The check-in was undone: her number and route go with it."""
    Ticket.objects.filter(visit_id=visit_id).delete()


def _next_stop(ahead: statements.Ahead, *, rule: str) -> int | None:
    """Her stop at the station she joins next (ADR 0014), or None at the end
    of her route."""
    chosen = routing.choose_next(
        [candidate for _stop, candidate, _load in ahead],
        {candidate.station_id: load for _stop, candidate, load in ahead},
        rule=rule,
    )
    return next((stop for stop, c, _load in ahead if c == chosen), None)


def _advance(ticket_id: int, *, now: datetime, rule: str) -> None:
    """She joins the line of the next station on her route (the caller holds
    her ticket's lock)."""
    ahead = statements.route_ahead(ticket_id=ticket_id)
    stop_id = _next_stop(ahead, rule=rule)
    if stop_id is not None:
        statements.stop_join_line(stop_id=stop_id, now=now)


def _room(station: Station, room: int) -> int:
    if not 1 <= room <= station.rooms:
        raise RoomInvalid
    return room


def _alone() -> Any:
    """One statement needs no transaction of its own: PostgreSQL runs it as
    one. Inside a caller's transaction, a savepoint keeps a refused step
    (RoomBusy) from spoiling the rest of it."""
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


def _here(stop: Stop | None, station: Station) -> Stop:
    if stop is None:
        raise NotCalledHere
    stop.station = station
    return stop


def station_call_next(
    *, station: Station, room: int, by: Any = None, now: datetime | None = None
) -> Stop | None:
    """Call the woman first in line to `room`; None when nobody waits.

    Raises RoomBusy while the room still has a woman called or inside (the
    database keeps one woman per room, so two calls from one room at once
    cannot both succeed either).
    """
    room = _room(station, room)
    try:
        with _alone():
            stop = statements.call_next(
                station_id=station.pk, room=room, by_id=_id(by), now=now
            )
    except IntegrityError as error:
        if "stop_one_woman_per_room" not in str(error):
            raise
        raise RoomBusy from None
    return _here(stop, station) if stop is not None else None


def _id(by: Any) -> int | None:
    return getattr(by, "pk", None)


def stop_start(
    *, station: Station, visit_id: int, by: Any = None, now: datetime | None = None
) -> Stop:
    """She came in: the room's time with her starts."""
    stop = statements.stop_step(
        station_id=station.pk,
        visit_id=visit_id,
        from_status=(StopStatus.CALLED,),
        changes={
            "status": StopStatus.SERVING,
            "started_at": now or timezone.now(),
            "by_id": _id(by),
        },
    )
    return _here(stop, station)


def _end(
    *,
    station: Station,
    visit_id: int,
    status: str,
    now: datetime | None,
    rule: str | None,
    by: Any,
) -> Stop:
    now = now or timezone.now()
    # Where she goes next is chosen from her route as it stands before her
    # stop here ends (this station is no longer on it either way); the end
    # and the move are then one statement.
    ahead = statements.route_ahead(visit_id=visit_id)
    with _alone():
        stop = statements.stop_end(
            station_id=station.pk,
            visit_id=visit_id,
            status=status,
            now=now,
            by_id=_id(by),
            then_join=_next_stop(ahead, rule=_rule(rule)),
        )
    return _here(stop, station)


def stop_done(
    *,
    station: Station,
    visit_id: int,
    by: Any = None,
    now: datetime | None = None,
    rule: str | None = None,
) -> Stop:
    """Her tests here are done; she joins the next line on her route."""
    return _end(
        station=station,
        visit_id=visit_id,
        status=StopStatus.DONE,
        now=now,
        rule=rule,
        by=by,
    )


def stop_not_today(
    *,
    station: Station,
    visit_id: int,
    by: Any = None,
    now: datetime | None = None,
    rule: str | None = None,
) -> Stop:
    """This station cannot see her today (her period, a broken machine): it
    goes on the come-back list and she carries on with the rest."""
    return _end(
        station=station,
        visit_id=visit_id,
        status=StopStatus.NOT_TODAY,
        now=now,
        rule=rule,
        by=by,
    )


def stop_no_answer(
    *, station: Station, visit_id: int, by: Any = None, now: datetime | None = None
) -> Stop:
    """Called and not come: she goes to the back of this line and is called again."""
    stop = statements.stop_step(
        station_id=station.pk,
        visit_id=visit_id,
        from_status=(StopStatus.CALLED,),
        changes={
            "status": StopStatus.WAITING,
            "queued_at": now or timezone.now(),
            "room": None,
            "called_at": None,
            "by_id": _id(by),
        },
        unanswered=True,
    )
    return _here(stop, station)


def _close(ticket: Ticket, *, status: str, now: datetime) -> Ticket:
    changed = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.INSIDE).update(
        status=status, closed_at=now
    )
    if not changed:
        raise TicketClosed
    ticket.refresh_from_db()
    return ticket


def ticket_finish(*, ticket: Ticket, now: datetime | None = None) -> Ticket:
    """She is through; refused (RouteOpen) while a station of her route is open."""
    with transaction.atomic():
        # Against a room marking her done (and moving her on) at this moment.
        rows_lock(Ticket.objects.filter(pk=ticket.pk))
        if ticket.stops.filter(status__in=OPEN).exists():
            raise RouteOpen
        return _close(ticket, status=TicketStatus.FINISHED, now=now or timezone.now())


def ticket_left_early(*, ticket: Ticket, now: datetime | None = None) -> Ticket:
    """She went home before her route was through: what is left goes on the
    come-back list."""
    now = now or timezone.now()
    with transaction.atomic():
        # Against a room calling or finishing her at this moment.
        rows_lock(Ticket.objects.filter(pk=ticket.pk))
        ticket.stops.filter(status__in=(StopStatus.PENDING, *ACTIVE)).update(
            status=StopStatus.MISSED, ended_at=now, room=None
        )
        return _close(ticket, status=TicketStatus.LEFT_EARLY, now=now)
