"""The three-step place picker a woman books or moves with: site, then day,
then time.

The chosen site and day travel in the query string (GET) or as hidden fields
(after a refused POST), so each step is a plain link or form.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from scheduling import selectors
from scheduling.forms import SlotChoiceForm
from scheduling.models import Appointment, Site
from scheduling.places import PlacesBand, places_band
from screening.models import Campaign


@dataclass(frozen=True)
class DayChoice:
    day: date
    places_left: int

    @property
    def places_band(self) -> PlacesBand:
        """What the picker says of the day's places: a band, not the count."""
        return places_band(self.places_left)


def _parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _parse_id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _sites_with_slots(campaign: Campaign) -> list[Site]:
    """Active sites with future slots in the campaign, for the first picker step."""
    return list(
        Site.objects.filter(
            is_active=True,
            slots__campaign=campaign,
            slots__starts_at__gt=timezone.now(),
        )
        .distinct()
        .order_by("code")
    )


def _picker_steps(params: Any, campaign: Campaign) -> dict[str, Any]:
    """The sites, and the site, days, day and times chosen so far; a choice
    the campaign does not offer counts as not made."""
    sites = _sites_with_slots(campaign)
    site_id = _parse_id(params.get("site"))
    site: Site | None = next((s for s in sites if s.pk == site_id), None)
    if site is None and len(sites) == 1:
        site = sites[0]
    days = (
        [
            DayChoice(day, left)
            for day, left in selectors.slot_days(campaign=campaign, site=site)
        ]
        if site is not None
        else []
    )
    day = _parse_day(params.get("day"))
    if day is not None and day not in {d.day for d in days}:
        day = None
    slots = (
        list(selectors.slot_list(campaign_id=campaign.pk, site_id=site.pk, day=day))
        if site is not None and day is not None
        else []
    )
    return {"sites": sites, "site": site, "days": days, "day": day, "slots": slots}


def picker_page(
    request: HttpRequest,
    *,
    campaign: Campaign,
    action: str,
    appointment: Appointment | None = None,
    form: SlotChoiceForm | None = None,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The picker at the step her choices so far have reached."""
    params = request.POST if request.method == "POST" else request.GET
    return render(
        request,
        "scheduling/picker.html",
        {
            "campaign": campaign,
            "appointment": appointment,
            "action": action,
            **_picker_steps(params, campaign),
            "form": form,
            "error": error,
            "idempotency_key": uuid.uuid4().hex,
            "now": timezone.now(),
        },
        status=status,
    )
