"""Sign-up pages: phone, SMS code, profile, consent. Plain forms, POST-redirect-GET.

Nothing is written for her before the consent step is submitted: the profile waits,
encrypted, in the session, so leaving half-way leaves no half-made participant.
"""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.audit import client_ip
from common.errors import ApplicationError
from common.masking import mask_phone
from screening import consent, services
from screening.authentication import PhoneIdentity
from screening.eligibility import Reason, eligibility_reasons
from screening.errors import IdTaken, ValidationFailed
from screening.forms import (
    PROFILE_FIELDS,
    CodeForm,
    ConsentForm,
    PhoneForm,
    ProfileForm,
)
from screening.idcard import parse_id_number
from screening.language_switch import (
    checked_draft,
    requested_language,
    switch_keeping_profile,
)
from screening.models import Campaign, District
from screening.resend import resend_refusal_message
from screening.results.organs import organs_for_page
from screening.results.pending import cards_with_pending
from screening.selectors import (
    campaign_list_public,
    id_number_registered,
    result_code_labels,
    visits_with_results_for_participant,
)
from screening.session import (
    clear_profile_draft,
    identity_from_session,
    pending_phone,
    profile_draft,
    remember_pending_phone,
    save_profile_draft,
    sign_in,
    sign_out,
)

TOO_MANY_REQUESTS = 429
# The services name two fields differently from these forms.
SERVICE_FIELDS = {"district": "district_code", "consent": "consent_health_data"}
PERSONAL_REASONS = frozenset({"not_female", "too_young", "too_old"})


def _campaign_or_404(campaign_id: int) -> Campaign:
    campaign = campaign_list_public().filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    return campaign


def _campaign(campaign_id: int | None) -> Campaign | None:
    """The campaign she signs up for; None on the plain sign-in pages."""
    return None if campaign_id is None else _campaign_or_404(campaign_id)


def _urls(campaign: Campaign | None) -> dict[str, str]:
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
    return _urls(campaign)["profile"]


def _closed(request: HttpRequest, campaign: Campaign) -> HttpResponse:
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


def _error_text(error: ApplicationError) -> str:
    if error.status == TOO_MANY_REQUESTS:
        return rate_limit_message(error)
    return str(error.detail)


@require_http_methods(["GET", "POST"])
def phone_step(request: HttpRequest, campaign_id: int | None = None) -> HttpResponse:
    campaign = _campaign(campaign_id)
    if campaign is not None and not campaign.registration_open:
        return _closed(request, campaign)
    identity = identity_from_session(request)
    if identity is not None:
        return redirect(_after_sign_in(identity, campaign))
    urls = _urls(campaign)

    form = PhoneForm(request.POST or None)
    code_in_hand = False
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            services.otp_request(phone_raw=phone, ip=client_ip(request))
        except ApplicationError as error:
            if error.status != TOO_MANY_REQUESTS:
                form.add_error("phone", _error_text(error))
            else:
                form.add_error(None, _error_text(error))
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
    urls = _urls(campaign)
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
                else _error_text(error)
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
                form.add_error("code", _error_text(error))
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


def _registration_gate(
    request: HttpRequest, campaign_id: int
) -> tuple[Campaign, PhoneIdentity] | HttpResponse:
    """The campaign and a signed-in, not yet registered phone; else where to go."""
    campaign = _campaign_or_404(campaign_id)
    identity = identity_from_session(request)
    if identity is None:
        return redirect(_urls(campaign)["phone"])
    if identity.participant is not None:
        return redirect("my")
    if not campaign.registration_open:
        return _closed(request, campaign)
    return campaign, identity


def _districts(campaign: Campaign) -> list[District]:
    return list(campaign.districts.all())


def _personal_reasons(campaign: Campaign, id_number: str) -> list[Reason]:
    """The rules her ID number alone decides (sex, age), checked before she reads
    the consent, so that nobody consents to a screening she cannot have."""
    parsed = parse_id_number(id_number)
    reasons = eligibility_reasons(
        campaign=campaign,
        sex=parsed.sex,
        birth_date=parsed.birth_date,
        now=timezone.now(),
        quota_used=0,
        has_active_appointment=False,
        consent_given=True,
    )
    return [reason for reason in reasons if reason.code in PERSONAL_REASONS]


def _profile_page(
    request: HttpRequest, campaign: Campaign, form: ProfileForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "screening/profile.html",
        {"form": form, "campaign": campaign, "urls": _urls(campaign), "step": 3},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def profile_step(request: HttpRequest, campaign_id: int) -> HttpResponse:
    gate = _registration_gate(request, campaign_id)
    if isinstance(gate, HttpResponse):
        return gate
    campaign, _identity = gate
    districts = _districts(campaign)

    language = requested_language(request) if request.method == "POST" else None
    if language is not None:
        return switch_keeping_profile(
            request,
            campaign_id=campaign.pk,
            profile_url=_urls(campaign)["profile"],
            language=language,
        )
    if request.method == "POST":
        form = ProfileForm(request.POST, districts=districts)
        if form.is_valid() and id_number_registered(
            id_number=form.cleaned_data["id_number"]
        ):
            # Said here, beside the number, not after she has read the consent.
            # The consent step still has the last word (a race, a second tab).
            form.add_error(
                "id_number", str(IdTaken(contact_phone=campaign.contact_phone).detail)
            )
        if form.is_valid():
            draft = {name: form.cleaned_data[name] for name in PROFILE_FIELDS}
            save_profile_draft(request, {"campaign_id": campaign.pk, **draft})
            reasons = _personal_reasons(campaign, draft["id_number"])
            if reasons:
                return render(
                    request,
                    "screening/ineligible.html",
                    {
                        "campaign": campaign,
                        "reasons": reasons,
                        "fix_url": _urls(campaign)["profile"],
                    },
                )
            return redirect(_urls(campaign)["consent"])
        return _profile_page(request, campaign, form, status=400)

    draft = profile_draft(request)
    initial = draft if draft and draft.get("campaign_id") == campaign.pk else None
    return _profile_page(
        request, campaign, ProfileForm(initial=initial, districts=districts)
    )


@require_http_methods(["GET", "POST"])
def consent_step(request: HttpRequest, campaign_id: int) -> HttpResponse:
    identity = identity_from_session(request)
    if identity is not None and identity.participant is not None:
        # A second or third tap on "agree" arrives once the first has registered
        # her: it goes where the first went, step 5, not to an empty bookings page.
        clear_profile_draft(request)
        return redirect(_urls(_campaign_or_404(campaign_id))["book"])
    gate = _registration_gate(request, campaign_id)
    if isinstance(gate, HttpResponse):
        return gate
    campaign, identity = gate
    stored = profile_draft(request)
    if not stored or not checked_draft(stored, campaign.pk):
        return redirect(_urls(campaign)["profile"])
    draft: dict[str, Any] = stored

    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_register(
                identity=identity,
                full_name=draft["full_name"],
                id_number=draft["id_number"],
                employment_type=draft["employment_type"],
                employment_other=draft["employment_other"],
                employer=draft["employer"],
                district_code=draft["district_code"],
                campaign=campaign,
                consent_health_data=form.cleaned_data["consent_health_data"],
                consent_version=consent.HEALTH_DATA_CONSENT_VERSION,
                sms_reminders=form.cleaned_data["sms_reminders"],
            )
        except ValidationFailed as error:
            errors = {
                SERVICE_FIELDS.get(field, field): messages_
                for field, messages_ in error.errors.items()
            }
            profile_errors = {
                field: messages_
                for field, messages_ in errors.items()
                if field in PROFILE_FIELDS
            }
            if profile_errors:
                return _profile_again(request, campaign, draft, profile_errors)
            for field, messages_ in errors.items():
                target = field if field in form.fields else None
                for message in messages_:
                    form.add_error(target, message)
        except ApplicationError as error:
            if error.code == "already_registered":
                # Registered meanwhile, by a tap a moment earlier or another tab.
                clear_profile_draft(request)
                return redirect(_urls(campaign)["book"])
            if error.code == "id_taken":
                return _profile_again(
                    request, campaign, draft, {"id_number": [str(error.detail)]}
                )
            form.add_error(None, _error_text(error))
        else:
            clear_profile_draft(request)
            return redirect(_urls(campaign)["book"])

    return render(
        request,
        "screening/consent.html",
        {
            "form": form,
            "campaign": campaign,
            "urls": _urls(campaign),
            "consent_title": consent.HEALTH_DATA_CONSENT_TITLE,
            "consent_paragraphs": consent.HEALTH_DATA_CONSENT_PARAGRAPHS,
            "consent_version": consent.HEALTH_DATA_CONSENT_VERSION,
            "step": 4,
        },
        status=400 if form.errors else 200,
    )


def _profile_again(
    request: HttpRequest,
    campaign: Campaign,
    draft: dict,
    errors: dict[str, list[str]],
) -> HttpResponse:
    """The profile page with her answers and what the service found wrong in them."""
    form = ProfileForm(
        data={name: draft.get(name, "") for name in PROFILE_FIELDS},
        districts=_districts(campaign),
    )
    form.is_valid()
    for field, messages_ in errors.items():
        for message in messages_:
            form.add_error(field, message)
    return _profile_page(request, campaign, form, status=400)


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
