"""Outcome aggregates for the union: counts from screening, threshold 10."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from screening.models import Campaign
from tests.accounts.factories import UserFactory
from tests.screening.factories import CampaignFactory
from tests.screening.result_factories import VisitFactory, record

pytestmark = pytest.mark.django_db

OUTCOMES = "/api/v1/reports/outcomes/"


def hpv_results(campaign: Campaign, *, positive: int, negative: int) -> None:
    for n in range(positive + negative):
        visit = VisitFactory(campaign=campaign, day=date(2026, 3, 2))
        record(visit, hpv="HPV_16_18_POS" if n < positive else "HPV_NEG")


@pytest.fixture
def union() -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(role=Role.UNION))
    return client


def test_outcome_counts_below_ten_are_hidden_with_their_rate(
    union: APIClient,
) -> None:
    campaign = CampaignFactory()
    hpv_results(campaign, positive=3, negative=12)

    body = union.get(OUTCOMES, {"campaign": campaign.pk}).json()

    assert body["threshold"] == 10
    assert body["counts"]["hpv_positive"] == {"value": None, "suppressed": True}
    assert body["indicators"]["hpv_positivity"] == {"value": None, "suppressed": True}
    for name, cell in body["counts"].items():
        if not cell["suppressed"]:
            assert not 1 <= cell["value"] <= 9, name


def test_hpv_positivity_is_published_when_both_sides_reach_ten(
    union: APIClient,
) -> None:
    campaign = CampaignFactory()
    hpv_results(campaign, positive=10, negative=30)

    body = union.get(OUTCOMES, {"campaign": campaign.pk}).json()

    assert body["counts"]["hpv_tested"] == {"value": 40, "suppressed": False}
    assert body["counts"]["hpv_positive"] == {"value": 10, "suppressed": False}
    assert body["indicators"]["hpv_positivity"] == {"value": 0.25, "suppressed": False}
    # Nobody had cytology: no rate rather than a hidden one.
    assert body["indicators"]["cytology_abnormal_rate"] == {
        "value": None,
        "suppressed": False,
    }


def test_the_outcome_range_follows_the_visit_day(union: APIClient) -> None:
    campaign = CampaignFactory()
    hpv_results(campaign, positive=10, negative=30)

    body = union.get(
        OUTCOMES, {"campaign": campaign.pk, "from": "2026-03-03", "to": "2026-03-31"}
    ).json()

    assert body["counts"]["hpv_tested"] == {"value": 0, "suppressed": False}


def test_clinic_staff_cannot_read_outcomes() -> None:
    client = APIClient()
    client.force_authenticate(UserFactory(role=Role.CLINIC))

    response = client.get(OUTCOMES, {"campaign": CampaignFactory().pk})

    assert response.status_code == 403
