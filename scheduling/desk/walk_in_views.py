"""The desk's walk-in page: register a woman who came without a booking and
check her in, stopping on an identity conflict until the nurse corrects what she
typed or confirms the woman on record."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from common.errors import ApplicationError
from scheduling.desk import walk_ins
from scheduling.desk.common import desk_page, desk_staff, desk_url, require_site
from scheduling.desk.day_views import JUST_CHECKED_IN
from scheduling.desk.forms import WalkInForm
from scheduling.desk.selectors import site_today
from scheduling.desk.walk_in_identity import IdentityConflict
from scheduling.models import Site
from screening.consent import HEALTH_DATA_CONSENT_PARAGRAPHS, HEALTH_DATA_CONSENT_TITLE
from screening.errors import ValidationFailed
from screening.models import Campaign


def _walk_in_campaign_districts(site: Site) -> tuple[Campaign | None, list[Any]]:
    day = site_today(site=site)
    try:
        campaign = walk_ins.walk_in_campaign(site=site, day=day, campaign_id=None)
    except ApplicationError:
        return None, []
    return campaign, list(campaign.districts.all())


def _register(
    request: HttpRequest, form: WalkInForm, site: Site, campaign: Campaign | None
) -> tuple[HttpResponse | None, IdentityConflict | None]:
    """Register and check her in: the redirect to the day list, or the form
    with the service's errors (and the identity conflict, if that was one)."""
    data = form.cleaned_data
    try:
        appointment = walk_ins.walk_in_register(
            by=desk_staff(request),
            site=site,
            campaign_id=campaign.pk if campaign else None,
            phone=data["phone"],
            full_name=data["full_name"],
            id_number=data["id_number"],
            employment_type=data["employment_type"],
            employment_other=data["employment_other"],
            district_code=data["district_code"],
            consent=data["consent"],
            confirm_record=data["confirm_record"],
            request=request,
        )
    except ValidationFailed as error:
        form.add_service_errors(error.errors)
    except IdentityConflict as error:
        form.add_error(None, str(error.detail))
        return None, error
    except ApplicationError as error:
        form.add_error(None, str(error.detail))
    else:
        messages.success(
            request,
            gettext("Walk-in registered and checked in, reference %(reference)s.")
            % {"reference": appointment.reference},
        )
        request.session[JUST_CHECKED_IN] = appointment.pk
        return redirect(desk_url(site)), None
    return None, None


@require_http_methods(["GET", "POST"])
@desk_page
def desk_walk_in(request: HttpRequest) -> HttpResponse:
    site = require_site(request)
    campaign, districts = _walk_in_campaign_districts(site)
    form = WalkInForm(
        request.POST if request.method == "POST" else None, districts=districts
    )
    conflict: IdentityConflict | None = None
    if request.method == "POST" and form.is_valid():
        registered, conflict = _register(request, form, site, campaign)
        if registered is not None:
            return registered
    return render(
        request,
        "scheduling/desk/walk_in.html",
        {
            "site": site,
            "campaign": campaign,
            "form": form,
            "conflict": conflict.extra if conflict else None,
            "consent_title": HEALTH_DATA_CONSENT_TITLE,
            "consent_paragraphs": HEALTH_DATA_CONSENT_PARAGRAPHS,
            "back": desk_url(site),
        },
        status=(409 if conflict else 400) if form.errors else 200,
    )
