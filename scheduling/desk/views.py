"""The desk: pages for a tablet at the front desk of a site.

Every page works without JavaScript; desk.js only adds the camera scan of the QR
code and a refresh of the day list that keeps the place. Names, phones and ID
numbers are masked by the selectors before they reach a template.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from common.audit import audit_record
from common.errors import ApplicationError
from common.masking import mask_name
from scheduling.desk.audit import DAY_LIST_ACTION, REPEAT_WITHIN, audit_women_shown
from scheduling.desk.common import (
    bad_day,
    desk_day,
    desk_page,
    desk_staff,
    desk_url,
    require_site,
)
from scheduling.desk.forms import SearchForm
from scheduling.desk.selectors import site_today
from scheduling.desk.services import appointment_search
from screening import selectors as screening_selectors


@require_GET
@desk_page
def desk_search(request: HttpRequest) -> HttpResponse:
    site = require_site(request)
    form = SearchForm(request.GET if "phone_last4" in request.GET else None)
    rows = None
    if form.is_bound and form.is_valid():
        try:
            rows = appointment_search(
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
    try:
        day = desk_day(request, site)
    except ApplicationError as error:
        return bad_day(request, site, error)
    visits = list(screening_selectors.visits_missing_results(site_id=site.pk, day=day))
    audit_women_shown(
        by=request.user,
        action=DAY_LIST_ACTION,
        appointment_ids=[v.appointment_id for v in visits if v.appointment_id],
        purpose="results still missing",
        request=request,
        details={"site": site.pk, "day": day.isoformat()},
        repeat_within=REPEAT_WITHIN,
    )
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
