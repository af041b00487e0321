"""The desk defers her when she cannot be screened today (menses, pregnancy).

The deferral is screening's record (screening.recall), made by the nurse and
audited there; a booking still ahead of its time is cancelled with it, so the
place goes to the first woman on the waitlist.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from common.errors import ApplicationError
from common.masking import mask_name
from scheduling.desk.common import desk_page, desk_staff, desk_url
from scheduling.desk.selectors import desk_appointment_get
from scheduling.errors import AppointmentNotFound, OtherSite
from scheduling.models import Appointment, AppointmentStatus
from scheduling.services import appointment_cancel
from screening.recall.models import DeferralReason
from screening.recall.services import deferral_record

DESK_REASONS = [
    (DeferralReason.MENSES, _("On her period")),
    (DeferralReason.PREGNANCY, _("Pregnant")),
    (DeferralReason.LACTATION, _("Breastfeeding")),
    (DeferralReason.OTHER, _("Other")),
]


class DeskDeferralForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why"), choices=DESK_REASONS, widget=forms.RadioSelect
    )
    months = forms.TypedChoiceField(
        label=_("For how long"),
        choices=[(6, _("6 months")), (12, _("12 months")), (18, _("18 months"))],
        coerce=int,
        widget=forms.RadioSelect,
    )


def desk_appointment_or_404(request: HttpRequest, appointment_id: int) -> Appointment:
    """The appointment at one of the nurse's sites: 404 when there is none,
    403 when it is another site's."""
    try:
        return desk_appointment_get(
            user=desk_staff(request), appointment_id=appointment_id
        )
    except AppointmentNotFound:
        raise Http404 from None
    except OtherSite:
        raise PermissionDenied from None


def _cancel_if_ahead(appointment: Appointment, request: HttpRequest) -> bool:
    """Her booking, if still ahead of its time, gives its place back."""
    if appointment.status != AppointmentStatus.BOOKED:
        return False
    if appointment.slot.starts_at <= timezone.now():
        return False
    try:
        appointment_cancel(appointment=appointment, by=desk_staff(request))
    except ApplicationError:
        return False
    return True


@require_http_methods(["GET", "POST"])
@desk_page
def desk_defer(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = desk_appointment_or_404(request, appointment_id)
    site = appointment.slot.site
    form = DeskDeferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        deferral = deferral_record(
            participant=appointment.participant,
            reason=form.cleaned_data["reason"],
            months=form.cleaned_data["months"],
            by=desk_staff(request),
        )
        _cancel_if_ahead(appointment, request)
        messages.success(
            request,
            gettext("Deferred until %(date)s: reference %(reference)s.")
            % {
                "date": deferral.ends_on.isoformat(),
                "reference": appointment.reference,
            },
        )
        return redirect(desk_url(site))
    return render(
        request,
        "scheduling/desk/defer.html",
        {
            "appointment": appointment,
            "name": mask_name(appointment.participant.full_name),
            "form": form,
            "site": site,
            "back": desk_url(site),
        },
        status=400 if form.errors else 200,
    )
