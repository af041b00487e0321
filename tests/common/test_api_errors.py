"""Every API error leaves as {"code", "detail"}; field errors keep DRF's shape."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.test import APIClient

from common.api import exception_handler
from common.errors import ApplicationError, Conflict, Forbidden, NotFound
from screening.models import CampaignStatus
from tests.screening.factories import CampaignFactory, DistrictFactory


class SlotFull(Conflict):
    code = "slot_full"


class NotEligible(ApplicationError):
    code = "not_eligible"


def handle(exc: Exception):
    request = Request(RequestFactory().get("/api/v1/appointments/"))
    return exception_handler(exc, {"request": request, "view": None})


def test_an_application_error_becomes_its_code_and_detail_with_its_status():
    response = handle(SlotFull("This time is fully booked."))

    assert response.status_code == 409
    assert response.data == {
        "code": "slot_full",
        "detail": "This time is fully booked.",
    }


def test_an_application_error_without_a_detail_uses_its_code():
    response = handle(SlotFull())

    assert response.data == {"code": "slot_full", "detail": "slot_full"}


def test_an_application_error_carries_its_extra_fields():
    response = handle(NotEligible("Not eligible.", extra={"reasons": ["age"]}))

    assert response.status_code == 400
    assert response.data == {
        "code": "not_eligible",
        "detail": "Not eligible.",
        "reasons": ["age"],
    }


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [(NotFound, 404, "not_found"), (Forbidden, 403, "forbidden")],
)
def test_the_shared_application_errors_have_their_statuses(error, status, code):
    response = handle(error())

    assert (response.status_code, response.data["code"]) == (status, code)


def test_field_validation_errors_keep_their_field_shape():
    response = handle(
        exceptions.ValidationError({"phone": ["Enter an 11-digit mobile number."]})
    )

    assert response.status_code == 400
    assert response.data == {"phone": ["Enter an 11-digit mobile number."]}


def test_a_validation_error_without_fields_becomes_a_coded_error():
    response = handle(exceptions.ValidationError("The slot has passed."))

    assert response.status_code == 400
    assert response.data == {"code": "invalid", "detail": ["The slot has passed."]}


@pytest.mark.parametrize("error", [Http404, exceptions.NotFound])
def test_a_missing_record_becomes_not_found(error):
    response = handle(error())

    assert response.status_code == 404
    assert response.data == {
        "code": "not_found",
        "detail": str(exceptions.NotFound.default_detail),
    }


@pytest.mark.parametrize("error", [PermissionDenied, exceptions.PermissionDenied])
def test_a_refusal_becomes_permission_denied(error):
    response = handle(error())

    assert response.status_code == 403
    assert response.data == {
        "code": "permission_denied",
        "detail": str(exceptions.PermissionDenied.default_detail),
    }


def test_throttling_becomes_a_coded_error_with_retry_after():
    response = handle(exceptions.Throttled(wait=30))

    assert response.status_code == 429
    assert response.data["code"] == "throttled"
    assert response["Retry-After"] == "30"


def test_an_exception_the_api_does_not_know_is_left_to_django():
    assert handle(ValueError("boom")) is None


@pytest.mark.django_db
def test_the_public_campaign_list_shows_open_campaigns_with_their_districts(
    django_assert_num_queries,
):
    jiefang = DistrictFactory(code="410802", name="解放区")
    shanyang = DistrictFactory(code="410811", name="山阳区")
    campaign = CampaignFactory(districts=[jiefang, shanyang])
    CampaignFactory(districts=[jiefang])
    CampaignFactory(status=CampaignStatus.DRAFT)

    with django_assert_num_queries(2):
        response = APIClient().get("/api/v1/campaigns/")

    assert response.status_code == 200
    body = response.json()
    assert len(body) == 2
    assert body[0] == {
        "id": campaign.pk,
        "name": campaign.name,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "min_age": 18,
        "max_age": 70,
        "services": "both",
        "registration_open": True,
        "districts": [
            {"code": "410802", "name": "解放区"},
            {"code": "410811", "name": "山阳区"},
        ],
    }
