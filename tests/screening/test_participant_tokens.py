"""Her API token lives a week, renews for another, and ends when she signs out."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from notifications.models import Notification
from notifications.secrets import secret_params_of
from screening.models import ParticipantToken
from screening.otp import otp_request, otp_verify
from tests.screening.factories import ParticipantFactory, bearer_token

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
RENEW = "/api/v1/auth/token/renew/"
SIGN_OUT = "/api/v1/auth/signout/"
ME = "/api/v1/participants/me/"


def _code() -> str:
    return secret_params_of(Notification.objects.get(kind="otp"))["code"]


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_the_token_from_a_code_lives_seven_days() -> None:
    otp_request(phone_raw=PHONE, ip=None)
    before = timezone.now()

    otp_verify(phone_raw=PHONE, code=_code())

    life = ParticipantToken.objects.get().expires_at - before
    assert abs(life - timedelta(days=7)) < timedelta(minutes=1)


def test_renewing_gives_a_new_week_and_ends_the_old_token() -> None:
    key = bearer_token(phone=PHONE, participant=ParticipantFactory(phone=PHONE))
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        renewed = _client(key).post(RENEW)
        new_key = renewed.json()["token"]

        old_again = _client(key).get(ME)
        new_works = _client(new_key).get(ME)

        assert renewed.status_code == 200
        assert new_key != key
        assert old_again.status_code == 401
        assert new_works.status_code == 200
        token = ParticipantToken.objects.get()
        assert token.expires_at > timezone.now() + timedelta(days=6, hours=23)


def test_an_ended_token_cannot_be_renewed() -> None:
    key = bearer_token(phone=PHONE)

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = _client(key).post(RENEW)

    assert response.status_code == 401
    assert response.json()["code"]


def test_signing_out_ends_the_token() -> None:
    key = bearer_token(phone=PHONE, participant=ParticipantFactory(phone=PHONE))

    signed_out = _client(key).post(SIGN_OUT)
    after = _client(key).get(ME)

    assert signed_out.status_code == 204
    assert after.status_code == 401
    assert not ParticipantToken.objects.exists()


@pytest.mark.parametrize("path", [RENEW, SIGN_OUT])
def test_renewal_and_sign_out_need_a_token(path: str) -> None:
    response = APIClient().post(path)

    assert response.status_code == 401
