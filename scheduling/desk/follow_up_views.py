"""The desk's follow-up worklist: who needs a call, her number on request
(audited, with a purpose), and what each call came to.

The list stays masked. Revealing a number is a POST that names a purpose; the
answer is a page of its own, never cached, with the call's outcome form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from common.audit import audit_record
from common.masking import mask_name, mask_phone
from scheduling.desk.common import desk_page, desk_url, require_site
from scheduling.models import Site
from screening import selectors as screening_selectors
from screening import services as screening_services
from screening.errors import ValidationFailed
from screening.models import (
    CONTACT_NOTE_MAX_LENGTH,
    ContactOutcome,
    FollowUpCase,
    RevealPurpose,
)


class RevealForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Why you need her number"),
        choices=RevealPurpose.choices,
        initial=RevealPurpose.FOLLOW_UP_CALL,
    )


class CallForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What came of the call"), choices=ContactOutcome.choices
    )
    note = forms.CharField(
        label=_("Short note (optional, no medical details)"),
        required=False,
        max_length=CONTACT_NOTE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _case_or_404(site: Site, case_id: int) -> FollowUpCase:
    # Another site's case reads as missing, as everywhere on the desk.
    case = screening_selectors.follow_up_get(case_id=case_id, site_ids=[site.pk])
    if case is None:
        raise Http404
    return case


def _worklist_url(site: Site) -> str:
    return reverse("desk-follow-up") + f"?site={site.pk}"


def _row(case: FollowUpCase, last: Any) -> dict[str, Any]:
    return {
        "id": case.pk,
        "name": mask_name(case.participant.full_name),
        "phone": mask_phone(case.participant.phone),
        "status": case.get_status_display(),
        "conclusion": case.get_conclusion_display(),
        "urgent": case.urgent,
        "due_on": case.due_on,
        "visit_day": case.visit.day,
        "reference": case.visit.reference,
        "last_call": last,
    }


@require_GET
@desk_page
def desk_follow_up(request: HttpRequest) -> HttpResponse:
    site = require_site(request)
    cases = list(screening_selectors.follow_up_worklist(site_ids=[site.pk]))
    audit_record(
        actor=request.user,
        action="follow_up.worklist",
        obj_type="site",
        obj_id=site.pk,
        request=request,
        purpose="follow-up worklist",
        details={"rows": len(cases)},
    )
    last = screening_selectors.follow_up_last_attempts(
        case_ids=[case.pk for case in cases]
    )
    return render(
        request,
        "scheduling/desk/follow_up.html",
        {
            "site": site,
            "rows": [_row(case, last.get(case.pk)) for case in cases],
            "reveal_form": RevealForm(),
            "back": desk_url(site),
        },
    )


def _call_page(
    request: HttpRequest,
    *,
    site: Site,
    case: FollowUpCase,
    form: CallForm,
    purpose: str,
    status: int = 200,
) -> HttpResponse:
    phone = screening_services.follow_up_phone_reveal(
        case=case, by=request.user, purpose=purpose, request=request
    )
    return render(
        request,
        "scheduling/desk/follow_up_call.html",
        {
            "site": site,
            "case": case,
            "row": _row(case, None),
            "phone": phone,
            "purpose": purpose,
            "purpose_label": RevealPurpose(purpose).label,
            "form": form,
            "back": _worklist_url(site),
        },
        status=status,
    )


@never_cache
@require_POST
@desk_page
def desk_follow_up_reveal(request: HttpRequest, case_id: int) -> HttpResponse:
    site = require_site(request)
    case = _case_or_404(site, case_id)
    reveal = RevealForm(request.POST)
    if not reveal.is_valid():
        messages.error(request, gettext("Choose why you need her number."))
        return redirect(_worklist_url(site))
    return _call_page(
        request,
        site=site,
        case=case,
        form=CallForm(),
        purpose=reveal.cleaned_data["purpose"],
    )


@never_cache
@require_POST
@desk_page
def desk_follow_up_call(request: HttpRequest, case_id: int) -> HttpResponse:
    site = require_site(request)
    case = _case_or_404(site, case_id)
    form = CallForm(request.POST)
    if form.is_valid():
        try:
            screening_services.follow_up_call_record(
                case=case,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as error:
            for field, problems in error.errors.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(
                request,
                gettext("The call to %(reference)s is recorded: %(outcome)s.")
                % {
                    "reference": case.visit.reference,
                    "outcome": ContactOutcome(form.cleaned_data["outcome"]).label,
                },
            )
            return redirect(_worklist_url(site))
    # Shown again to finish the record; that is a second look at her number.
    reveal = RevealForm(request.POST)
    purpose = (
        reveal.cleaned_data["purpose"]
        if reveal.is_valid()
        else RevealPurpose.FOLLOW_UP_CALL
    )
    return _call_page(
        request, site=site, case=case, form=form, purpose=purpose, status=400
    )
