"""The clinic desk: pages for a tablet at the front desk of a site.

Every page works without JavaScript; desk.js only adds the camera scan of the QR
code and a refresh of the day list that keeps the place. Names, phones and ID
numbers are masked by the selectors before they reach a template.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.audit import audit_record
from common.errors import ApplicationError
from common.masking import mask_name, mask_phone
from scheduling import clinic
from scheduling.checkin_site import BookedElsewhere
from scheduling.clinic_apis import import_body, uploaded_csv
from scheduling.desk_common import (
    desk_day,
    desk_page,
    desk_staff,
    desk_url,
    require_site,
    site_or_choice,
    undo_window,
)
from scheduling.desk_forms import CheckinForm, ResultImportForm, SearchForm
from scheduling.errors import NotToday, OtherSite
from scheduling.models import AppointmentStatus
from scheduling.selectors import (
    clinic_day_counts,
    clinic_sites,
    site_today,
    upload_site_ids,
)
from screening import selectors as screening_selectors
from screening import services as screening_services
from screening.models import ImportStatus


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


@require_GET
@desk_page
def desk_follow_up(request: HttpRequest) -> HttpResponse:
    site = require_site(request)
    cases = list(screening_selectors.follow_up_worklist(site_ids=[site.pk]))
    audit_record(
        actor=request.user,
        action="follow_up.worklist",
        obj_type="site",
        obj_id=site.pk,
        request=request,
        purpose="follow-up worklist",
        details={"rows": len(cases)},
    )
    rows = [
        {
            "name": mask_name(case.participant.full_name),
            "phone": mask_phone(case.participant.phone),
            "status": case.get_status_display(),
            "conclusion": case.get_conclusion_display(),
            "urgent": case.urgent,
            "due_on": case.due_on,
            "visit_day": case.visit.day,
            "reference": case.visit.reference,
        }
        for case in cases
    ]
    return render(
        request,
        "scheduling/desk/follow_up.html",
        {"site": site, "rows": rows, "back": desk_url(site)},
    )


@require_http_methods(["GET", "POST"])
@desk_page
def desk_imports(request: HttpRequest) -> HttpResponse:
    site = require_site(request)
    form = ResultImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            uploaded = uploaded_csv(request.FILES)
            result_import = screening_services.result_import_create(
                uploaded_file=uploaded,
                by=request.user,
                site_ids=upload_site_ids(user=request.user),
            )
        except ApplicationError as error:
            form.add_error("file", str(error.detail))
        else:
            body = import_body(result_import)
            url = reverse("desk-import", args=[body["id"]])
            return redirect(url + "?" + urlencode({"site": site.pk}))
    return render(
        request,
        "scheduling/desk/imports.html",
        {"site": site, "form": form, "back": desk_url(site)},
        status=400 if form.errors else 200,
    )


FINISHED_IMPORT_STATUSES = {ImportStatus.DONE, ImportStatus.FAILED}


@require_GET
@desk_page
def desk_import(request: HttpRequest, import_id: int) -> HttpResponse:
    site = require_site(request)
    try:
        body = import_body(
            screening_selectors.result_import_get(import_id=import_id, by=request.user)
        )
    except ApplicationError as error:
        raise PermissionDenied from error
    total = body.get("total") or 0
    processed = body.get("processed") or 0
    return render(
        request,
        "scheduling/desk/import.html",
        {
            "site": site,
            "import": body,
            "percent": int(processed * 100 / total) if total else 0,
            "finished": str(body.get("status")) in FINISHED_IMPORT_STATUSES,
            "api_url": reverse("api-clinic-result-import", args=[import_id]),
            "back": desk_url(site),
        },
    )
