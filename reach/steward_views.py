"""The steward's pages, on her phone: her counts, a sign-up started beside a
woman, and the woman's own confirmation with her code. These pages never
show a woman's ID number or any result; after the start they show her
number masked and nothing else of hers."""

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role
from accounts.permissions import staff_page
from common.audit import client_ip
from common.errors import ApplicationError
from common.masking import mask_phone
from reach import assisted
from screening import consent
from screening.forms import ProfileForm
from screening.selectors import campaign_list_public


class StartForm(ProfileForm):
    phone = forms.CharField(
        label=_("Her mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Typed once, never shown again: a form sent back empties it.
        self.fields["id_number"].widget = forms.PasswordInput(
            render_value=False,
            attrs={"autocomplete": "off", "autocapitalize": "characters"},
        )


class ConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("The code on her phone"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}
        ),
    )
    consent_health_data = forms.BooleanField(
        label=_("I have read this and agree to the processing of my health data."),
        required=False,
    )


@never_cache
@staff_page(Role.STEWARD)
def steward_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reach/steward_home.html",
        {
            "counts": assisted.steward_counts(steward=request.user),
            "campaigns": list(campaign_list_public()),
        },
    )


@never_cache
@staff_page(Role.STEWARD)
@require_http_methods(["GET", "POST"])
def steward_start(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(campaign_list_public(), pk=campaign_id)
    districts = list(campaign.districts.all())
    form = StartForm(request.POST or None, districts=districts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signup = assisted.assisted_signup_start(
                steward=request.user,
                campaign=campaign,
                phone_raw=data["phone"],
                profile=data,
                ip=client_ip(request),
            )
        except ApplicationError as error:
            form.add_error("phone", str(error.detail))
        else:
            return redirect("steward_confirm", signup_id=signup.pk)
    return render(
        request,
        "reach/steward_start.html",
        {"form": form, "campaign": campaign},
        status=400 if form.errors else 200,
    )


@never_cache
@staff_page(Role.STEWARD)
@require_http_methods(["GET", "POST"])
def steward_confirm(request: HttpRequest, signup_id: int) -> HttpResponse:
    try:
        signup = assisted.assisted_signup_waiting(
            steward=request.user, signup_id=signup_id
        )
    except ApplicationError:
        return redirect("steward_home")
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assisted.assisted_signup_confirm(
                steward=request.user,
                signup_id=signup.pk,
                code=form.cleaned_data["code"],
                consent=form.cleaned_data["consent_health_data"],
                request=request,
            )
        except ApplicationError as error:
            form.add_error(None, str(error.detail))
        else:
            return render(
                request, "reach/steward_done.html", {"campaign": signup.campaign}
            )
    return render(
        request,
        "reach/steward_confirm.html",
        {
            "form": form,
            "signup": signup,
            "masked_phone": mask_phone(signup.phone),
            "consent_title": consent.HEALTH_DATA_CONSENT_TITLE,
            "consent_paragraphs": consent.HEALTH_DATA_CONSENT_PARAGRAPHS,
            "consent_version": consent.HEALTH_DATA_CONSENT_VERSION,
        },
        status=400 if form.errors else 200,
    )


@staff_page(Role.STEWARD)
@require_POST
def steward_abandon(request: HttpRequest, signup_id: int) -> HttpResponse:
    assisted.assisted_signup_abandon(steward=request.user, signup_id=signup_id)
    return redirect("steward_home")
