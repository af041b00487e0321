"""The participant API: registering with a verified phone, and her own profile."""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from screening.models import CampaignStatus, Participant, ParticipantToken
from tests.screening.factories import (
    VALID_FEMALE_ID,
    CampaignFactory,
    DistrictFactory,
    ParticipantFactory,
    bearer_token,
    id_number_with_check,
)

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
OTHER_PHONE = "13987654321"
CONTACT = "0371-66668888"
PARTICIPANTS = "/api/v1/participants/"
ME = "/api/v1/participants/me/"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def campaign():  # type: ignore[no-untyped-def]
    return CampaignFactory(
        min_age=18,
        max_age=80,
        age_reference_date=date(2025, 6, 1),
        contact_phone=CONTACT,
        districts=[DistrictFactory(code="410105", name="金水区")],
    )


def client_for(phone: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer_token(phone=phone)}")
    return client


@pytest.fixture
def her_client() -> APIClient:
    return client_for(PHONE)


def sign_up(client: APIClient, **overrides):  # type: ignore[no-untyped-def]
    body = {
        "full_name": "王秀英",
        "id_number": VALID_FEMALE_ID,
        "employment_type": "food_delivery",
        "employer": "美团",
        "district": "410105",
        "consent": True,
    }
    return client.post(PARTICIPANTS, body | overrides, format="json")


def test_registering_returns_her_profile_with_phone_and_id_masked(campaign, her_client):
    response = sign_up(her_client)

    assert response.status_code == 201
    assert response.json() == {
        "id": Participant.objects.get().pk,
        "full_name": "王秀英",
        "phone": "139****5678",
        "id_number": "110105********002X",
        "employment_type": "food_delivery",
        "employment_other": "",
        "employer": "美团",
        "district": {"code": "410105", "name": "金水区"},
        "sms_reminders": True,
        "health_data_consent": True,
        # SPEC §8.3: nothing due yet before her first screening.
        "next_due": [],
        "deferred_until": None,
    }


def test_registering_without_a_token_is_refused(campaign):
    response = sign_up(APIClient())

    assert response.status_code == 401
    assert Participant.objects.count() == 0


def test_an_expired_token_is_refused(campaign, her_client):
    ParticipantToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = sign_up(her_client)

    assert response.status_code == 401


def test_field_errors_come_back_in_drfs_shape(campaign, her_client):
    response = sign_up(
        her_client,
        full_name="",
        id_number=id_number_with_check("11010519491231001"),
        consent=False,
    )

    assert response.status_code == 400
    assert sorted(response.json()) == ["consent", "full_name", "id_number"]
    assert "for women" in response.json()["id_number"][0]


def test_a_wrong_check_character_is_an_id_number_field_error(campaign, her_client):
    response = sign_up(her_client, id_number="110105194912310021")

    assert response.status_code == 400
    assert list(response.json()) == ["id_number"]


def test_an_unknown_kind_of_work_is_refused(campaign, her_client):
    response = sign_up(her_client, employment_type="pilot")

    assert response.status_code == 400
    assert list(response.json()) == ["employment_type"]


def test_consent_must_be_given_explicitly(campaign, her_client):
    response = her_client.post(
        PARTICIPANTS,
        {
            "full_name": "王秀英",
            "id_number": VALID_FEMALE_ID,
            "employment_type": "courier",
            "district": "410105",
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["consent"]


def test_an_id_number_held_by_another_phone_is_409_id_taken(campaign, her_client):
    ParticipantFactory(phone=OTHER_PHONE, id_number=VALID_FEMALE_ID)

    response = sign_up(her_client)

    assert response.status_code == 409
    assert response.json()["code"] == "id_taken"
    assert CONTACT in response.json()["detail"]


def test_registering_a_second_time_is_409_already_registered(campaign, her_client):
    sign_up(her_client)

    response = sign_up(her_client, id_number=id_number_with_check("11010519800101002"))

    assert response.status_code == 409
    assert response.json()["code"] == "already_registered"


def test_with_two_open_campaigns_she_must_say_which(campaign, her_client):
    CampaignFactory()

    response = sign_up(her_client)

    assert response.status_code == 400
    assert response.json()["code"] == "campaign_required"


def test_she_can_name_the_campaign_she_joins(campaign, her_client):
    CampaignFactory()

    response = sign_up(her_client, campaign=campaign.pk)

    assert response.status_code == 201


def test_with_no_open_campaign_registration_is_refused(campaign, her_client):
    campaign.status = CampaignStatus.CLOSED
    campaign.save()

    response = sign_up(her_client)

    assert response.status_code == 400
    assert response.json()["code"] == "campaign_unavailable"


def test_her_profile_is_404_not_registered_before_she_registers(her_client):
    response = her_client.get(ME)

    assert response.status_code == 404
    assert response.json()["code"] == "not_registered"


def test_the_token_she_registered_with_reads_her_profile(campaign, her_client):
    sign_up(her_client)

    response = her_client.get(ME)

    assert response.status_code == 200
    assert response.json()["id_number"] == "110105********002X"
    assert response.json()["phone"] == "139****5678"


def test_a_token_for_another_phone_never_sees_her(campaign, her_client):
    sign_up(her_client)

    response = client_for(OTHER_PHONE).get(ME)

    assert response.status_code == 404


def test_her_profile_needs_a_token():
    response = APIClient().get(ME)

    assert response.status_code == 401


def test_she_can_change_her_profile(campaign, her_client):
    sign_up(her_client)

    response = her_client.patch(
        ME,
        {
            "employment_type": "other",
            "employment_other": "保洁",
            "sms_reminders": False,
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["employment_type"] == "other"
    assert response.json()["employment_other"] == "保洁"
    assert response.json()["sms_reminders"] is False


def test_a_wrong_change_comes_back_as_a_field_error(campaign, her_client):
    sign_up(her_client)

    response = her_client.patch(ME, {"full_name": ""}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["full_name"]


def test_her_id_number_cannot_be_changed_through_the_api(campaign, her_client):
    sign_up(her_client)

    response = her_client.patch(
        ME, {"id_number": id_number_with_check("11010519800101002")}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["id_number"]
    assert Participant.objects.get().id_number == VALID_FEMALE_ID


def test_changing_a_profile_before_registering_is_404(her_client):
    response = her_client.patch(ME, {"full_name": "王秀英"}, format="json")

    assert response.status_code == 404


def test_the_schema_describes_every_sign_up_endpoint():
    response = APIClient().get("/api/schema/", {"format": "json"})

    paths = response.json()["paths"]
    assert {
        "/api/v1/auth/otp/",
        "/api/v1/auth/otp/verify/",
        "/api/v1/participants/",
        "/api/v1/participants/me/",
    } <= set(paths)
