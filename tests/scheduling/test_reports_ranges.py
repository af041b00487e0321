"""Report dates are bounded: far, early or inverted ranges answer 400 with a
code on every report and format, and a form error on the dashboard, never a 500."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from scheduling.reports.ranges import EARLIEST, latest_report_day
from tests.accounts.factories import UserFactory
from tests.screening.factories import CampaignFactory

pytestmark = pytest.mark.django_db

PATHS = (
    "/api/v1/reports/turnout/",
    "/api/v1/reports/turnout.csv",
    "/api/v1/reports/turnout.xlsx",
    "/api/v1/reports/outcomes/",
)
FAR = [
    {"to": "9999-12-31"},
    {"from": "9999-12-31"},
    {"from": "0001-01-01"},
    {"from": "0001-01-01", "to": "9999-12-31"},
    {"from": (EARLIEST - timedelta(days=1)).isoformat()},
    {"to": (latest_report_day() + timedelta(days=1)).isoformat()},
    {"from": "2026-03-05", "to": "2026-03-01"},
]


@pytest.fixture
def union() -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(role=Role.UNION))
    return client


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("span", FAR)
def test_a_far_or_inverted_range_answers_400_invalid_date_range(
    union: APIClient, path: str, span: dict
) -> None:
    response = union.get(path, {"campaign": CampaignFactory().pk, **span})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_date_range"


@pytest.mark.parametrize("path", PATHS)
def test_the_widest_range_allowed_still_answers(union: APIClient, path: str) -> None:
    span = {"from": EARLIEST.isoformat(), "to": latest_report_day().isoformat()}

    response = union.get(path, {"campaign": CampaignFactory().pk, **span})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "span", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}]
)
def test_the_dashboard_refuses_a_far_date_with_a_form_error(span: dict) -> None:
    CampaignFactory()
    client = Client()
    client.force_login(UserFactory(role=Role.UNION))

    response = client.get("/union/", span)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "totals" not in response.context


def test_today_is_inside_the_bounds() -> None:
    assert EARLIEST <= timezone.localdate() <= latest_report_day()
