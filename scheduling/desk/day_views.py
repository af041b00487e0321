"""The desk's day list with its check-in box, check-in and its undo.

The box is at the top and has the focus after every action, so a USB scanner
(which types the reference and presses Enter) can check in one woman after the
other without a mouse. The outcome is shown beside the box, never by jumping to
her row; after a check-in, the woman just checked in is named there in full,
with her birth date (an audited read) and a link straight to her results.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from common.errors import ApplicationError
from common.masking import mask_name
from scheduling.desk.checkin import (
    VIA_SEARCH,
    appointment_check_in,
    appointment_check_in_undo,
    appointment_for_checkin,
)
from scheduling.desk.checkin_site import BookedElsewhere
from scheduling.desk.common import (
    bad_day,
    desk_day,
    desk_page,
    desk_staff,
    desk_url,
    require_site,
    site_or_choice,
    undo_window,
)
from scheduling.desk.forms import CheckinForm
from scheduling.desk.selectors import (
    DeskRow,
    desk_appointment_get,
    desk_day_counts,
    desk_sites,
    site_today,
)
from scheduling.desk.services import desk_day_list_read
from scheduling.desk.woman import desk_woman_read
from scheduling.errors import NotToday, OtherSite
from scheduling.models import AppointmentStatus, Site
from stations.selectors import queue_number_for_appointment

# The appointment checked in last from this browser: named beside the box once.
JUST_CHECKED_IN = "desk_just_checked_in"


def _undoable(rows: list[DeskRow]) -> set[int]:
    undo_after = timezone.now() - undo_window()
    return {
        row.id
        for row in rows
        if row.status == AppointmentStatus.CHECKED_IN
        and row.checked_in_at is not None
        and row.checked_in_at >= undo_after
    }


def _just_checked_in(request: HttpRequest) -> dict[str, Any] | None:
    """The woman checked in by the last action, shown once, in full."""
    appointment_id = request.session.pop(JUST_CHECKED_IN, None)
    if not isinstance(appointment_id, int):
        return None
    try:
        appointment = desk_appointment_get(
            user=request.user, appointment_id=appointment_id
        )
    except ApplicationError:
        return None
    if appointment.status != AppointmentStatus.CHECKED_IN:
        return None
    return {
        "appointment": appointment,
        "woman": desk_woman_read(
            by=request.user,
            appointment=appointment,
            purpose="check-in",
            request=request,
        ),
    }


@require_GET
@desk_page
def desk_home(request: HttpRequest) -> HttpResponse:
    sites = list(desk_sites(user=request.user))
    site = site_or_choice(request)
    if site is None:
        return render(request, "scheduling/desk/choose_site.html", {"sites": sites})
    try:
        day = desk_day(request, site)
    except ApplicationError as error:
        return bad_day(request, site, error)
    rows = desk_day_list_read(user=request.user, site=site, day=day, request=request)
    return render(
        request,
        "scheduling/desk/day.html",
        {
            "site": site,
            "sites": sites,
            "day": day,
            "today": site_today(site=site),
            **_neighbours(day),
            "rows": rows,
            "counts": desk_day_counts(rows=rows),
            "undoable": _undoable(rows),
            "just": _just_checked_in(request),
            "form": CheckinForm(),
            "self_url": desk_url(site, day),
        },
    )


def _neighbours(day: date) -> dict[str, date]:
    return {
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
    }


def _confirm(request: HttpRequest, site: Site, error: Any, data: Any) -> HttpResponse:
    """Ask before checking in another day's or another site's booking, naming
    the woman in full so the nurse can tell it is her (an audited read)."""
    appointment = appointment_for_checkin(
        reference=data["reference"] or None, token=data["token"] or None
    )
    return render(
        request,
        "scheduling/desk/confirm_checkin.html",
        {
            "site": site,
            "error": error,
            "data": data,
            "other_site": isinstance(error, BookedElsewhere),
            "woman": desk_woman_read(
                by=request.user,
                appointment=appointment,
                purpose="check-in",
                request=request,
            ),
        },
        status=400,
    )


@require_POST
@desk_page
def desk_checkin(request: HttpRequest) -> HttpResponse:
    site = require_site(request)
    form = CheckinForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, str(error))
        return redirect(desk_url(site))
    data = form.cleaned_data
    try:
        appointment = appointment_check_in(
            by=desk_staff(request),
            reference=data["reference"] or None,
            token=data["token"] or None,
            force=data["force"],
            via=VIA_SEARCH if data["via"] == "search" else None,
            at_site=site,
            force_site=data["force_site"],
            request=request,
        )
    except (NotToday, BookedElsewhere) as error:
        return _confirm(request, site, error, data)
    except ApplicationError as error:
        messages.error(request, str(error.detail))
        return redirect(desk_url(site))
    messages.success(
        request,
        gettext("Checked in: %(name)s, reference %(reference)s.")
        % {
            "name": mask_name(appointment.participant.full_name),
            "reference": appointment.reference,
        },
    )
    number = queue_number_for_appointment(appointment_id=appointment.pk)
    if number is not None:
        messages.info(request, gettext("Queue number: %(number)s") % {"number": number})
    request.session[JUST_CHECKED_IN] = appointment.pk
    return redirect(desk_url(site))


@require_POST
@desk_page
def desk_undo(request: HttpRequest, appointment_id: int) -> HttpResponse:
    site = require_site(request)
    try:
        appointment = appointment_check_in_undo(
            by=desk_staff(request), appointment_id=appointment_id, request=request
        )
    except OtherSite:
        raise PermissionDenied from None
    except ApplicationError as error:
        messages.error(request, str(error.detail))
        return redirect(desk_url(site))
    messages.success(
        request,
        gettext("Check-in undone for reference %(reference)s.")
        % {"reference": appointment.reference},
    )
    return redirect(desk_url(site))
