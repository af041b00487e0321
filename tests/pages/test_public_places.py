"""The public slot listing (her picker and the slot API) says whether a time has
room, little room or none, never how many places are left; the admin, who plans
capacity, still sees the exact counts."""

import pytest
from django.db.models import F
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Role
from scheduling.models import Slot
from scheduling.places import FEW_PLACES, PlacesBand, places_band
from screening.models import Campaign
from tests.accounts.factories import UserFactory
from tests.pages.flow import registered_woman, sign_in
from tests.pages.test_booking_pages import day_of

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def leave(slot: Slot, places: int) -> None:
    Slot.objects.filter(pk=slot.pk).update(booked=F("capacity") - places)


@pytest.mark.parametrize(
    ("left", "band"),
    [
        (0, PlacesBand.FULL),
        (1, PlacesBand.FEW),
        (FEW_PLACES, PlacesBand.FEW),
        (FEW_PLACES + 1, PlacesBand.AVAILABLE),
        (200, PlacesBand.AVAILABLE),
    ],
)
def test_places_fall_in_full_few_or_available_bands(
    left: int, band: PlacesBand
) -> None:
    assert places_band(left) == band


def test_the_slot_api_gives_anyone_a_band_and_no_count_of_places_left(
    slot: Slot, later_slot: Slot
) -> None:
    leave(slot, 2)
    leave(later_slot, 0)

    rows = APIClient().get(f"/api/v1/campaigns/{slot.campaign_id}/slots/").json()

    assert [(row["id"], row["places"]) for row in rows] == [
        (slot.pk, "few"),
        (later_slot.pk, "full"),
    ]
    assert all("available" not in row and "booked" not in row for row in rows)


def test_the_slot_api_schema_describes_the_band_as_three_words(
    client: Client,
) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    slot = schema["components"]["schemas"]["Slot"]
    assert "available" not in slot["properties"]
    band = slot["properties"]["places"]
    enum = schema["components"]["schemas"][band["$ref"].rsplit("/", 1)[-1]]["enum"]
    assert enum == ["available", "few", "full"]


def test_her_picker_shows_bands_for_days_and_times_not_counts(
    client: Client, campaign: Campaign, slot: Slot, later_slot: Slot
) -> None:
    registered_woman(PHONE)
    sign_in(client, PHONE)
    leave(slot, 7)
    leave(later_slot, 1)
    url = f"/book/{campaign.pk}/?site={slot.site_id}"

    days = client.get(url).content.decode()
    times = client.get(f"{url}&day={day_of(slot)}").content.decode()

    assert "尚有名额" in days
    assert "8个名额" not in days
    assert "尚有名额" in times
    assert "名额紧张" in times
    assert "剩余7个名额" not in times
    assert "剩余1个名额" not in times


def test_the_admin_still_sees_each_slots_exact_places_and_bookings(
    client: Client, slot: Slot
) -> None:
    leave(slot, 7)
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))

    page = client.get("/admin/scheduling/slot/", HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    cells = page.content.decode()
    assert '<td class="field-capacity">10</td>' in cells
    assert '<td class="field-booked">3</td>' in cells
