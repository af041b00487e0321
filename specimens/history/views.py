"""Her history form on her phone (no JavaScript needed), and the desk's
confirmation at the sampling step."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.permissions import staff_page
from common.errors import ApplicationError
from common.masking import mask_name
from screening.models import Campaign, Visit
from screening.session import identity_from_session
from specimens.errors import OtherSite
from specimens.history.questions import (
    HistoryForm,
    active_questions,
    answered_rows,
    initial_from,
)
from specimens.history.selectors import history_for_her, history_for_visit
from specimens.history.services import history_confirm, history_save_by_her
from specimens.scope import allowed_site_ids, check_site

desk_page = staff_page(Role.CLINIC, Role.ADMIN)


@require_http_methods(["GET", "POST"])
def my_history(request: HttpRequest, campaign_id: int) -> HttpResponse:
    identity = identity_from_session(request)
    if identity is None:
        return redirect("signin")
    participant = identity.participant
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if participant is None or campaign is None:
        raise Http404
    history = history_for_her(participant=participant, campaign=campaign)
    questions = active_questions()
    locked = history is not None and history.confirmed_at is not None
    form = HistoryForm(
        request.POST if request.method == "POST" and not locked else None,
        questions=questions,
        initial=initial_from(history.answers if history else None),
    )
    if request.method == "POST" and not locked and form.is_valid():
        try:
            history_save_by_her(
                participant=participant, campaign=campaign, answers=form.answers()
            )
        except ApplicationError:
            locked = True
        else:
            messages.success(
                request,
                gettext("Saved. The nurse will check it with you at your visit."),
            )
            return redirect(reverse("my_history", args=[campaign.pk]))
    response = render(
        request,
        "specimens/history/mine.html",
        {"form": form, "campaign": campaign, "locked": locked, "history": history},
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


def _visit(request: HttpRequest, appointment_id: int) -> Visit:
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


@require_http_methods(["GET", "POST"])
@desk_page
def desk_history(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Her answers laid out for the nurse to read back and confirm in one press."""
    visit = _visit(request, appointment_id)
    history = history_for_visit(visit=visit, by=request.user, request=request)
    questions = active_questions()
    form = HistoryForm(
        request.POST if request.method == "POST" else None,
        questions=questions,
        initial=initial_from(history.answers if history else None),
    )
    if request.method == "POST" and form.is_valid():
        history_confirm(visit=visit, answers=form.answers(), by=request.user)
        messages.success(request, gettext("Her history is confirmed."))
        return redirect(reverse("specimens-visit", args=[appointment_id]))
    return render(
        request,
        "specimens/history/desk.html",
        {
            "visit": visit,
            "masked_name": mask_name(visit.participant.full_name),
            "form": form,
            "history": history,
            "answered": answered_rows(history.answers if history else None),
        },
        status=400 if form.errors else 200,
    )
