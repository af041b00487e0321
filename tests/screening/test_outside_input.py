"""What a woman's own input may not do: hide text in her name, move her outside
her campaign, break her calendar file (issue 13 §6)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from scheduling.calendar import appointment_ics, ics_escape
from screening.errors import ValidationFailed
from screening.models import CampaignStatus, Participant
from screening.services import participant_update
from screening.text_checks import has_hidden_characters
from tests.pages.flow import sign_in
from tests.pages.test_signup_pages import profile
from tests.scheduling.factories import AppointmentFactory
from tests.screening.factories import (
    CampaignFactory,
    DistrictFactory,
    ParticipantFactory,
    bearer_token,
)

pytestmark = pytest.mark.django_db

RLO = "\u202e"


@pytest.fixture
def district():  # type: ignore[no-untyped-def]
    return DistrictFactory(name="解放区")


@pytest.fixture
def campaign(district):  # type: ignore[no-untyped-def]
    return CampaignFactory(districts=[district], contact_phone="0391-1234567")


HIDDEN = [RLO, "\u200b", "\u200d", "\u2066", "\x00", "\x1b", "\u2028", "\ufeff"]


@pytest.mark.parametrize("hidden", HIDDEN)
def test_a_name_with_a_control_or_format_character_is_refused(hidden: str) -> None:
    her = ParticipantFactory(full_name="王芳")

    with pytest.raises(ValidationFailed) as refused:
        participant_update(participant=her, full_name=f"王{hidden}芳")

    assert list(refused.value.errors) == ["full_name"]
    her.refresh_from_db()
    assert her.full_name == "王芳"


@pytest.mark.parametrize("name", ["王芳", "欧阳 娜娜", "Anna-Lena", "阿依古丽·吐尔逊"])
def test_ordinary_names_are_visible_text(name: str) -> None:
    assert not has_hidden_characters(name)


def test_the_profile_page_refuses_a_right_to_left_override_in_her_name(
    client: Client,
    campaign,
    district,  # type: ignore[no-untyped-def]
) -> None:
    sign_in(client, "13912345678", campaign=campaign)

    refused = client.post(
        f"/signup/{campaign.pk}/profile/",
        profile(district, full_name=f"李{RLO}秀英", employer=f"美{RLO}团"),
    )

    page = refused.content.decode()
    assert refused.status_code == 400
    assert page.count("不可见字符或控制字符") == 2
    assert not Participant.objects.exists()


def test_the_api_refuses_a_control_character_in_the_name_at_sign_up(campaign) -> None:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer_token(phone='13912345678')}")

    response = api.post(
        "/api/v1/participants/",
        {
            "full_name": f"王{RLO}秀英",
            "id_number": profile(campaign.districts.first())["id_number"],
            "employment_type": "courier",
            "district": campaign.districts.first().code,
            "consent": True,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "full_name" in response.json()


def test_she_may_move_within_her_campaign_but_not_outside_it() -> None:
    home, next_door, elsewhere = (
        DistrictFactory(code="410802"),
        DistrictFactory(code="410803"),
        DistrictFactory(code="110105"),
    )
    CampaignFactory(districts=[home, next_door])
    CampaignFactory(districts=[elsewhere])
    her = ParticipantFactory(district=home)

    participant_update(participant=her, district_code="410803")
    with pytest.raises(ValidationFailed) as refused:
        participant_update(participant=her, district_code="110105")

    assert list(refused.value.errors) == ["district"]
    her.refresh_from_db()
    assert her.district == next_door


def test_a_closed_campaign_opens_no_district_to_her() -> None:
    home, old = DistrictFactory(code="410802"), DistrictFactory(code="410811")
    CampaignFactory(districts=[home])
    CampaignFactory(districts=[home, old], status=CampaignStatus.CLOSED)
    her = ParticipantFactory(district=home)

    with pytest.raises(ValidationFailed):
        participant_update(participant=her, district_code="410811")


def test_a_lone_carriage_return_is_escaped_in_the_calendar_file() -> None:
    assert ics_escape("一楼\r二楼") == "一楼\\n二楼"
    assert ics_escape("a\r\nb\nc\rd") == "a\\nb\\nc\\nd"
    assert ics_escape("x\x00y\x1bz\tw") == "xyz\tw"

    appointment = AppointmentFactory(slot__site__address="解放路1号\r二楼")
    text = appointment_ics(appointment=appointment)

    assert "\r" not in text.replace("\r\n", "")
    assert "解放路1号\\n二楼" in text.replace("\r\n ", "")
