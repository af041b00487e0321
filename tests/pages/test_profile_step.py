"""The profile step: what she types is taken as she means it, and what is wrong
is said there, not after she has read the consent."""

import pytest
from django.test import Client

from screening.models import Campaign, District, Participant
from tests.pages.flow import sign_in
from tests.pages.test_signup_pages import profile
from tests.screening.factories import ParticipantFactory, newcomer_id_number

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


@pytest.mark.parametrize(
    "typed",
    [
        lambda n: f"{n[:6]} {n[6:14]} {n[14:]}",
        full_width,
        lambda n: f"{n[:6]}\u3000{n[6:]}",
    ],
    ids=["groups", "full-width", "ideographic-space"],
)
def test_an_id_typed_with_spaces_or_full_width_digits_is_taken_as_the_number(
    client: Client, campaign: Campaign, district: District, typed
) -> None:
    number = newcomer_id_number(4100)
    sign_in(client, PHONE, campaign=campaign)

    saved = client.post(
        f"/signup/{campaign.pk}/profile/", profile(district, id_number=typed(number))
    )

    assert saved.status_code == 302, saved.content.decode()
    assert saved["Location"] == f"/signup/{campaign.pk}/consent/"


def test_an_id_number_already_registered_is_said_at_the_profile_step(
    client: Client, campaign: Campaign, district: District
) -> None:
    taken = ParticipantFactory(district=district).id_number
    sign_in(client, PHONE, campaign=campaign)

    refused = client.post(
        f"/signup/{campaign.pk}/profile/", profile(district, id_number=taken)
    )

    page = refused.content.decode()
    assert refused.status_code == 400
    assert "已用另一个手机号码登记" in page
    assert "0391-1234567" in page
    assert 'value="李秀英"' in page
    assert Participant.objects.count() == 1


def test_switching_language_mid_form_keeps_her_name_and_id_number(
    client: Client, campaign: Campaign, district: District
) -> None:
    sign_in(client, PHONE, campaign=campaign)
    url = f"/signup/{campaign.pk}/profile/"
    typed = {"full_name": "李秀英", "id_number": "41081119900101", "district_code": ""}

    switched = client.post(url, {**typed, "switch_language": "en"})
    again = client.get(url)

    assert switched.status_code == 302
    assert switched["Location"] == url
    page = again.content.decode()
    assert 'lang="en"' in page
    assert 'value="李秀英"' in page
    assert 'value="41081119900101"' in page
    assert 'form="profile-form"' in page
    # Half a profile, unchecked, is no finished step.
    assert client.get(f"/signup/{campaign.pk}/consent/")["Location"] == url


def test_an_unknown_language_is_no_switch_and_the_form_is_checked_as_usual(
    client: Client, campaign: Campaign, district: District
) -> None:
    sign_in(client, PHONE, campaign=campaign)

    response = client.post(
        f"/signup/{campaign.pk}/profile/",
        {"full_name": "李秀英", "switch_language": "xx"},
    )

    assert response.status_code == 400


def test_a_triple_tap_on_agree_lands_on_step_5_and_registers_her_once(
    client: Client, campaign: Campaign, district: District, slot
) -> None:
    sign_in(client, PHONE, campaign=campaign)
    client.post(f"/signup/{campaign.pk}/profile/", profile(district))
    consent = f"/signup/{campaign.pk}/consent/"

    taps = [client.post(consent, {"consent_health_data": "on"}) for _ in range(3)]

    assert [tap["Location"] for tap in taps] == [f"/book/{campaign.pk}/"] * 3
    assert Participant.objects.count() == 1
    step_5 = client.get(taps[-1]["Location"]).content.decode()
    assert "第5步,共5步" in step_5


def test_an_empty_profile_says_what_each_field_needs_never_this_field_is_required(
    client: Client, campaign: Campaign, district: District
) -> None:
    sign_in(client, PHONE, campaign=campaign)

    page = client.post(f"/signup/{campaign.pk}/profile/", {}).content.decode()

    assert "这个字段是必填项" not in page
    for wanted in (
        "请输入与身份证一致的姓名",
        "请输入身份证上的18位号码",
        "请选择您从事的工作类型",
        "请选择您工作所在的区",
    ):
        assert wanted in page


def test_an_empty_phone_or_code_says_what_to_type(
    client: Client, campaign: Campaign
) -> None:
    phone_page = client.post(f"/signup/{campaign.pk}/", {"phone": ""})
    client.post(f"/signup/{campaign.pk}/", {"phone": PHONE})
    code_page = client.post(f"/signup/{campaign.pk}/code/", {"code": ""})

    assert "请输入11位手机号码" in phone_page.content.decode()
    assert "这个字段是必填项" not in code_page.content.decode()
    assert "短信中的6位数字" in code_page.content.decode()
