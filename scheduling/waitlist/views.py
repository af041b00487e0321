"""Her waitlist on the phone: join from a full day, claim a held place, leave.

No JavaScript: every change is a POST form answered with a redirect.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from common.errors import ApplicationError
from scheduling.waitlist.models import WaitlistEntry, WaitlistOffer
from scheduling.waitlist.selectors import (
    entries_for_participant,
    entry_position,
    offer_held,
)
from scheduling.waitlist.services import waitlist_claim, waitlist_join, waitlist_leave
from screening.models import Participant
from screening.session import identity_from_session


@dataclass(frozen=True)
class EntryView:
    entry: WaitlistEntry
    position: int | None
    offer: WaitlistOffer | None


def _participant(request: HttpRequest) -> Participant | None:
    identity = identity_from_session(request)
    return identity.participant if identity is not None else None


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@require_GET
def waitlist_page(request: HttpRequest) -> HttpResponse:
    participant = _participant(request)
    if participant is None:
        return redirect("signin")
    entries = [
        EntryView(e, entry_position(entry=e), offer_held(entry=e))
        for e in entries_for_participant(participant=participant)[:20]
    ]
    return render(request, "waitlist/mine.html", {"entries": entries})


@require_POST
def waitlist_join_view(request: HttpRequest) -> HttpResponse:
    participant = _participant(request)
    if participant is None:
        return redirect("signin")
    campaign_id, site_id = (
        _int(request.POST.get("campaign")),
        _int(request.POST.get("site")),
    )
    choice = request.POST.get("day", "")
    day = _day(choice)
    if campaign_id is None or site_id is None or (choice != "any" and day is None):
        messages.error(request, gettext("Please choose a day, or any day."))
        return redirect("waitlist")
    try:
        waitlist_join(
            participant=participant, campaign_id=campaign_id, site_id=site_id, day=day
        )
    except ApplicationError as error:
        messages.error(request, str(error.detail))
        return redirect("waitlist")
    messages.success(
        request,
        gettext(
            "You are on the waitlist. We will text you when a place is held for you."
        ),
    )
    return redirect("waitlist")


@require_POST
def waitlist_claim_view(request: HttpRequest, entry_id: int) -> HttpResponse:
    participant = _participant(request)
    if participant is None:
        return redirect("signin")
    try:
        appointment = waitlist_claim(participant=participant, entry_id=entry_id)
    except ApplicationError as error:
        messages.error(request, str(error.detail))
        return redirect("waitlist")
    messages.success(request, gettext("The place is yours: you are booked."))
    return redirect("appointment", appointment_id=appointment.pk)


@require_POST
def waitlist_leave_view(request: HttpRequest, entry_id: int) -> HttpResponse:
    participant = _participant(request)
    if participant is None:
        return redirect("signin")
    try:
        waitlist_leave(participant=participant, entry_id=entry_id)
    except ApplicationError as error:
        messages.error(request, str(error.detail))
        return redirect("waitlist")
    messages.success(request, gettext("You have left the waitlist."))
    return redirect("waitlist")
