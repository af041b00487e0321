"""Asking for a new code on the code page before the minute is up."""

import re

import pytest
from django.test import Client

from screening.models import Campaign
from tests.pages.flow import last_code
from tests.screening.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.mark.parametrize("signing_up", [True, False])
def test_asking_again_too_soon_says_when_and_her_code_still_works(
    client: Client, campaign: Campaign, signing_up: bool
) -> None:
    if not signing_up:
        ParticipantFactory(phone=PHONE)
    base = f"/signup/{campaign.pk}/" if signing_up else "/signin/"
    client.post(base, {"phone": PHONE})
    code = last_code()

    refused = client.post(f"{base}code/", {"resend": "1"})

    assert refused.status_code == 429
    page = refused.content.decode()
    assert re.search(r"\d+秒后\(\d{2}:\d{2}:\d{2}\)可以重新获取验证码", page), page
    assert "已发给您的验证码仍然有效" in page
    assert last_code() == code
    entered = client.post(f"{base}code/", {"code": code})
    assert entered.status_code == 302
    assert entered["Location"] in (f"/signup/{campaign.pk}/profile/", "/my/")


def test_asking_again_once_allowed_sends_a_new_code(
    client: Client, campaign: Campaign, settings
) -> None:
    settings.OTP_LIMIT_PER_PHONE_MINUTE = 5
    client.post(f"/signup/{campaign.pk}/", {"phone": PHONE})
    first = last_code()

    sent = client.post(f"/signup/{campaign.pk}/code/", {"resend": "1"})

    assert sent.status_code == 200
    page = sent.content.decode()
    assert "新的验证码正在发送中" in page
    assert "可以重新获取验证码" not in page
    superseded = client.post(f"/signup/{campaign.pk}/code/", {"code": first})
    assert superseded.status_code == 400
