"""The sign-up pages: phone, code, profile, consent, eligibility."""

import re

import pytest
from django.test import Client

from scheduling.models import Appointment, Slot
from screening.consent import HEALTH_DATA_CONSENT_VERSION
from screening.models import Campaign, Consent, District, Participant
from tests.pages.flow import last_code, sign_in
from tests.screening.factories import (
    CampaignFactory,
    ParticipantFactory,
    id_number_with_check,
    newcomer_id_number,
)

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def profile(district: District, **changes: str) -> dict[str, str]:
    data = {
        "full_name": "李秀英",
        "id_number": newcomer_id_number(4000),
        "employment_type": "food_delivery",
        "employment_other": "",
        "employer": "美团",
        "district_code": district.code,
    }
    return {**data, **changes}


def test_a_new_woman_signs_up_books_and_gets_her_confirmation(
    client: Client, campaign: Campaign, district: District, slot: Slot
) -> None:
    landing = client.get("/")
    assert f'href="/signup/{campaign.pk}/"' in landing.content.decode()

    phone_page = client.get(f"/signup/{campaign.pk}/")
    assert 'name="phone"' in phone_page.content.decode()
    assert 'inputmode="numeric"' in phone_page.content.decode()

    sent = client.post(f"/signup/{campaign.pk}/", {"phone": PHONE})
    assert sent["Location"] == f"/signup/{campaign.pk}/code/"
    code_page = client.get(sent["Location"])
    assert "139****5678" in code_page.content.decode()
    assert 'autocomplete="one-time-code"' in code_page.content.decode()

    entered = client.post(sent["Location"], {"code": last_code()})
    assert entered["Location"] == f"/signup/{campaign.pk}/profile/"

    profile_page = client.get(entered["Location"])
    page = profile_page.content.decode()
    for label in ("快递", "外卖", "网约车", "家政", "直播带货", "其他"):
        assert label in page
    assert district.name in page

    saved = client.post(entered["Location"], profile(district))
    assert saved["Location"] == f"/signup/{campaign.pk}/consent/"
    assert Participant.objects.count() == 0

    consent_page = client.get(saved["Location"]).content.decode()
    assert HEALTH_DATA_CONSENT_VERSION in consent_page
    assert re.search(
        r'<input type="checkbox" name="consent_health_data"[^>]*>', consent_page
    )
    assert not re.search(r'name="consent_health_data"[^>]*checked', consent_page)
    assert re.search(r'name="sms_reminders"[^>]*checked', consent_page)

    agreed = client.post(
        saved["Location"], {"consent_health_data": "on", "sms_reminders": "on"}
    )
    assert agreed["Location"] == f"/book/{campaign.pk}/"
    participant = Participant.objects.get()
    assert participant.full_name == "李秀英"
    assert participant.sms_reminders is True
    assert Consent.objects.get(participant=participant).text_version == (
        HEALTH_DATA_CONSENT_VERSION
    )

    picker = client.get(agreed["Location"]).content.decode()
    assert slot.site.name in picker
    day_link = re.search(r'href="(\?site=\d+&amp;day=[0-9-]+)#time"', picker)
    assert day_link is not None
    times = client.get(agreed["Location"] + day_link.group(1).replace("&amp;", "&"))
    assert f'name="slot" value="{slot.pk}"' in times.content.decode()

    booked = client.post(
        agreed["Location"],
        {"slot": slot.pk, "idempotency_key": "k1", "site": slot.site_id},
    )
    appointment = Appointment.objects.get(participant=participant)
    assert booked["Location"] == f"/my/appointments/{appointment.pk}/"

    confirmation = client.get(booked["Location"]).content.decode()
    assert f'class="ref" id="reference">{appointment.reference}<' in confirmation
    assert f'<img class="qr" src="/my/appointments/{appointment.pk}/qr.svg"' in (
        confirmation
    )
    assert "请携带本人身份证原件" in confirmation
    assert f"/my/appointments/{appointment.pk}/calendar.ics" in confirmation

    qr = client.get(f"/my/appointments/{appointment.pk}/qr.svg")
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.lstrip().startswith(b"<svg")

    mine = client.get("/my/").content.decode()
    assert appointment.reference in mine


def test_the_code_page_without_a_phone_sends_her_back(
    client: Client, campaign: Campaign
) -> None:
    response = client.get(f"/signup/{campaign.pk}/code/")

    assert response["Location"] == f"/signup/{campaign.pk}/"


def test_an_unknown_phone_gets_the_same_answer_as_a_registered_one(
    client: Client, campaign: Campaign
) -> None:
    ParticipantFactory(phone="13700000001")

    known = client.post(f"/signup/{campaign.pk}/", {"phone": "13700000001"})
    unknown = Client().post(f"/signup/{campaign.pk}/", {"phone": "13700000002"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_too_many_codes_show_the_wait_in_chinese(
    client: Client, campaign: Campaign
) -> None:
    client.post(f"/signup/{campaign.pk}/", {"phone": PHONE})

    again = Client().post(f"/signup/{campaign.pk}/", {"phone": PHONE})

    assert again.status_code == 400
    page = again.content.decode()
    assert re.search(r"请等待 ?\d+ ?(秒|分钟)后再试", page), page


def test_a_wrong_code_is_refused_in_chinese(client: Client, campaign: Campaign) -> None:
    client.post(f"/signup/{campaign.pk}/", {"phone": PHONE})
    wrong = "000000" if last_code() != "000000" else "111111"

    response = client.post(f"/signup/{campaign.pk}/code/", {"code": wrong})

    assert response.status_code == 400
    assert "验证码错误或已过期" in response.content.decode()


def test_profile_errors_come_back_in_chinese_with_her_input(
    client: Client, campaign: Campaign, district: District
) -> None:
    sign_in(client, PHONE, campaign=campaign)
    valid = newcomer_id_number(4001)
    bad_id = valid[:17] + ("0" if valid[17] != "0" else "1")

    response = client.post(
        f"/signup/{campaign.pk}/profile/",
        profile(district, id_number=bad_id, employment_type="other"),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "身份证号码无效" in page
    assert "请告诉我们您从事的工作" in page
    assert f'value="{bad_id}"' in page
    assert 'value="李秀英"' in page
    assert Participant.objects.count() == 0


def test_an_ineligible_woman_sees_every_reason_and_whom_to_call(
    client: Client, district: District
) -> None:
    campaign = CampaignFactory(
        districts=[district], min_age=35, max_age=64, contact_phone="0391-7654321"
    )
    sign_in(client, PHONE, campaign=campaign)
    # A man's number (odd 17th digit), born in 2005.
    young_man = id_number_with_check("41080220050101001")

    response = client.post(
        f"/signup/{campaign.pk}/profile/", profile(district, id_number=young_man)
    )

    page = response.content.decode()
    assert "这项筛查面向女性" in page
    assert "您在当天还未满35周岁" in page
    assert "0391-7654321" in page
    assert f'href="/signup/{campaign.pk}/profile/"' in page
    assert Participant.objects.count() == 0


def test_consent_must_be_ticked_and_nothing_is_saved_without_it(
    client: Client, campaign: Campaign, district: District
) -> None:
    sign_in(client, PHONE, campaign=campaign)
    client.post(f"/signup/{campaign.pk}/profile/", profile(district))

    response = client.post(f"/signup/{campaign.pk}/consent/", {"sms_reminders": "on"})

    assert response.status_code == 400
    assert "没有这项同意,我们无法为您预约筛查" in response.content.decode()
    assert Participant.objects.count() == 0


def test_declining_sms_reminders_still_lets_her_book(
    client: Client, campaign: Campaign, district: District, slot: Slot
) -> None:
    sign_in(client, PHONE, campaign=campaign)
    client.post(f"/signup/{campaign.pk}/profile/", profile(district))

    agreed = client.post(
        f"/signup/{campaign.pk}/consent/", {"consent_health_data": "on"}
    )
    booked = client.post(agreed["Location"], {"slot": slot.pk})

    assert Participant.objects.get().sms_reminders is False
    assert booked.status_code == 302
    assert Appointment.objects.filter(slot=slot).count() == 1


def test_an_id_number_registered_with_another_phone_is_shown_on_the_profile(
    client: Client, campaign: Campaign, district: District
) -> None:
    # Registered by another phone between her profile step and her consent.
    taken = newcomer_id_number(4400)
    sign_in(client, PHONE, campaign=campaign)
    client.post(f"/signup/{campaign.pk}/profile/", profile(district, id_number=taken))
    ParticipantFactory(district=district, id_number=taken)

    response = client.post(
        f"/signup/{campaign.pk}/consent/", {"consent_health_data": "on"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "已用另一个手机号码登记" in page
    assert "0391-1234567" in page
    assert Participant.objects.count() == 1


def test_a_returning_woman_goes_straight_to_her_bookings(
    client: Client, campaign: Campaign
) -> None:
    ParticipantFactory(phone=PHONE)

    landed = sign_in(client, PHONE, campaign=campaign)

    assert landed == "/my/"
    assert client.get(f"/signup/{campaign.pk}/profile/")["Location"] == "/my/"


def test_signing_in_cycles_the_session_key(client: Client, campaign: Campaign) -> None:
    client.get(f"/signup/{campaign.pk}/")
    client.post(f"/signup/{campaign.pk}/", {"phone": PHONE})
    before = client.session.session_key

    client.post(f"/signup/{campaign.pk}/code/", {"code": last_code()})

    assert client.session.session_key != before


def test_signing_out_ends_the_session(client: Client, campaign: Campaign) -> None:
    ParticipantFactory(phone=PHONE)
    sign_in(client, PHONE)

    signed_out = client.post("/signout/")

    assert signed_out["Location"] == "/"
    assert client.get("/my/")["Location"] == "/signin/"


def test_sign_out_only_accepts_post(client: Client) -> None:
    assert client.get("/signout/").status_code == 405


def test_a_woman_told_to_wait_can_still_enter_the_code_she_has(
    client: Client, campaign: Campaign
) -> None:
    client.post(f"/signup/{campaign.pk}/", {"phone": PHONE})
    code = last_code()

    refused = client.post(f"/signup/{campaign.pk}/", {"phone": PHONE})
    entered = client.post(f"/signup/{campaign.pk}/code/", {"code": code})

    assert f'href="/signup/{campaign.pk}/code/"' in refused.content.decode()
    assert entered["Location"] == f"/signup/{campaign.pk}/profile/"


def test_signing_in_with_a_new_phone_offers_the_open_campaigns(
    client: Client, campaign: Campaign
) -> None:
    landed = sign_in(client, PHONE)

    page = client.get(landed).content.decode()

    assert landed == "/my/"
    assert "这个手机号还没有报名参加筛查" in page
    assert f'href="/signup/{campaign.pk}/profile/"' in page
