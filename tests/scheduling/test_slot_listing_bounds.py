"""The public slot listing answers out-of-range input with a coded 400, never 500."""

import pytest
from rest_framework.test import APIClient

from scheduling.models import Slot
from tests.scheduling.factories import SlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def slot() -> Slot:
    return SlotFactory()


HUGE = str(2**63)
HUGER = "9" * 40


def _listing(slot: Slot, **params: str):  # type: ignore[no-untyped-def]
    return APIClient().get(f"/api/v1/campaigns/{slot.campaign_id}/slots/", params)


@pytest.mark.parametrize(
    "day", ["9999-12-31", "0001-01-01", "1900-01-01", "3000-01-01"]
)
def test_a_far_date_is_a_coded_400(slot: Slot, day: str) -> None:
    response = _listing(slot, date=day)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_query"
    assert "date" in response.json()


@pytest.mark.parametrize("site", [HUGE, HUGER, "-5", "1e3"])
def test_a_huge_site_id_is_a_coded_400(slot: Slot, site: str) -> None:
    response = _listing(slot, site=site)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_query"


@pytest.mark.parametrize("campaign", [HUGE, HUGER, str(2**31)])
def test_a_huge_campaign_id_is_not_found_not_a_500(campaign: str) -> None:
    response = APIClient().get(f"/api/v1/campaigns/{campaign}/slots/")

    assert response.status_code == 404
    assert response.json()["code"] == "campaign_not_found"


def test_a_near_date_and_a_real_site_still_list(slot: Slot) -> None:
    day = slot.starts_at.date().isoformat()

    response = _listing(slot, date=day, site=str(slot.site_id))

    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [slot.pk]


def test_the_picker_pages_take_far_values_without_a_500(client, slot: Slot) -> None:  # type: ignore[no-untyped-def]
    from tests.pages.flow import registered_woman, sign_in

    registered_woman("13812345678")
    sign_in(client, "13812345678")
    book = f"/book/{slot.campaign_id}/"

    far = client.get(book, {"site": HUGER, "day": "9999-12-31"})
    posted = client.post(book, {"site": HUGE, "day": "0001-01-01", "slot": HUGER})

    assert far.status_code == 200
    assert posted.status_code == 400
    assert "请从列出的时间中选择一个" in posted.content.decode()
