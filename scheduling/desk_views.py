"""The clinic desk: pages for a tablet at the front desk of a site.

Every page works without JavaScript; desk.js only adds the camera scan of the QR
code and a refresh of the day list that keeps the place. Names, phones and ID
numbers are masked by the selectors before they reach a template.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role, User
from accounts.permissions import staff_page
from common.audit import audit_record
from common.errors import ApplicationError
from common.masking import mask_id_number, mask_name, mask_phone
from scheduling import clinic
from scheduling.desk_forms import CheckinForm, SearchForm, WalkInForm
from scheduling.errors import NotToday, OtherSite
from scheduling.models import AppointmentStatus, Site
from scheduling.selectors import (
    clinic_appointment_get,
    clinic_day_counts,
    clinic_site_get,
    clinic_sites,
    site_today,
)
from screening import selectors as screening_selectors
from screening.consent import HEALTH_DATA_CONSENT_PARAGRAPHS, HEALTH_DATA_CONSENT_TITLE
from screening.errors import ValidationFailed
from screening.models import Campaign, ResultTest
from screening.results.codes import allowed_codes

desk_page = staff_page(Role.CLINIC, Role.ADMIN)


def _staff(request: HttpRequest) -> User:
    # desk_page has let only a clinic or admin account through.
    return cast(User, request.user)


def _site_or_choice(request: HttpRequest) -> Site | None:
    """The site asked for, the only one she works at, or None: let her choose."""
    raw = request.GET.get("site") or request.POST.get("site")
    if raw and raw.isdigit():
        try:
            return clinic_site_get(user=request.user, site_id=int(raw))
        except OtherSite:
            raise PermissionDenied from None
    sites = list(clinic_sites(user=request.user)[:2])
    return sites[0] if len(sites) == 1 else None


def _require_site(request: HttpRequest) -> Site:
    site = _site_or_choice(request)
    if site is None:
        raise PermissionDenied
    return site


def _day(request: HttpRequest, site: Site) -> date:
    raw = request.GET.get("date", "")
    try:
        return date.fromisoformat(raw) if raw else site_today(site=site)
    except ValueError:
        return site_today(site=site)


def _desk_url(site: Site, day: date | None = None, anchor: str = "") -> str:
    query: dict[str, Any] = {"site": site.pk}
    if day is not None and day != site_today(site=site):
        query["date"] = day.isoformat()
    return reverse("desk") + "?" + urlencode(query) + anchor


def _undo_window() -> timedelta:
    return timedelta(minutes=getattr(settings, "CHECKIN_UNDO_MINUTES", 15))


@require_GET
@desk_page
def desk_home(request: HttpRequest) -> HttpResponse:
    sites = list(clinic_sites(user=request.user))
    site = _site_or_choice(request)
    if site is None:
        return render(request, "scheduling/desk/choose_site.html", {"sites": sites})
    day = _day(request, site)
    rows = clinic.clinic_day_list_read(
        user=request.user, site=site, day=day, request=request
    )
    undo_after = timezone.now() - _undo_window()
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
            "self_url": _desk_url(site, day),
        },
    )


@require_POST
@desk_page
def desk_checkin(request: HttpRequest) -> HttpResponse:
    site = _require_site(request)
    form = CheckinForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, str(error))
        return redirect(_desk_url(site))
    data = form.cleaned_data
    try:
        appointment = clinic.appointment_check_in(
            by=_staff(request),
            reference=data["reference"] or None,
            token=data["token"] or None,
            force=data["force"],
            via=clinic.VIA_SEARCH if data["via"] == "search" else None,
            request=request,
        )
    except NotToday as error:
        return render(
            request,
            "scheduling/desk/confirm_other_day.html",
            {"site": site, "error": error, "data": data},
            status=400,
        )
    except ApplicationError as error:
        messages.error(request, str(error.detail))
        return redirect(_desk_url(site))
    messages.success(
        request,
        gettext("Checked in: %(name)s, reference %(reference)s.")
        % {
            "name": mask_name(appointment.participant.full_name),
            "reference": appointment.reference,
        },
    )
    return redirect(_desk_url(site, anchor=f"#a{appointment.pk}"))


@require_POST
@desk_page
def desk_undo(request: HttpRequest, appointment_id: int) -> HttpResponse:
    site = _require_site(request)
    try:
        appointment = clinic.appointment_check_in_undo(
            by=_staff(request), appointment_id=appointment_id, request=request
        )
    except OtherSite:
        raise PermissionDenied from None
    except ApplicationError as error:
        messages.error(request, str(error.detail))
        return redirect(_desk_url(site))
    messages.success(
        request,
        gettext("Check-in undone for reference %(reference)s.")
        % {"reference": appointment.reference},
    )
    return redirect(_desk_url(site, anchor=f"#a{appointment.pk}"))


@require_GET
@desk_page
def desk_search(request: HttpRequest) -> HttpResponse:
    site = _require_site(request)
    form = SearchForm(request.GET if "phone_last4" in request.GET else None)
    rows = None
    if form.is_bound and form.is_valid():
        try:
            rows = clinic.appointment_search(
                by=_staff(request),
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
        {"site": site, "form": form, "rows": rows, "back": _desk_url(site)},
    )


def _walk_in_campaign_districts(site: Site) -> tuple[Campaign | None, list[Any]]:
    day = site_today(site=site)
    try:
        campaign = clinic.walk_in_campaign(site=site, day=day, campaign_id=None)
    except ApplicationError:
        return None, []
    return campaign, list(campaign.districts.all())


@require_http_methods(["GET", "POST"])
@desk_page
def desk_walk_in(request: HttpRequest) -> HttpResponse:
    site = _require_site(request)
    campaign, districts = _walk_in_campaign_districts(site)
    form = WalkInForm(
        request.POST if request.method == "POST" else None, districts=districts
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment = clinic.walk_in_register(
                by=_staff(request),
                site=site,
                campaign_id=campaign.pk if campaign else None,
                phone=data["phone"],
                full_name=data["full_name"],
                id_number=data["id_number"],
                employment_type=data["employment_type"],
                employment_other=data["employment_other"],
                district_code=data["district_code"],
                consent=data["consent"],
                request=request,
            )
        except ValidationFailed as error:
            form.add_service_errors(error.errors)
        except ApplicationError as error:
            form.add_error(None, str(error.detail))
        else:
            messages.success(
                request,
                gettext("Walk-in registered and checked in, reference %(reference)s.")
                % {"reference": appointment.reference},
            )
            return redirect(_desk_url(site, anchor=f"#a{appointment.pk}"))
    return render(
        request,
        "scheduling/desk/walk_in.html",
        {
            "site": site,
            "campaign": campaign,
            "form": form,
            "consent_title": HEALTH_DATA_CONSENT_TITLE,
            "consent_paragraphs": HEALTH_DATA_CONSENT_PARAGRAPHS,
            "back": _desk_url(site),
        },
        status=400 if form.errors else 200,
    )


def _result_choices() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(test, label, [(code, label)]) for every test with active codes."""
    labels = screening_selectors.result_code_labels(
        english=(get_language() or "").startswith("en")
    )
    allowed = allowed_codes()
    return [
        (
            test,
            str(test_label),
            # The labels come in the table's order, which is the clinical one.
            [
                (code, f"{code} {label}")
                for (code_test, code), label in labels.items()
                if code_test == test and code in allowed[test]
            ],
        )
        for test, test_label in ResultTest.choices
        if allowed.get(test)
    ]


@require_http_methods(["GET", "POST"])
@desk_page
def desk_results(request: HttpRequest, appointment_id: int) -> HttpResponse:
    try:
        appointment = clinic_appointment_get(
            user=request.user, appointment_id=appointment_id
        )
    except OtherSite:
        raise PermissionDenied from None
    except ApplicationError as error:
        raise PermissionDenied from error
    site = appointment.slot.site
    choices = _result_choices()
    error_text = ""
    if request.method == "POST":
        tests = [
            {"test": test, "value": request.POST.get(f"test_{test}", "").strip()}
            for test, _label, _codes in choices
            if request.POST.get(f"test_{test}", "").strip()
        ]
        try:
            clinic.appointment_results_record(
                by=_staff(request),
                appointment_id=appointment.pk,
                tests=tests,
                notes=request.POST.get("notes", "")[:2000],
                request=request,
            )
        except ApplicationError as error:
            error_text = str(error.detail)
        else:
            messages.success(
                request,
                gettext("Results recorded for reference %(reference)s.")
                % {"reference": appointment.reference},
            )
            return redirect(_desk_url(site, anchor=f"#a{appointment.pk}"))
    else:
        audit_record(
            actor=request.user,
            action="appointment.view",
            obj_type="appointment",
            obj_id=appointment.pk,
            request=request,
            purpose="results entry",
        )
    participant = appointment.participant
    return render(
        request,
        "scheduling/desk/results.html",
        {
            "site": site,
            "appointment": appointment,
            "name": mask_name(participant.full_name),
            "phone": mask_phone(participant.phone),
            "id_number": mask_id_number(participant.id_number),
            "choices": choices,
            "chosen": request.POST,
            "error": error_text,
            "back": _desk_url(site, anchor=f"#a{appointment.pk}"),
        },
        status=400 if error_text else 200,
    )


@require_GET
@desk_page
def desk_missing(request: HttpRequest) -> HttpResponse:
    site = _require_site(request)
    day = _day(request, site)
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
        {"site": site, "day": day, "rows": rows, "back": _desk_url(site, day)},
    )
