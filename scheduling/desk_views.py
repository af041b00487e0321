"""The clinic desk: pages for a tablet at the front desk of a site.

Every page works without JavaScript; desk.js only adds the camera scan of the QR
code and a refresh of the day list that keeps the place. Names, phones and ID
numbers are masked by the selectors before they reach a template.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from common.audit import audit_record
from common.errors import ApplicationError
from common.masking import mask_name
from scheduling import clinic
from scheduling.checkin_site import BookedElsewhere
from scheduling.desk_common import (
    desk_day,
    desk_page,
    desk_staff,
    desk_url,
    require_site,
    site_or_choice,
    undo_window,
)
from scheduling.desk_forms import CheckinForm, SearchForm
from scheduling.errors import NotToday, OtherSite
from scheduling.models import AppointmentStatus
from scheduling.selectors import (
    clinic_day_counts,
    clinic_sites,
    site_today,
)
from screening import selectors as screening_selectors


@require_GET
@desk_page
def desk_home(request: HttpRequest) -> HttpResponse:
    sites = list(clinic_sites(user=request.user))
    site = site_or_choice(request)
    if site is None:
        return render(request, "scheduling/desk/choose_site.html", {"sites": sites})
    day = desk_day(request, site)
    rows = clinic.clinic_day_list_read(
        user=request.user, site=site, day=day, request=request
    )
    undo_after = timezone.now() - undo_window()
    return render(
        request,
        "scheduling/desk/day.html",
        {
            "site": site,
            "sites": sites,
            "day": day,
            "today": site_today(site=site),
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "rows": rows,
            "counts": clinic_day_counts(rows=rows),
            "undoable": {
                row.id
                for row in rows
                if row.status == AppointmentStatus.CHECKED_IN
                and row.checked_in_at is not None
                and row.checked_in_at >= undo_after
            },
            "form": CheckinForm(),
            "self_url": desk_url(site, day),
        },
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
        appointment = clinic.appointment_check_in(
            by=desk_staff(request),
            reference=data["reference"] or None,
            token=data["token"] or None,
            force=data["force"],
            via=clinic.VIA_SEARCH if data["via"] == "search" else None,
            at_site=site,
            force_site=data["force_site"],
            request=request,
        )
    except (NotToday, BookedElsewhere) as error:
        return render(
            request,
            "scheduling/desk/confirm_checkin.html",
            {
                "site": site,
                "error": error,
                "data": data,
                "other_site": isinstance(error, BookedElsewhere),
            },
            status=400,
        )
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
    return redirect(desk_url(site, anchor=f"#a{appointment.pk}"))


@require_POST
@desk_page
def desk_undo(request: HttpRequest, appointment_id: int) -> HttpResponse:
    site = require_site(request)
    try:
        appointment = clinic.appointment_check_in_undo(
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
    return redirect(desk_url(site, anchor=f"#a{appointment.pk}"))


@require_GET
@desk_page
def desk_search(request: HttpRequest) -> HttpResponse:
    site = require_site(request)
    form = SearchForm(request.GET if "phone_last4" in request.GET else None)
    rows = None
    if form.is_bound and form.is_valid():
        try:
            rows = clinic.appointment_search(
                by=desk_staff(request),
                site=site,
                day=site_today(site=site),
                phone_last4=form.cleaned_data["phone_last4"],
                name_initial=form.cleaned_data["name_initial"],
                purpose=form.cleaned_data["purpose"],
                request=request,
            )
        except ApplicationError as error:
            messages.error(request, str(error.detail))
    return render(
        request,
        "scheduling/desk/search.html",
        {"site": site, "form": form, "rows": rows, "back": desk_url(site)},
    )


@require_GET
@desk_page
def desk_missing(request: HttpRequest) -> HttpResponse:
    site = require_site(request)
    day = desk_day(request, site)
    visits = list(screening_selectors.visits_missing_results(site_id=site.pk, day=day))
    audit_record(
        actor=request.user,
        action="visit.missing_list",
        obj_type="site",
        obj_id=site.pk,
        request=request,
        purpose="results still missing",
        details={"day": day.isoformat(), "rows": len(visits)},
    )
    rows = [
        {
            "reference": visit.reference,
            "appointment_id": visit.appointment_id,
            "name": mask_name(visit.participant.full_name),
            "checked_in_at": visit.checked_in_at,
        }
        for visit in visits
    ]
    return render(
        request,
        "scheduling/desk/missing.html",
        {"site": site, "day": day, "rows": rows, "back": desk_url(site, day)},
    )
