"""Worker pages: the campaign page, choosing a place, her bookings.

Every page works without JavaScript: choosing a site and a day are links, choosing
a time and every change are POST forms answered with a redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from common.errors import ApplicationError
from scheduling import calendar, qr, selectors, services
from scheduling.forms import CancelForm, SlotChoiceForm
from scheduling.idempotency import appointment_book_with_key
from scheduling.listing_cache import CAMPAIGN_CARDS_SECONDS
from scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus
from scheduling.picker import picker_page
from scheduling.selectors import campaign_overviews
from screening.eligibility import Reason
from screening.models import Campaign, Participant
from screening.selectors import campaign_list_public, participant_eligibility
from screening.session import identity_from_session


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    # The function, not its result: the template calls it only when its cached
    # campaign cards have expired.
    return render(
        request,
        "scheduling/landing.html",
        {"overviews": campaign_overviews, "cards_seconds": CAMPAIGN_CARDS_SECONDS},
    )


def _signed_in_participant(request: HttpRequest) -> Participant | None:
    identity = identity_from_session(request)
    return identity.participant if identity is not None else None


def _open_campaign(campaign_id: int) -> Campaign:
    campaign = campaign_list_public().filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    return campaign


def _own_appointment(request: HttpRequest, appointment_id: int) -> Appointment:
    """Her appointment, or 404: someone else's looks exactly like a missing one."""
    participant = _signed_in_participant(request)
    if participant is None:
        raise Http404
    try:
        return selectors.appointment_get_for_participant(
            appointment_id=appointment_id, participant=participant
        )
    except ApplicationError as error:
        raise Http404 from error


def _active_appointment(
    participant: Participant, campaign: Campaign
) -> Appointment | None:
    return (
        selectors.appointment_list_for_participant(participant=participant)
        .filter(campaign=campaign, status__in=ACTIVE_STATUSES)
        .first()
    )


def _booking_reasons(participant: Participant, campaign: Campaign) -> list[Reason]:
    return participant_eligibility(
        participant=participant,
        campaign=campaign,
        now=timezone.now(),
        quota_used=selectors.campaign_quota_used(campaign=campaign),
        has_active_appointment=False,
    )


def _is_changeable(appointment: Appointment) -> bool:
    return (
        appointment.status == AppointmentStatus.BOOKED
        and appointment.slot.starts_at > timezone.now()
    )


def _book_elsewhere(
    request: HttpRequest, participant: Participant, campaign: Campaign
) -> HttpResponse | None:
    """Where she goes instead of the picker: to her booking if she has one,
    to the reasons if she may not book; None lets her choose."""
    current = _active_appointment(participant, campaign)
    if current is not None:
        return redirect("appointment", appointment_id=current.pk)
    reasons = _booking_reasons(participant, campaign)
    if reasons:
        return render(
            request,
            "screening/ineligible.html",
            {"campaign": campaign, "reasons": reasons},
        )
    return None


def _book_refused(
    request: HttpRequest,
    error: ApplicationError,
    participant: Participant,
    campaign: Campaign,
    action: str,
) -> HttpResponse:
    """The page for a booking the service refused."""
    # A repeated request gets its first answer back as a plain
    # ApplicationError, so the code decides, not the class.
    if error.code == "already_booked":
        current = _active_appointment(participant, campaign)
        if current is not None:
            return redirect("appointment", appointment_id=current.pk)
    refused = getattr(error, "reasons", None) or error.extra.get("reasons")
    if error.code == "not_eligible" and refused:
        return render(
            request,
            "screening/ineligible.html",
            {"campaign": campaign, "reasons": refused},
            status=error.status,
        )
    return picker_page(
        request,
        campaign=campaign,
        action=action,
        error=str(error.detail),
        status=error.status,
    )


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _open_campaign(campaign_id)
    identity = identity_from_session(request)
    if identity is None:
        return redirect("signup_phone", campaign_id=campaign.pk)
    participant = identity.participant
    if participant is None:
        return redirect("signup_profile", campaign_id=campaign.pk)
    elsewhere = _book_elsewhere(request, participant, campaign)
    if elsewhere is not None:
        return elsewhere

    action = reverse("book", args=[campaign.pk])
    if request.method == "GET":
        return picker_page(request, campaign=campaign, action=action)

    form = SlotChoiceForm(request.POST)
    if not form.is_valid():
        return picker_page(
            request, campaign=campaign, action=action, form=form, status=400
        )
    slot_id, key = form.cleaned_data["slot"], form.cleaned_data["idempotency_key"]
    try:
        if key:
            appointment = appointment_book_with_key(
                participant=participant, slot_id=slot_id, key=key
            )
        else:
            appointment = services.appointment_book(
                participant=participant, slot_id=slot_id
            )
    except ApplicationError as error:
        return _book_refused(request, error, participant, campaign, action)
    return redirect("appointment", appointment_id=appointment.pk)


@require_http_methods(["GET", "POST"])
def reschedule(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = _own_appointment(request, appointment_id)
    if not _is_changeable(appointment):
        messages.error(request, gettext("This appointment can no longer be moved."))
        return redirect("appointment", appointment_id=appointment.pk)
    campaign = appointment.campaign
    action = reverse("reschedule", args=[appointment.pk])
    if request.method == "GET":
        return picker_page(
            request, campaign=campaign, action=action, appointment=appointment
        )

    form = SlotChoiceForm(request.POST)
    if not form.is_valid():
        return picker_page(
            request,
            campaign=campaign,
            action=action,
            appointment=appointment,
            form=form,
            status=400,
        )
    try:
        services.appointment_reschedule(
            appointment=appointment, slot_id=form.cleaned_data["slot"]
        )
    except ApplicationError as error:
        if error.code != "slot_full":
            return picker_page(
                request,
                campaign=campaign,
                action=action,
                appointment=appointment,
                error=str(error.detail),
                status=error.status,
            )
        return picker_page(
            request,
            campaign=campaign,
            action=action,
            appointment=appointment,
            error=gettext(
                "That time has just filled up. Your booking has not changed: "
                "choose another time or keep it."
            ),
            status=error.status,
        )
    messages.success(request, gettext("Your booking has been moved."))
    return redirect("appointment", appointment_id=appointment.pk)


@require_GET
def my(request: HttpRequest) -> HttpResponse:
    identity = identity_from_session(request)
    if identity is None:
        return redirect("signin")
    participant = identity.participant
    appointments = (
        list(selectors.appointment_list_for_participant(participant=participant))
        if participant is not None
        else []
    )
    booked_campaigns = {
        a.campaign_id for a in appointments if a.status in ACTIVE_STATUSES
    }
    open_campaigns = [
        c
        for c in campaign_list_public()
        if c.registration_open and c.pk not in booked_campaigns
    ]
    return render(
        request,
        "scheduling/my.html",
        {
            "participant": participant,
            "appointments": appointments,
            "open_campaigns": open_campaigns,
        },
    )


@require_GET
def appointment_detail(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = _own_appointment(request, appointment_id)
    return render(
        request,
        "scheduling/appointment.html",
        {
            "appointment": appointment,
            "slot": appointment.slot,
            "site": appointment.slot.site,
            "campaign": appointment.campaign,
            "changeable": _is_changeable(appointment),
            "show_qr": appointment.status == AppointmentStatus.BOOKED,
        },
    )


@require_GET
def appointment_qr(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = _own_appointment(request, appointment_id)
    if appointment.status != AppointmentStatus.BOOKED:
        raise Http404
    return HttpResponse(
        qr.appointment_qr_svg(appointment=appointment),
        content_type="image/svg+xml",
    )


@require_GET
def appointment_calendar(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = _own_appointment(request, appointment_id)
    response = HttpResponse(
        calendar.appointment_ics(appointment=appointment),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="screening-{appointment.reference}.ics"'
    )
    return response


@require_http_methods(["GET", "POST"])
def appointment_cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Asks first; only a POST that says `confirm` cancels."""
    appointment = _own_appointment(request, appointment_id)
    if not _is_changeable(appointment):
        messages.error(request, gettext("This appointment can no longer be cancelled."))
        return redirect("appointment", appointment_id=appointment.pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and form.cleaned_data["confirm"]:
        try:
            services.appointment_cancel(appointment=appointment, by=None)
        except ApplicationError as error:
            messages.error(request, str(error.detail))
            return redirect("appointment", appointment_id=appointment.pk)
        messages.success(request, gettext("Your booking has been cancelled."))
        return redirect("my")
    return render(
        request,
        "scheduling/cancel.html",
        {
            "appointment": appointment,
            "slot": appointment.slot,
            "site": appointment.slot.site,
        },
    )
