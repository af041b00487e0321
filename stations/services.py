"""Writes of the screening day: her ticket at check-in, and the steps a room
takes with her. Every service takes `now` so that the day simulation can run a
controlled clock; the pages and the API leave it to the real one.

Locks, in one order everywhere (ADR 0009): her ticket first, then her stops.
Calling the next woman locks only the stop it takes, and skips stops another
room holds, so two rooms calling at once never wait on each other.
"""

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from common.locks import rows_lock
from screening.models import Visit
from stations import routing
from stations.errors import (
    NotCalledHere,
    RoomBusy,
    RoomInvalid,
    RouteOpen,
    TicketClosed,
)
from stations.models import (
    ACTIVE,
    IN_ROOM,
    OPEN,
    QueueCounter,
    Station,
    Stop,
    StopStatus,
    Ticket,
    TicketStatus,
)
from stations.selectors import route_candidates, station_loads

logger = logging.getLogger(__name__)


def _rule(rule: str | None) -> str:
    return rule or getattr(settings, "STATION_ROUTING", routing.SHORTEST_WAIT)


def _next_number(*, site_id: int, day: Any) -> int:
    # One update takes the number and holds the counter's row until commit, so
    # two desks checking women in at once never hand out the same number.
    QueueCounter.objects.get_or_create(site_id=site_id, day=day)
    QueueCounter.objects.filter(site_id=site_id, day=day).update(last=F("last") + 1)
    return QueueCounter.objects.get(site_id=site_id, day=day).last


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
    age = routing.age_on(participant.birth_date, visit.day)
    with transaction.atomic():
        ticket = Ticket.objects.create(
            visit=visit,
            site_id=visit.site_id,
            day=visit.day,
            number=_next_number(site_id=visit.site_id, day=visit.day),
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
        _advance(ticket, now=now, rule=_rule(rule))
    logger.info("stations.ticket_opened id=%s number=%s", ticket.pk, ticket.number)
    return ticket


def ticket_drop(*, visit_id: int) -> None:
    """The check-in was undone: her number and route go with it."""
    Ticket.objects.filter(visit_id=visit_id).delete()


def _advance(ticket: Ticket, *, now: datetime, rule: str) -> Stop | None:
    """She joins the line of the next station on her route (the caller holds
    her ticket's lock)."""
    pending = {
        stop.station_id: stop
        for stop in ticket.stops.filter(status=StopStatus.PENDING).select_related(
            "station"
        )
    }
    candidates = route_candidates(stop.station for stop in pending.values())
    loads = (
        station_loads(station_ids=list(pending))
        if rule == routing.SHORTEST_WAIT
        else {}
    )
    chosen = routing.choose_next(candidates, loads, rule=rule)
    if chosen is None:
        return None
    stop = pending[chosen.station_id]
    Stop.objects.filter(pk=stop.pk, status=StopStatus.PENDING).update(
        status=StopStatus.WAITING, joined_at=now, queued_at=now
    )
    return stop


def _room(station: Station, room: int) -> int:
    if not 1 <= room <= station.rooms:
        raise RoomInvalid
    return room


def station_call_next(
    *, station: Station, room: int, by: Any = None, now: datetime | None = None
) -> Stop | None:
    """Call the woman first in line to `room`; None when nobody waits.

    Raises RoomBusy while the room still has a woman called or inside.
    """
    room = _room(station, room)
    if Stop.objects.filter(station=station, room=room, status__in=IN_ROOM).exists():
        raise RoomBusy
    try:
        with transaction.atomic():
            # SKIP LOCKED: a woman another room is calling this instant is
            # passed over, never called twice; the next one in line is taken.
            stop = (
                Stop.objects.select_for_update(skip_locked=True)
                .filter(station=station, status=StopStatus.WAITING)
                .order_by("queued_at", "pk")
                .first()
            )
            if stop is None:
                return None
            # The clock is read once she is ours: never before she joined the line.
            Stop.objects.filter(pk=stop.pk).update(
                status=StopStatus.CALLED,
                room=room,
                called_at=now or timezone.now(),
                by=by,
            )
    except IntegrityError as error:
        # The same room called twice at once: the database keeps one woman per room.
        if "stop_one_woman_per_room" not in str(error):
            raise
        raise RoomBusy from None
    stop.refresh_from_db()
    return stop


def _stop_of(*, station: Station, visit_id: int) -> Stop:
    stop = (
        Stop.objects.filter(station=station, ticket__visit_id=visit_id)
        .select_related("ticket")
        .first()
    )
    if stop is None:
        raise NotCalledHere
    return stop


def stop_start(
    *, station: Station, visit_id: int, by: Any = None, now: datetime | None = None
) -> Stop:
    """She came in: the room's time with her starts."""
    stop = _stop_of(station=station, visit_id=visit_id)
    changed = Stop.objects.filter(pk=stop.pk, status=StopStatus.CALLED).update(
        status=StopStatus.SERVING, started_at=now or timezone.now(), by=by
    )
    if not changed:
        raise NotCalledHere
    stop.refresh_from_db()
    return stop


def _end(
    *,
    station: Station,
    visit_id: int,
    status: str,
    now: datetime | None,
    rule: str | None,
    by: Any,
) -> Stop:
    stop = _stop_of(station=station, visit_id=visit_id)
    now = now or timezone.now()
    with transaction.atomic():
        # Her ticket first: "done" here and "left early" at the desk at the
        # same moment must not both move her route.
        rows_lock(Ticket.objects.filter(pk=stop.ticket_id))
        changed = Stop.objects.filter(pk=stop.pk, status__in=IN_ROOM).update(
            status=status, ended_at=now, by=by
        )
        if not changed:
            raise NotCalledHere
        _advance(stop.ticket, now=now, rule=_rule(rule))
    stop.refresh_from_db()
    return stop


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
    stop = _stop_of(station=station, visit_id=visit_id)
    changed = Stop.objects.filter(pk=stop.pk, status=StopStatus.CALLED).update(
        status=StopStatus.WAITING,
        queued_at=now or timezone.now(),
        room=None,
        called_at=None,
        no_answers=F("no_answers") + 1,
        by=by,
    )
    if not changed:
        raise NotCalledHere
    stop.refresh_from_db()
    return stop


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
