"""The profile and consent steps of sign-up. Plain forms, POST-redirect-GET.

Nothing is written for her before the consent step is submitted: the profile waits,
encrypted, in the session, so leaving half-way leaves no half-made participant.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from common.errors import ApplicationError
from screening import consent, services
from screening.authentication import PhoneIdentity
from screening.eligibility import Reason, eligibility_reasons
from screening.errors import IdTaken, ValidationFailed
from screening.forms import (
    PROFILE_FIELDS,
    ConsentForm,
    ProfileForm,
)
from screening.idcard import parse_id_number
from screening.language_switch import (
    checked_draft,
    requested_language,
    switch_keeping_profile,
)
from screening.models import Campaign, District
from screening.selectors import (
    id_number_registered,
)
from screening.session import (
    clear_profile_draft,
    identity_from_session,
    profile_draft,
    save_profile_draft,
)
from screening.views import campaign_or_404, closed_page, error_text, step_urls

# The services name two fields differently from these forms.
SERVICE_FIELDS = {"district": "district_code", "consent": "consent_health_data"}
PERSONAL_REASONS = frozenset({"not_female", "too_young", "too_old"})


def _registration_gate(
    request: HttpRequest, campaign_id: int
) -> tuple[Campaign, PhoneIdentity] | HttpResponse:
    """The campaign and a signed-in, not yet registered phone; else where to go."""
    campaign = campaign_or_404(campaign_id)
    identity = identity_from_session(request)
    if identity is None:
        return redirect(step_urls(campaign)["phone"])
    if identity.participant is not None:
        return redirect("my")
    if not campaign.registration_open:
        return closed_page(request, campaign)
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
        {"form": form, "campaign": campaign, "urls": step_urls(campaign), "step": 3},
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
            profile_url=step_urls(campaign)["profile"],
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
                        "fix_url": step_urls(campaign)["profile"],
                    },
                )
            return redirect(step_urls(campaign)["consent"])
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
        return redirect(step_urls(campaign_or_404(campaign_id))["book"])
    gate = _registration_gate(request, campaign_id)
    if isinstance(gate, HttpResponse):
        return gate
    campaign, identity = gate
    stored = profile_draft(request)
    if not stored or not checked_draft(stored, campaign.pk):
        return redirect(step_urls(campaign)["profile"])
    draft: dict[str, Any] = stored

    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _register(request, form, campaign, identity, draft)
        if done is not None:
            return done
    return render(
        request,
        "screening/consent.html",
        {
            "form": form,
            "campaign": campaign,
            "urls": step_urls(campaign),
            "consent_title": consent.HEALTH_DATA_CONSENT_TITLE,
            "consent_paragraphs": consent.HEALTH_DATA_CONSENT_PARAGRAPHS,
            "consent_version": consent.HEALTH_DATA_CONSENT_VERSION,
            "step": 4,
        },
        status=400 if form.errors else 200,
    )


def _refused_fields(
    request: HttpRequest,
    form: ConsentForm,
    campaign: Campaign,
    draft: dict[str, Any],
    error: ValidationFailed,
) -> HttpResponse | None:
    """Errors in her profile take her back to it; the rest go on the consent
    form (None: the consent page is shown again)."""
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
    return None


def _register(
    request: HttpRequest,
    form: ConsentForm,
    campaign: Campaign,
    identity: PhoneIdentity,
    draft: dict[str, Any],
) -> HttpResponse | None:
    """Register her from the draft and her consent: where she goes next, or
    None with the service's errors on the consent form."""
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
        return _refused_fields(request, form, campaign, draft, error)
    except ApplicationError as error:
        if error.code == "already_registered":
            # Registered meanwhile, by a tap a moment earlier or another tab.
            clear_profile_draft(request)
            return redirect(step_urls(campaign)["book"])
        if error.code == "id_taken":
            return _profile_again(
                request, campaign, draft, {"id_number": [str(error.detail)]}
            )
        form.add_error(None, error_text(error))
    else:
        clear_profile_draft(request)
        return redirect(step_urls(campaign)["book"])
    return None


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
