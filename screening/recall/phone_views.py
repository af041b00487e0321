"""Her own deferral on her phone (SPEC §8.3), without JavaScript."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from screening.recall.eligibility import recall_state
from screening.recall.models import DeferralReason
from screening.recall.services import deferral_record, deferral_withdraw
from screening.session import identity_from_session

# She picks among these herself; "other" is the desk's to record.
HER_REASONS = [
    (DeferralReason.MENSES, _("On my period")),
    (DeferralReason.PREGNANCY, _("Pregnant")),
    (DeferralReason.LACTATION, _("Breastfeeding")),
    (DeferralReason.HER_CHOICE, _("Another reason")),
]
MONTHS = [(6, _("6 months")), (12, _("12 months")), (18, _("18 months"))]


class SelfDeferralForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why"), choices=HER_REASONS, widget=forms.RadioSelect
    )
    months = forms.TypedChoiceField(
        label=_("For how long"), choices=MONTHS, coerce=int, widget=forms.RadioSelect
    )


@require_http_methods(["GET", "POST"])
def my_deferral(request: HttpRequest) -> HttpResponse:
    identity = identity_from_session(request)
    participant = identity.participant if identity is not None else None
    if participant is None:
        return redirect("signin")
    form = SelfDeferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        deferral_record(
            participant=participant,
            reason=form.cleaned_data["reason"],
            months=form.cleaned_data["months"],
        )
        messages.success(request, gettext("Your screening is deferred."))
        return redirect("my-deferral")
    until, _ceased = recall_state(
        participant_id=participant.pk, today=timezone.localdate()
    )
    return render(
        request,
        "recall/my_deferral.html",
        {"form": form, "until": until},
        status=400 if form.errors else 200,
    )


@require_POST
def my_deferral_end(request: HttpRequest) -> HttpResponse:
    identity = identity_from_session(request)
    participant = identity.participant if identity is not None else None
    if participant is None:
        return redirect("signin")
    if deferral_withdraw(participant=participant):
        messages.success(request, gettext("Your deferral has ended: you can book."))
    return redirect("my-deferral")
