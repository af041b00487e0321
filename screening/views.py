"""Sign-up and sign-in pages: phone and SMS code (the profile and consent steps
are in screening.registration_views), sign-out, and her results. Plain forms,
POST-redirect-GET."""

from __future__ import annotations

import math

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.audit import client_ip
from common.errors import ApplicationError
from common.masking import mask_phone
from screening import services
from screening.authentication import PhoneIdentity
from screening.forms import (
    CodeForm,
    PhoneForm,
)
from screening.models import Campaign
from screening.resend import resend_refusal_message
from screening.results.organs import organs_for_page
from screening.results.pending import cards_with_pending
from screening.selectors import (
    campaign_list_public,
    result_code_labels,
    visits_with_results_for_participant,
)
from screening.session import (
    identity_from_session,
    pending_phone,
    remember_pending_phone,
    sign_in,
    sign_out,
)

TOO_MANY_REQUESTS = 429


def campaign_or_404(campaign_id: int) -> Campaign:
    campaign = campaign_list_public().filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    return campaign


def _campaign(campaign_id: int | None) -> Campaign | None:
    """The campaign she signs up for; None on the plain sign-in pages."""
    return None if campaign_id is None else campaign_or_404(campaign_id)


def step_urls(campaign: Campaign | None) -> dict[str, str]:
    """Where each step lives: under the campaign when signing up, else the sign-in."""
    if campaign is None:
        return {
            "phone": reverse("signin"),
            "code": reverse("signin_code"),
        }
    args = [campaign.pk]
    return {
        "phone": reverse("signup_phone", args=args),
        "code": reverse("signup_code", args=args),
        "profile": reverse("signup_profile", args=args),
        "consent": reverse("signup_consent", args=args),
        "book": reverse("book", args=args),
    }


def _after_sign_in(identity: PhoneIdentity, campaign: Campaign | None) -> str:
    """A returning woman goes to her bookings; a new one on to her profile."""
    if identity.participant is not None or campaign is None:
        return reverse("my")
    return step_urls(campaign)["profile"]


def closed_page(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    return render(request, "screening/closed.html", {"campaign": campaign})


def rate_limit_message(error: ApplicationError) -> str:
    """The rate-limit refusal with the wait, rounded up to what she can act on."""
    seconds = int(error.extra.get("retry_after") or 60)
    if seconds < 60:
        return ngettext(
            "Too many codes were requested. Please wait %(count)s second "
            "and try again.",
            "Too many codes were requested. Please wait %(count)s seconds "
            "and try again.",
            seconds,
        ) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Too many codes were requested. Please wait %(count)s minute and try again.",
        "Too many codes were requested. Please wait %(count)s minutes and try again.",
        minutes,
    ) % {"count": minutes}


def error_text(error: ApplicationError) -> str:
    if error.status == TOO_MANY_REQUESTS:
        return rate_limit_message(error)
    return str(error.detail)


@require_http_methods(["GET", "POST"])
def phone_step(request: HttpRequest, campaign_id: int | None = None) -> HttpResponse:
    campaign = _campaign(campaign_id)
    if campaign is not None and not campaign.registration_open:
        return closed_page(request, campaign)
    identity = identity_from_session(request)
    if identity is not None:
        return redirect(_after_sign_in(identity, campaign))
    urls = step_urls(campaign)

    form = PhoneForm(request.POST or None)
    code_in_hand = False
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            services.otp_request(phone_raw=phone, ip=client_ip(request))
        except ApplicationError as error:
            if error.status != TOO_MANY_REQUESTS:
                form.add_error("phone", error_text(error))
            else:
                form.add_error(None, error_text(error))
                # She may have come back from the code page: the last code
                # still works, so let her enter it instead of waiting.
                remember_pending_phone(request, phone)
                code_in_hand = True
        else:
            remember_pending_phone(request, phone)
            return redirect(urls["code"])
    status = 400 if form.errors else 200
    return render(
        request,
        "screening/phone.html",
        {
            "form": form,
            "campaign": campaign,
            "urls": urls,
            "code_in_hand": code_in_hand,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def code_step(request: HttpRequest, campaign_id: int | None = None) -> HttpResponse:
    campaign = _campaign(campaign_id)
    urls = step_urls(campaign)
    phone = pending_phone(request)
    if phone is None:
        return redirect(urls["phone"])

    form = CodeForm()
    notice = None
    refusal = None
    if request.method == "POST" and "resend" in request.POST:
        try:
            services.otp_request(phone_raw=phone, ip=client_ip(request))
        except ApplicationError as error:
            # The code form is unbound here: the refusal is the page's, not a field's.
            refusal = (
                resend_refusal_message(error)
                if error.status == TOO_MANY_REQUESTS
                else error_text(error)
            )
        else:
            notice = gettext("A new code is on its way.")
    elif request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                token_key, _participant = services.otp_verify(
                    phone_raw=phone, code=form.cleaned_data["code"]
                )
            except ApplicationError as error:
                form.add_error("code", error_text(error))
            else:
                sign_in(request, token_key=token_key)
                identity = identity_from_session(request)
                if identity is None:  # pragma: no cover - the token was just made
                    return redirect(urls["phone"])
                return redirect(_after_sign_in(identity, campaign))
    return render(
        request,
        "screening/code.html",
        {
            "form": form,
            "campaign": campaign,
            "urls": urls,
            "masked_phone": mask_phone(phone),
            "notice": notice,
            "refusal": refusal,
        },
        status=429 if refusal else 400 if form.errors else 200,
    )


@require_POST
def sign_out_view(request: HttpRequest) -> HttpResponseRedirect:
    sign_out(request)
    messages.info(request, gettext("You have signed out."))
    return redirect("landing")


@require_GET
def my_results(request: HttpRequest) -> HttpResponse:
    """Her results in plain words: one card per visit whose summary is ready."""
    identity = identity_from_session(request)
    if identity is None:
        return redirect("signin")
    participant = identity.participant
    visits = (
        visits_with_results_for_participant(participant=participant)
        if participant is not None
        else []
    )
    english = (get_language() or "").lower().startswith("en")
    labels = result_code_labels(english=english) if visits else {}
    cards = []
    for visit in visits:
        summary = visit.summary
        text = summary.text_en if english else summary.text_zh
        cards.append(
            {
                "visit_id": visit.pk,
                "day": visit.day,
                "site": visit.site_name,
                "conclusion": summary.conclusion,
                "conclusion_label": summary.get_conclusion_display(),
                "urgent": summary.urgent,
                "paragraphs": [part for part in text.split("\n\n") if part.strip()],
                "action": summary.action_en if english else summary.action_zh,
                "due_on": summary.follow_up_due_on,
                "organs": organs_for_page(summary.organs, english=english),
                "tests": [
                    {
                        "test": result.get_test_display(),
                        "value": labels.get((result.test, result.value), result.value),
                    }
                    for result in visit.current_results
                ],
            }
        )
    if participant is not None:
        cards = cards_with_pending(participant_id=participant.pk, cards=cards)
    response = render(
        request,
        "screening/my_results.html",
        {"participant": participant, "cards": cards},
    )
    response["Cache-Control"] = "no-store"
    return response
