"""Her data pages: see it all, download it, withdraw consent, have it deleted.

Signed in through the page session only; someone else's data is never reachable
because nothing here takes an id from the request.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from common.errors import ApplicationError
from screening import consent, privacy
from screening.consent_again import participant_consent_again
from screening.models import DeletionStatus, Participant
from screening.selectors import participant_has_consent
from screening.session import identity_from_session, sign_out

SELF_REQUEST = "self_request"
# The booked status as scheduling writes it (screening never imports scheduling).
BOOKED = "booked"


def _participant(request: HttpRequest) -> Participant | None:
    identity = identity_from_session(request)
    return identity.participant if identity is not None else None


@require_GET
@never_cache
def my_data(request: HttpRequest) -> HttpResponse:
    identity = identity_from_session(request)
    if identity is None:
        return redirect("signin")
    participant = identity.participant
    if participant is None:
        return render(request, "screening/privacy/my_data.html", {"data": None})
    return render(
        request,
        "screening/privacy/my_data.html",
        {
            "data": privacy.participant_data(participant=participant),
            "has_consent": participant_has_consent(participant=participant),
            "consent_title": consent.HEALTH_DATA_CONSENT_TITLE,
            "consent_paragraphs": consent.HEALTH_DATA_CONSENT_PARAGRAPHS,
            "consent_version": consent.HEALTH_DATA_CONSENT_VERSION,
        },
    )


@require_GET
@never_cache
def my_data_download(request: HttpRequest) -> HttpResponse:
    participant = _participant(request)
    if participant is None:
        return redirect("signin")
    data = privacy.participant_data(participant=participant)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"ankang-my-data-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def withdraw_consent(request: HttpRequest) -> HttpResponse:
    """Asks first, as cancelling a booking does; only a POST that says `confirm`
    withdraws."""
    participant = _participant(request)
    if participant is None:
        return redirect("signin")
    if not participant_has_consent(participant=participant):
        return redirect("my_data")
    if request.method == "POST" and request.POST.get("confirm") == "on":
        privacy.participant_withdraw_consent(participant=participant)
        messages.info(
            request,
            gettext(
                "You have withdrawn your consent. Your future bookings and "
                "reminders are cancelled. You can give your consent again here "
                "at any time."
            ),
        )
        return redirect("my_data")
    bookings = [
        row
        for row in privacy.participant_data(participant=participant)["appointments"]
        if row["status"] == BOOKED
    ]
    return render(request, "screening/privacy/withdraw.html", {"bookings": bookings})


@require_POST
def consent_again(request: HttpRequest) -> HttpResponse:
    participant = _participant(request)
    if participant is None:
        return redirect("signin")
    try:
        participant_consent_again(participant=participant)
    except ApplicationError as error:
        messages.error(request, str(error.detail))
        return redirect("my_data")
    messages.success(
        request,
        gettext("Thank you: your consent is recorded again. You can book a time now."),
    )
    return redirect("my")


@require_POST
def delete_data(request: HttpRequest) -> HttpResponse:
    participant = _participant(request)
    if participant is None:
        return redirect("signin")
    if request.POST.get("confirm") != "on":
        messages.error(request, gettext("Tick the box to confirm the deletion."))
        return redirect("my_data")
    deletion = privacy.participant_anonymise(
        participant=participant, reason=SELF_REQUEST
    )
    # Her tokens are gone already; this ends the page session itself.
    sign_out(request)
    if deletion.status == DeletionStatus.DONE:
        messages.info(request, gettext("Your personal data has been deleted."))
    else:
        messages.info(
            request,
            gettext(
                "Your request is recorded. Your results still need follow-up by "
                "the hospital; your data will be deleted when it has ended."
            ),
        )
    return redirect("landing")
