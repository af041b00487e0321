"""The screening day's pages: a room's screen, the call board, the desk's view
of the day and its close. Thin: the services decide, the pages show."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.permissions import staff_page
from common.audit import audit_record
from common.errors import ApplicationError
from stations import services
from stations.day_close import day_close_figures, day_close_send
from stations.errors import RoomInvalid, SiteRequired, TicketNotFound
from stations.models import Ticket
from stations.scope import (
    allowed_site_ids,
    site_day,
    site_for,
    sites_with_stations,
    station_for,
)
from stations.selectors import (
    board_rows,
    line,
    room_stop,
    site_day_tickets,
    site_stations,
)

desk_page = staff_page(Role.CLINIC, Role.ADMIN)
BOARD_REFRESH_SECONDS = 5
ROOM_REFRESH_SECONDS = 30

# One key per action on the room's screen (and the button's value).
ACTIONS: dict[str, tuple[str, Callable[..., Any]]] = {
    "call": ("n", services.station_call_next),
    "start": ("s", services.stop_start),
    "done": ("d", services.stop_done),
    "no_answer": ("a", services.stop_no_answer),
    "not_today": ("t", services.stop_not_today),
}


def _site_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("site") or request.POST.get("site") or ""
    return int(raw) if raw.isdigit() else None


def _error_page(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    return render(request, "stations/error.html", {"error": error}, status=error.status)


@desk_page
@require_http_methods(["GET"])
def station_index(request: HttpRequest) -> HttpResponse:
    try:
        site = site_for(request.user, _site_id(request))
    except SiteRequired:
        sites = sites_with_stations(allowed_site_ids(request.user))
        return render(request, "stations/sites.html", {"sites": sites})
    except ApplicationError as error:
        return _error_page(request, error)
    return render(
        request,
        "stations/index.html",
        {"site": site, "stations": site_stations(site_id=site.pk)},
    )


def _audit_shown(
    request: HttpRequest, *, action: str, site_id: int, visit_ids: list[int]
) -> None:
    """Staff saw these women (masked) on a page of the day: one event a page."""
    if visit_ids:
        audit_record(
            actor=request.user,
            action=action,
            obj_type="site",
            obj_id=site_id,
            request=request,
            purpose="screening day",
            details={"visits": visit_ids},
        )


def _room_act(request: HttpRequest, station: Any, room: int, action: str) -> None:
    _key, step = ACTIONS[action]
    if action == "call":
        stop = step(station=station, room=room, by=request.user)
        if stop is None:
            messages.info(request, _("Nobody is waiting."))
            return
        # The room sees her (masked) from now on: the call is the read.
        _audit_shown(
            request,
            action="stations.called",
            site_id=station.site_id,
            visit_ids=[stop.ticket.visit_id],
        )
        return
    current = room_stop(station=station, room=room)
    visit_id = current.ticket.visit_id if current else int(request.POST.get("visit", 0))
    step(station=station, visit_id=visit_id, by=request.user)


@desk_page
@require_http_methods(["GET", "POST"])
def room_screen(request: HttpRequest, station_id: int, room: int) -> HttpResponse:
    """A room's screen: who is called here, and one key for each step."""
    try:
        station = station_for(request.user, station_id)
        if not 1 <= room <= station.rooms:
            return _error_page(request, RoomInvalid())
        action = request.POST.get("action", "")
        if request.method == "POST" and action in ACTIONS:
            _room_act(request, station, room, action)
            return redirect(request.path)
    except ApplicationError as error:
        if request.method == "POST" and error.status != 403:
            messages.error(request, str(error.detail))
            return redirect(request.path)
        return _error_page(request, error)
    current = room_stop(station=station, room=room)
    response = render(
        request,
        "stations/room.html",
        {
            "station": station,
            "room": room,
            "room_name": station.room_name(room),
            "current": current,
            "line": line(station=station),
            "keys": {name: key for name, (key, _step) in ACTIONS.items()},
        },
    )
    response["Refresh"] = str(ROOM_REFRESH_SECONDS)
    return response


@desk_page
@require_http_methods(["GET"])
def board(request: HttpRequest) -> HttpResponse:
    """The call board for the hall: numbers and rooms, refreshed by itself (the
    Refresh header: no JavaScript, and nothing a reader of the page must stop)."""
    try:
        site = site_for(request.user, _site_id(request))
    except ApplicationError as error:
        return _error_page(request, error)
    rows = board_rows(site_id=site.pk, day=site_day(site))
    response = render(
        request,
        "stations/board.html",
        {"site": site, "rows": rows, "refresh": BOARD_REFRESH_SECONDS},
    )
    response["Refresh"] = str(BOARD_REFRESH_SECONDS)
    return response


@desk_page
@require_http_methods(["GET"])
def day_view(request: HttpRequest) -> HttpResponse:
    """Who is inside, who has left early, and what each one still misses."""
    try:
        site = site_for(request.user, _site_id(request))
    except ApplicationError as error:
        return _error_page(request, error)
    tickets = site_day_tickets(site_id=site.pk, day=site_day(site))
    _audit_shown(
        request,
        action="stations.day_list",
        site_id=site.pk,
        visit_ids=[ticket.visit_id for ticket in tickets],
    )
    return render(request, "stations/day.html", {"site": site, "tickets": tickets})


@desk_page
@require_http_methods(["POST"])
def ticket_act(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    try:
        site = site_for(request.user, ticket.site_id if ticket else None)
        if ticket is None:
            raise TicketNotFound
        if request.POST.get("action") == "left":
            services.ticket_left_early(ticket=ticket)
        else:
            services.ticket_finish(ticket=ticket)
    except ApplicationError as error:
        if ticket is None or error.status == 403:
            return _error_page(request, error)
        messages.error(request, str(error.detail))
        site = ticket.site
    return redirect(reverse("stations-day") + f"?site={site.pk}#t{ticket_id}")


@desk_page
@require_http_methods(["GET", "POST"])
def day_close(request: HttpRequest) -> HttpResponse:
    """The day's figures per station and the come-back list; sending asks each
    woman on it back once."""
    try:
        site = site_for(request.user, _site_id(request))
    except ApplicationError as error:
        return _error_page(request, error)
    day = site_day(site)
    if request.method == "POST":
        sent = day_close_send(site=site, day=day, by=request.user)
        messages.success(request, _("Come-back messages written: %(n)s") % {"n": sent})
        return redirect(reverse("stations-close") + f"?site={site.pk}")
    figures = day_close_figures(site_id=site.pk, day=day)
    _audit_shown(
        request,
        action="stations.come_back_list",
        site_id=site.pk,
        visit_ids=[row.visit_id for row in figures.come_back],
    )
    return render(
        request, "stations/close.html", {"site": site, "day": day, "figures": figures}
    )
