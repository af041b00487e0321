"""The desk's specimen pages: her tubes at the sampling step, and their labels."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.permissions import staff_page
from common.errors import ApplicationError
from screening.models import Visit
from specimens.errors import OtherSite, SpecimenNotFound
from specimens.labels import labels_for
from specimens.models import RejectionReason
from specimens.scope import allowed_site_ids, check_site
from specimens.selectors import live_specimens, visit_specimens
from specimens.services import specimen_reject, specimens_collect

desk_page = staff_page(Role.CLINIC, Role.ADMIN)
LABEL_LAYOUTS = ("roll", "a4")


def _visit(request: HttpRequest, appointment_id: int) -> Visit:
    """The visit of this appointment at one of her sites; 404 for none, 403
    (which tells nothing about it) for another site's."""
    visit = (
        Visit.objects.select_related("participant", "campaign")
        .filter(appointment_id=appointment_id, undone_at__isnull=True)
        .first()
    )
    if visit is None:
        raise Http404
    try:
        check_site(visit, allowed_site_ids(request.user))
    except OtherSite:
        raise PermissionDenied from None
    return visit


def _page(request: HttpRequest, visit: Visit, error: ApplicationError | None) -> Any:
    specimens = visit_specimens(
        visit=visit, by=request.user, request=request, purpose="sampling"
    )
    return render(
        request,
        "specimens/visit.html",
        {
            "visit": visit,
            "specimens": specimens,
            "live": live_specimens(specimens),
            "reasons": RejectionReason.choices,
            "error": error,
        },
        status=error.status if error else 200,
    )


@require_http_methods(["GET", "POST"])
@desk_page
def visit_specimens_page(request: HttpRequest, appointment_id: int) -> HttpResponse:
    visit = _visit(request, appointment_id)
    if request.method == "GET":
        return _page(request, visit, None)
    site_ids = allowed_site_ids(request.user)
    try:
        if "reject" in request.POST:
            specimen_reject(
                specimen_id=_posted_id(request.POST.get("reject", "")),
                reason=request.POST.get("reason", ""),
                by=request.user,
                site_ids=site_ids,
            )
        else:
            specimens_collect(visit_id=visit.pk, by=request.user, site_ids=site_ids)
    except ApplicationError as error:
        return _page(request, visit, error)
    messages.success(request, str(_saved_message(request)))
    return redirect(reverse("specimens-visit", args=[appointment_id]))


def _posted_id(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise SpecimenNotFound
    return int(raw)


def _saved_message(request: HttpRequest) -> Any:
    if "reject" in request.POST:
        return _("The tube is rejected; she will be asked to come back.")
    return _("Her tubes are recorded. Print the labels and stick them on.")


@require_http_methods(["GET"])
@desk_page
def visit_labels(request: HttpRequest, appointment_id: int) -> HttpResponse:
    visit = _visit(request, appointment_id)
    layout = request.GET.get("layout", "roll")
    if layout not in LABEL_LAYOUTS:
        return render(
            request,
            "specimens/bad_layout.html",
            {"visit": visit, "layouts": LABEL_LAYOUTS},
            status=400,
        )
    specimens = live_specimens(
        visit_specimens(visit=visit, by=request.user, request=request, purpose="labels")
    )
    return render(
        request,
        "specimens/labels.html",
        {
            "visit": visit,
            "labels": labels_for(visit, specimens),
            "layout": layout,
            "autoprint": request.GET.get("print") == "1",
        },
    )
