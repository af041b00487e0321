"""Worker pages: the campaign page, choosing a place, her bookings.

Every page works without JavaScript: choosing a site and a day are links, choosing
a time and every change are POST forms answered with a redirect.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

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
from scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus, Site
from scheduling.places import PlacesBand, places_band
from scheduling.selectors import campaign_overviews
from screening.eligibility import Reason
from screening.models import Campaign, Participant
from screening.selectors import campaign_list_public, participant_eligibility
from screening.session import identity_from_session


@dataclass(frozen=True)
class DayChoice:
    day: date
    places_left: int

    @property
    def places_band(self) -> PlacesBand:
        """What the picker says of the day's places: a band, not the count."""
        return places_band(self.places_left)


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


def _parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _parse_id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _sites_with_slots(campaign: Campaign) -> list[Site]:
    """Active sites with future slots in the campaign, for the first picker step."""
    return list(
        Site.objects.filter(
            is_active=True,
            slots__campaign=campaign,
            slots__starts_at__gt=timezone.now(),
        )
        .distinct()
        .order_by("code")
    )


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


def _picker(
    request: HttpRequest,
    *,
    campaign: Campaign,
    action: str,
    appointment: Appointment | None = None,
    form: SlotChoiceForm | None = None,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The three-step place picker: site, then day, then time.

    The chosen site and day travel in the query string (GET) or as hidden fields
    (after a refused POST), so each step is a plain link or form.
    """
    params = request.POST if request.method == "POST" else request.GET
    sites = _sites_with_slots(campaign)
    site_id = _parse_id(params.get("site"))
    site: Site | None = next((s for s in sites if s.pk == site_id), None)
    if site is None and len(sites) == 1:
        site = sites[0]
    days = (
        [
            DayChoice(day, left)
            for day, left in selectors.slot_days(campaign=campaign, site=site)
        ]
        if site is not None
        else []
    )
    day = _parse_day(params.get("day"))
    if day is not None and day not in {d.day for d in days}:
        day = None
    slots = (
        list(selectors.slot_list(campaign_id=campaign.pk, site_id=site.pk, day=day))
        if site is not None and day is not None
        else []
    )
    return render(
        request,
        "scheduling/picker.html",
        {
            "campaign": campaign,
            "appointment": appointment,
            "action": action,
            "sites": sites,
            "site": site,
            "days": days,
            "day": day,
            "slots": slots,
            "form": form,
            "error": error,
            "idempotency_key": uuid.uuid4().hex,
            "now": timezone.now(),
        },
        status=status,
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

    action = reverse("book", args=[campaign.pk])
    if request.method == "GET":
        return _picker(request, campaign=campaign, action=action)

    form = SlotChoiceForm(request.POST)
    if not form.is_valid():
        return _picker(request, campaign=campaign, action=action, form=form, status=400)
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
        return _picker(
            request,
            campaign=campaign,
            action=action,
            error=str(error.detail),
            status=error.status,
        )
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
        return _picker(
            request, campaign=campaign, action=action, appointment=appointment
        )

    form = SlotChoiceForm(request.POST)
    if not form.is_valid():
        return _picker(
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
            return _picker(
                request,
                campaign=campaign,
                action=action,
                appointment=appointment,
                error=str(error.detail),
                status=error.status,
            )
        return _picker(
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
