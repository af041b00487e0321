"""The public slot listing is served from a copy of a few seconds, and a change to a
site's places makes the next listing read the database again (docs/adr/0006)."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone
from rest_framework.test import APIClient

from scheduling.apis import SlotListApi
from scheduling.listing_cache import (
    slot_listing_cached,
    slot_listing_changed,
    slot_listing_changed_on_commit,
)
from scheduling.models import Slot
from scheduling.selectors import slot_list, slot_listing
from screening.models import CampaignStatus
from tests.scheduling.factories import (
    ConsentedParticipantFactory,
    SiteFactory,
    SlotFactory,
)
from tests.scheduling.test_apis import client_for
from tests.screening.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def slot() -> Slot:
    # One place taken moves four left ("available") to three ("few"): the listing
    # shows bands, so a change is seen only when it crosses one.
    return SlotFactory(capacity=4)


def take_place(slot: Slot) -> None:
    """A place taken the way the booking service takes it: one update, no signal."""
    Slot.objects.filter(pk=slot.pk).update(booked=F("booked") + 1)


def places(listing: list) -> list[str]:
    return [row["places"] for row in listing]


def test_a_second_listing_within_seconds_reads_no_database(
    slot, django_assert_num_queries
):
    first = slot_listing(campaign_id=slot.campaign_id, site_id=slot.site_id)

    with django_assert_num_queries(0):
        again = slot_listing(campaign_id=slot.campaign_id, site_id=slot.site_id)

    assert again == first


def test_a_listing_read_from_the_database_costs_one_query(
    slot, django_assert_num_queries
):
    with django_assert_num_queries(1):
        slot_listing(campaign_id=slot.campaign_id)


def test_a_change_at_the_site_shows_in_the_next_listing_at_once(slot):
    assert places(slot_listing(campaign_id=slot.campaign_id, site_id=slot.site_id)) == [
        "available"
    ]
    take_place(slot)

    slot_listing_changed(campaign_id=slot.campaign_id, site_id=slot.site_id)

    assert places(slot_listing(campaign_id=slot.campaign_id, site_id=slot.site_id)) == [
        "few"
    ]


def test_a_change_refreshes_the_listing_only_once_it_commits(
    slot, django_capture_on_commit_callbacks
):
    slot_listing(campaign_id=slot.campaign_id, site_id=slot.site_id)

    with django_capture_on_commit_callbacks(execute=True):
        take_place(slot)
        slot_listing_changed_on_commit(
            campaign_id=slot.campaign_id, site_id=slot.site_id
        )
        before_commit = slot_listing(campaign_id=slot.campaign_id, site_id=slot.site_id)

    assert places(before_commit) == ["available"]
    assert places(slot_listing(campaign_id=slot.campaign_id, site_id=slot.site_id)) == [
        "few"
    ]


def test_a_change_at_a_site_refreshes_the_listing_of_all_sites(slot):
    slot_listing(campaign_id=slot.campaign_id)
    take_place(slot)

    slot_listing_changed(campaign_id=slot.campaign_id, site_id=slot.site_id)

    assert places(slot_listing(campaign_id=slot.campaign_id)) == ["few"]


def test_a_change_at_one_site_leaves_another_sites_copy_in_place(
    slot, django_assert_num_queries
):
    other = SlotFactory(campaign=slot.campaign, site=SiteFactory())
    slot_listing(campaign_id=slot.campaign_id, site_id=other.site_id)

    slot_listing_changed(campaign_id=slot.campaign_id, site_id=slot.site_id)

    with django_assert_num_queries(0):
        slot_listing(campaign_id=slot.campaign_id, site_id=other.site_id)


def test_a_listing_read_while_a_change_commits_is_never_served_after_it(slot):
    def read_during_a_booking() -> list:
        rows = list(slot_list(campaign_id=slot.campaign_id, site_id=slot.site_id))
        # The booking commits after this read and before the copy is kept.
        take_place(slot)
        slot_listing_changed(campaign_id=slot.campaign_id, site_id=slot.site_id)
        return [{"places": s.places_band.value} for s in rows]

    slot_listing(campaign_id=slot.campaign_id, site_id=slot.site_id)  # a version
    slot_listing_changed(campaign_id=slot.campaign_id, site_id=slot.site_id)
    stale = slot_listing_cached(
        campaign_id=slot.campaign_id,
        site_id=slot.site_id,
        variant="any:0",
        read=read_during_a_booking,
    )

    assert places(stale) == ["available"]
    assert places(slot_listing(campaign_id=slot.campaign_id, site_id=slot.site_id)) == [
        "few"
    ]


def test_the_cache_never_serves_one_campaigns_slots_for_another(slot):
    other = SlotFactory(site=slot.site)
    mine = slot_listing(campaign_id=slot.campaign_id, site_id=slot.site_id)

    theirs = slot_listing(campaign_id=other.campaign_id, site_id=slot.site_id)

    assert [row["id"] for row in mine] == [slot.pk]
    assert [row["id"] for row in theirs] == [other.pk]


def test_each_filter_has_its_own_copy(slot):
    full = SlotFactory(
        campaign=slot.campaign,
        site=slot.site,
        starts_at=slot.starts_at + timedelta(hours=2),
        booked=10,
    )
    day = timezone.localdate(slot.starts_at)
    everything = slot_listing(campaign_id=slot.campaign_id, site_id=slot.site_id)

    free = slot_listing(
        campaign_id=slot.campaign_id,
        site_id=slot.site_id,
        day=day,
        available_only=True,
    )
    next_day = slot_listing(
        campaign_id=slot.campaign_id, site_id=slot.site_id, day=day + timedelta(days=1)
    )

    assert [row["id"] for row in everything] == [slot.pk, full.pk]
    assert [row["id"] for row in free] == [slot.pk]
    assert next_day == []


def test_an_unknown_campaign_is_asked_again_each_time():
    for _ in range(2):
        response = APIClient().get("/api/v1/campaigns/999999/slots/")
        assert response.status_code == 404


def test_a_campaign_published_after_a_404_lists_at_once():
    slot = SlotFactory(campaign=CampaignFactory(status=CampaignStatus.DRAFT))
    url = f"/api/v1/campaigns/{slot.campaign_id}/slots/"
    assert APIClient().get(url).status_code == 404

    slot.campaign.status = CampaignStatus.OPEN
    slot.campaign.save()

    assert [row["id"] for row in APIClient().get(url).json()] == [slot.pk]


def test_the_listing_answers_exactly_what_its_output_serializer_describes(slot):
    SlotFactory(campaign=slot.campaign, site=SiteFactory(), booked=3)
    described = SlotListApi.OutputSerializer(
        slot_list(campaign_id=slot.campaign_id), many=True
    ).data

    response = APIClient().get(f"/api/v1/campaigns/{slot.campaign_id}/slots/")

    assert response.json() == [dict(row) for row in described]


def test_the_listing_carries_nothing_personal_and_is_still_not_stored(slot):
    response = APIClient().get(f"/api/v1/campaigns/{slot.campaign_id}/slots/")

    assert set(response.json()[0]) == {
        "id",
        "site",
        "starts_at",
        "ends_at",
        "capacity",
        "places",
    }
    assert response["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response


@pytest.mark.django_db(transaction=True)
def test_a_place_given_back_shows_in_the_listing_at_once():
    slot = SlotFactory(capacity=4)
    url = f"/api/v1/campaigns/{slot.campaign_id}/slots/?site={slot.site_id}"
    client = client_for(ConsentedParticipantFactory())
    booked = client.post("/api/v1/appointments/", {"slot": slot.pk}, format="json")
    assert booked.status_code == 201, booked.json()
    assert places(APIClient().get(url).json()) in (["few"], ["available"])

    cancelled = client.post(f"/api/v1/appointments/{booked.json()['id']}/cancel/")

    assert cancelled.status_code == 200, cancelled.json()
    assert places(APIClient().get(url).json()) == ["available"]


@pytest.mark.django_db(transaction=True)
def test_a_place_taken_may_show_for_seconds_but_the_booking_is_refused():
    slot = SlotFactory(capacity=1)
    url = f"/api/v1/campaigns/{slot.campaign_id}/slots/?site={slot.site_id}"
    assert places(APIClient().get(url).json()) == ["few"]
    first = client_for(ConsentedParticipantFactory())
    assert (
        first.post("/api/v1/appointments/", {"slot": slot.pk}, format="json")
    ).status_code == 201

    # The listing may still offer the place for a few seconds (ADR 0006) ...
    assert places(APIClient().get(url).json()) in (["full"], ["few"])
    late = client_for(ConsentedParticipantFactory()).post(
        "/api/v1/appointments/", {"slot": slot.pk}, format="json"
    )

    # ... but the slot row decides.
    assert late.status_code == 409
    assert late.json()["code"] == "slot_full"
