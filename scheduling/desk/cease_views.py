"""The desk records that she is not to be invited again (a cease): after a
total hysterectomy for cervical screening, a bilateral mastectomy for breast
screening, at her own request, or when she has died.

The cease is screening's record (screening.recall), made by the nurse and
audited there; eligibility and invitation batches read it. Her booking stays:
a cease of one screening leaves the other, and cancelling is her own step or
the desk's, not a side effect.
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from common.masking import mask_name
from scheduling.desk.common import desk_page, desk_staff, desk_url
from scheduling.desk.deferral_views import desk_appointment_or_404
from screening.recall.models import CeaseReason, CeaseScope
from screening.recall.services import cease_record

# Moving away is recorded from a call's outcome (the call list), not here.
DESK_REASONS = [
    (value, label)
    for value, label in CeaseReason.choices
    if value != CeaseReason.MOVED_AWAY
]


class DeskCeaseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why"), choices=DESK_REASONS, widget=forms.RadioSelect
    )
    scope = forms.ChoiceField(
        label=_("Stop inviting her to"),
        choices=CeaseScope.choices,
        widget=forms.RadioSelect,
    )


@require_http_methods(["GET", "POST"])
@desk_page
def desk_cease(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = desk_appointment_or_404(request, appointment_id)
    site = appointment.slot.site
    form = DeskCeaseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        cease_record(
            participant=appointment.participant,
            reason=form.cleaned_data["reason"],
            scope=form.cleaned_data["scope"],
            by=desk_staff(request),
        )
        messages.success(
            request,
            gettext("She will not be invited again: reference %(reference)s.")
            % {"reference": appointment.reference},
        )
        return redirect(desk_url(site))
    return render(
        request,
        "scheduling/desk/cease.html",
        {
            "appointment": appointment,
            "name": mask_name(appointment.participant.full_name),
            "form": form,
            "site": site,
            "back": desk_url(site),
        },
        status=400 if form.errors else 200,
    )
