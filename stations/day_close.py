"""The day's close (SPEC §8.2): per station how many were seen, how long they
waited and how long a room took; and the come-back list, whose women each get
one message through the outbox."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce

from common.masking import mask_name
from notifications.services import notification_schedule
from stations.models import UNSERVED, Station, StopStatus, Ticket
from stations.selectors import route_order

COME_BACK_KIND = "come_back"
MESSAGE_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class StationFigures:
    name: str
    seen: int
    not_today: int
    missed: int
    mean_wait_minutes: float | None
    mean_service_minutes: float | None


@dataclass(frozen=True)
class ComeBack:
    ticket_id: int
    visit_id: int
    number: int
    name: str
    left_early: bool
    stations: list[str]


@dataclass(frozen=True)
class DayFigures:
    stations: list[StationFigures]
    come_back: list[ComeBack]
    checked_in: int
    finished: int


def _minutes(value: Any) -> float | None:
    return None if value is None else round(value.total_seconds() / 60, 1)


def _station_figures(*, site_id: int, day: date) -> list[StationFigures]:
    of_day = Q(stops__ticket__day=day)
    wait = ExpressionWrapper(
        F("stops__called_at") - F("stops__joined_at"), output_field=DurationField()
    )
    service = ExpressionWrapper(
        F("stops__ended_at") - Coalesce("stops__started_at", "stops__called_at"),
        output_field=DurationField(),
    )
    done = of_day & Q(stops__status=StopStatus.DONE)
    rows = (
        Station.objects.filter(site_id=site_id)
        .annotate(
            seen=Count("stops", filter=done),
            not_today=Count(
                "stops", filter=of_day & Q(stops__status=StopStatus.NOT_TODAY)
            ),
            missed=Count("stops", filter=of_day & Q(stops__status=StopStatus.MISSED)),
            wait=Avg(wait, filter=done),
            service=Avg(service, filter=done),
        )
        .order_by("step", "pk")
    )
    return [
        StationFigures(
            name=row.name,
            seen=row.seen,
            not_today=row.not_today,
            missed=row.missed,
            mean_wait_minutes=_minutes(row.wait),
            mean_service_minutes=_minutes(row.service),
        )
        for row in rows
    ]


def come_back_tickets(*, site_id: int, day: date) -> list[Ticket]:
    """Her ticket, when a station of her route was not done today."""
    return list(
        Ticket.objects.filter(site_id=site_id, day=day, stops__status__in=UNSERVED)
        .distinct()
        .select_related("visit__participant", "visit__campaign")
        .prefetch_related(route_order())
        .order_by("number")
    )


def day_close_figures(*, site_id: int, day: date) -> DayFigures:
    tickets = Ticket.objects.filter(site_id=site_id, day=day)
    come_back = [
        ComeBack(
            ticket_id=ticket.pk,
            visit_id=ticket.visit_id,
            number=ticket.number,
            name=mask_name(ticket.visit.participant.full_name),
            left_early=ticket.status == "left_early",
            stations=[
                s.station.name for s in ticket.stops.all() if s.status in UNSERVED
            ],
        )
        for ticket in come_back_tickets(site_id=site_id, day=day)
    ]
    return DayFigures(
        stations=_station_figures(site_id=site_id, day=day),
        come_back=come_back,
        checked_in=tickets.count(),
        finished=tickets.filter(status="finished").count(),
    )


def day_close_send(*, site: Any, day: date, by: Any = None) -> int:
    """Ask every woman on the come-back list back, once: the dedupe key is her
    ticket, so closing the day twice writes no second message. The text names
    no test and no reason (the hospital approves it in the message texts)."""
    written = 0
    with transaction.atomic():
        for ticket in come_back_tickets(site_id=site.pk, day=day):
            participant = ticket.visit.participant
            if participant.anonymised_at is not None or not participant.phone:
                continue
            notification_schedule(
                phone=participant.phone,
                kind=COME_BACK_KIND,
                dedupe_key=f"come_back:{ticket.pk}",
                context={"site": site.name, "tel": ticket.visit.campaign.contact_phone},
                recipient_ref=f"participant:{participant.pk}",
                language=MESSAGE_LANGUAGE,
            )
            written += 1
    return written
