"""Guessing a sign-in code: a thousand tries from many addresses get nowhere."""

import pytest
from rest_framework.test import APIClient

from common.models import AuditEvent
from notifications.models import Notification
from notifications.secrets import secret_params_of
from screening.models import ParticipantToken
from tests.screening.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

OTP = "/api/v1/auth/otp/"
VERIFY = "/api/v1/auth/otp/verify/"
PHONE = "13912340000"


def test_a_thousand_guesses_from_many_addresses_never_sign_in() -> None:
    ParticipantFactory(phone=PHONE)
    client = APIClient()
    assert client.post(OTP, {"phone": PHONE}, format="json").status_code == 202
    code = secret_params_of(Notification.objects.get(kind="otp"))["code"]
    wrong = (f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" != code)

    answers = {
        client.post(
            VERIFY,
            {"phone": PHONE, "code": next(wrong)},
            format="json",
            REMOTE_ADDR=f"10.{n // 250}.{n % 250}.1",
        ).status_code
        for n in range(1000)
    }
    right_after = client.post(VERIFY, {"phone": PHONE, "code": code}, format="json")

    assert answers == {400}
    assert right_after.status_code == 400
    assert not ParticipantToken.objects.exists()
    assert AuditEvent.objects.filter(action="otp.exhausted").count() == 1


def test_the_answer_is_byte_identical_for_registered_and_unknown_phones() -> None:
    ParticipantFactory(phone="13911110000")
    client = APIClient()

    registered = client.post(
        OTP, {"phone": "13911110000"}, format="json", REMOTE_ADDR="10.0.0.1"
    )
    unknown = client.post(
        OTP, {"phone": "13922220000"}, format="json", REMOTE_ADDR="10.0.0.2"
    )

    assert registered.status_code == unknown.status_code == 202
    assert registered.content == unknown.content
    assert sorted(registered.headers.items()) == sorted(unknown.headers.items())
