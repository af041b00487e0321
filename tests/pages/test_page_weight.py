"""Every worker page: light enough for a slow network, no inline script or style."""

import re

import pytest
from django.http import HttpResponse
from django.test import Client

from scheduling.models import Slot
from screening.models import Campaign, District
from tests.pages.flow import (
    CSS_FILE,
    booked_appointment,
    last_code,
    registered_woman,
    sign_in,
)
from tests.screening.factories import female_id_number

pytestmark = pytest.mark.django_db

PAGE_BUDGET_BYTES = 60 * 1024
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle=", re.IGNORECASE)
EXTERNAL_ASSET = re.compile(r'(?:src|href)="(?:https?:)?//', re.IGNORECASE)


def signup_pages(campaign: Campaign, district: District) -> dict[str, HttpResponse]:
    """Each sign-up step as a fresh phone sees it, fetched when she reaches it."""
    client = Client()
    base = f"/signup/{campaign.pk}/"
    seen = {"/": client.get("/"), base: client.get(base)}
    client.post(base, {"phone": "13900001111"})
    seen[f"{base}code/"] = client.get(f"{base}code/")
    client.post(f"{base}code/", {"code": last_code()})
    seen[f"{base}profile/"] = client.get(f"{base}profile/")
    client.post(
        f"{base}profile/",
        {
            "full_name": "张丽",
            "id_number": female_id_number(777),
            "employment_type": "courier",
            "district_code": district.code,
        },
    )
    seen[f"{base}consent/"] = client.get(f"{base}consent/")
    client.post(f"{base}consent/", {"consent_health_data": "on"})
    seen[f"/book/{campaign.pk}/"] = client.get(f"/book/{campaign.pk}/")
    return seen


def booking_pages(client: Client, slot: Slot) -> list[str]:
    appointment = booked_appointment(registered_woman("13900002222"), slot)
    sign_in(client, "13900002222")
    mine = f"/my/appointments/{appointment.pk}/"
    day = slot.starts_at.date().isoformat()
    return [
        "/my/",
        mine,
        f"{mine}cancel/",
        f"{mine}reschedule/?site={slot.site_id}&day={day}",
    ]


def test_each_page_with_its_css_stays_under_60_kb(
    campaign: Campaign, district: District, slot: Slot
) -> None:
    returning = Client()
    seen = signup_pages(campaign, district)
    seen |= {url: returning.get(url) for url in booking_pages(returning, slot)}
    seen["/signin/"] = Client().get("/signin/")
    css = CSS_FILE.stat().st_size

    statuses = {url: response.status_code for url, response in seen.items()}
    weights = {url: len(response.content) + css for url, response in seen.items()}

    assert set(statuses.values()) == {200}, statuses
    assert max(weights.values()) <= PAGE_BUDGET_BYTES, weights


def test_no_page_carries_inline_script_inline_style_or_outside_assets(
    client: Client, campaign: Campaign, district: District, slot: Slot
) -> None:
    seen = signup_pages(campaign, district)
    seen |= {url: client.get(url) for url in booking_pages(client, slot)}

    for url, response in seen.items():
        page = response.content.decode()
        assert not INLINE_SCRIPT.search(page), url
        assert not STYLE_ATTRIBUTE.search(page), url
        assert not EXTERNAL_ASSET.search(page), url


def test_pages_are_not_cached(client: Client, slot: Slot) -> None:
    pages = booking_pages(client, slot)

    for url in pages:
        assert client.get(url)["Cache-Control"] == "no-store", url
