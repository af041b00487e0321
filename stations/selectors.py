"""Reads of the screening day: loads for routing, the lines, the board, her page."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q

from stations.models import (
    ACTIVE,
    IN_ROOM,
    OPEN,
    UNSERVED,
    Station,
    Stop,
    StopStatus,
    Ticket,
)
from stations.routing import Candidate, Load


def route_candidates(stations: Iterable[Station]) -> list[Candidate]:
    return [
        Candidate(
            station_id=station.pk,
            step=station.step,
            service_minutes=station.service_minutes,
            rooms=station.rooms,
        )
        for station in stations
    ]


def station_loads(*, station_ids: list[int]) -> dict[int, Load]:
    """Women waiting and women in the rooms, per station, in one statement."""
    # Only the stops in a line or a room: the partial index holds just those,
    # however many women the day has seen.
    rows = (
        Stop.objects.filter(station_id__in=station_ids, status__in=ACTIVE)
        .values("station_id")
        .annotate(
            waiting=Count("pk", filter=Q(status=StopStatus.WAITING)),
            in_rooms=Count("pk", filter=Q(status__in=IN_ROOM)),
        )
    )
    return {
        row["station_id"]: Load(waiting=row["waiting"], in_rooms=row["in_rooms"])
        for row in rows
    }


def site_has_stations(*, site_id: int) -> bool:
    return Station.objects.filter(site_id=site_id, is_active=True).exists()


def site_stations(*, site_id: int) -> list[Station]:
    """A site's active stations with their lines counted, in route order."""
    return list(
        Station.objects.filter(site_id=site_id, is_active=True)
        .annotate(
            waiting=Count("stops", filter=Q(stops__status=StopStatus.WAITING)),
            in_service=Count("stops", filter=Q(stops__status__in=IN_ROOM)),
        )
        .order_by("step", "pk")
    )


def room_stop(*, station: Station, room: int) -> Stop | None:
    """The woman called to, or inside, this room."""
    return (
        Stop.objects.filter(station=station, room=room, status__in=IN_ROOM)
        .select_related("ticket__visit__participant")
        .first()
    )


def line(*, station: Station, limit: int = 10) -> list[Stop]:
    return list(
        Stop.objects.filter(station=station, status=StopStatus.WAITING)
        .select_related("ticket")
        .order_by("queued_at", "pk")[:limit]
    )


@dataclass(frozen=True)
class BoardRow:
    queue_number: int
    station: str
    room: str
    serving: bool


def board_rows(*, site_id: int, day: date) -> list[BoardRow]:
    """Who is called where, newest first; numbers and rooms only, never a name."""
    stops = (
        Stop.objects.filter(
            ticket__site_id=site_id, ticket__day=day, status__in=IN_ROOM
        )
        .select_related("station", "ticket")
        .order_by("-called_at", "-pk")
    )
    return [
        BoardRow(
            queue_number=stop.ticket.number,
            station=stop.station.name,
            room=stop.station.room_name(stop.room or 0),
            serving=stop.status == StopStatus.SERVING,
        )
        for stop in stops
    ]


@dataclass(frozen=True)
class Whereabouts:
    ticket: Ticket
    current: Stop | None
    room: str
    ahead: int
    still_to_come: list[str]
    unserved: list[str]


def ticket_whereabouts(*, ticket: Ticket) -> Whereabouts:
    """Where she stands: her current line and how many are before her in it."""
    stops = list(ticket.stops.select_related("station").order_by("station__step", "pk"))
    current = next(
        (stop for stop in stops if stop.status in (StopStatus.WAITING, *IN_ROOM)), None
    )
    ahead = 0
    if current is not None and current.status == StopStatus.WAITING:
        ahead = Stop.objects.filter(
            Q(queued_at__lt=current.queued_at)
            | Q(queued_at=current.queued_at, pk__lt=current.pk),
            station_id=current.station_id,
            status=StopStatus.WAITING,
        ).count()
    return Whereabouts(
        ticket=ticket,
        current=current,
        room=current.station.room_name(current.room)
        if current and current.room
        else "",
        ahead=ahead,
        still_to_come=[s.station.name for s in stops if s.status == StopStatus.PENDING],
        unserved=[s.station.name for s in stops if s.status in UNSERVED],
    )


def ticket_for_participant(*, participant_id: int, day: date) -> Ticket | None:
    return (
        Ticket.objects.filter(visit__participant_id=participant_id, day=day)
        .order_by("-pk")
        .first()
    )


def site_day_tickets(*, site_id: int, day: date) -> list[Ticket]:
    """The desk's view of the day: every ticket with its stops, by number."""
    return list(
        Ticket.objects.filter(site_id=site_id, day=day)
        .select_related("visit__participant")
        .prefetch_related(route_order())
        .order_by("number")
    )


def route_order() -> Prefetch:
    """Her stops in the order of her route."""
    return Prefetch(
        "stops",
        queryset=Stop.objects.select_related("station").order_by(
            "station__step", "station_id"
        ),
    )


def ticket_open_stops(ticket: Ticket) -> list[Stop]:
    return [stop for stop in ticket.stops.all() if stop.status in OPEN]


def queue_number_for_appointment(*, appointment_id: int) -> int | None:
    """Her queue number today, for the desk to tell her; None without stations."""
    return (
        Ticket.objects.filter(visit__appointment_id=appointment_id)
        .values_list("number", flat=True)
        .first()
    )
