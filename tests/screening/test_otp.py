"""Sign-in by SMS code: delivery through the outbox, limits, misses, expiry."""

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from rest_framework.test import APIClient

from common.crypto import keyed_hash
from common.models import AuditEvent
from notifications.models import Notification
from notifications.secrets import secret_params_of
from notifications.services import notification_send
from notifications.tasks import notification_send_task
from screening.authentication import token_hash
from screening.errors import OtpInvalid, OtpRateLimited, PhoneInvalid
from screening.models import OtpChallenge, ParticipantToken
from screening.otp import otp_request, otp_verify
from tests.screening.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
OTHER_PHONE = "13987654321"
IP = "203.0.113.7"
START = datetime(2025, 3, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def last_code(phone: str) -> str:
    """The code the outbox row for this phone carries, as the gateway gets it."""
    notification = Notification.objects.filter(
        kind="otp", recipient_hash=keyed_hash(phone, purpose="phone")
    ).latest("id")
    return secret_params_of(notification)["code"]


def test_a_code_reaches_the_phone_through_the_outbox(sms_outbox):
    otp_request(phone_raw="+86 139-1234-5678", ip=IP)
    notification = Notification.objects.get(kind="otp")

    notification_send(notification_id=notification.pk)

    [message] = sms_outbox
    assert message.phone == PHONE
    assert message.kind == "otp"
    assert message.params["code"].isdigit()
    assert len(message.params["code"]) == 6
    assert notification.dedupe_key == f"otp:{OtpChallenge.objects.get().pk}"


def test_the_code_itself_is_never_stored_with_the_challenge():
    otp_request(phone_raw=PHONE, ip=IP)
    code = last_code(PHONE)
    challenge = OtpChallenge.objects.get()

    assert code not in challenge.code_hash
    assert challenge.phone_hash == keyed_hash(PHONE, purpose="phone")


def test_an_invalid_phone_number_is_refused_before_anything_is_sent():
    with pytest.raises(PhoneInvalid):
        otp_request(phone_raw="12345", ip=IP)

    assert Notification.objects.count() == 0


def test_the_right_code_returns_a_token_stored_only_as_its_hash():
    otp_request(phone_raw=PHONE, ip=IP)

    key, participant = otp_verify(phone_raw=PHONE, code=last_code(PHONE))

    token = ParticipantToken.objects.get()
    assert participant is None
    assert token.key_hash == token_hash(key)
    assert key not in token.key_hash
    assert token.phone == PHONE


def test_the_token_of_a_registered_phone_carries_her_record():
    woman = ParticipantFactory(phone=PHONE)
    otp_request(phone_raw=PHONE, ip=IP)

    _key, participant = otp_verify(phone_raw=PHONE, code=last_code(PHONE))

    assert participant == woman
    assert ParticipantToken.objects.get().participant == woman


def test_a_wrong_code_is_refused_and_counted():
    otp_request(phone_raw=PHONE, ip=IP)
    wrong = f"{(int(last_code(PHONE)) + 1) % 1_000_000:06d}"

    with pytest.raises(OtpInvalid):
        otp_verify(phone_raw=PHONE, code=wrong)

    assert OtpChallenge.objects.get().attempts == 1


def test_the_right_code_still_works_after_four_misses():
    otp_request(phone_raw=PHONE, ip=IP)
    code = last_code(PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(4):
        with pytest.raises(OtpInvalid):
            otp_verify(phone_raw=PHONE, code=wrong)

    key, _participant = otp_verify(phone_raw=PHONE, code=code)

    assert key


def test_five_misses_kill_the_code_and_are_audited():
    otp_request(phone_raw=PHONE, ip=IP)
    code = last_code(PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(OtpInvalid):
            otp_verify(phone_raw=PHONE, code=wrong)

    with pytest.raises(OtpInvalid):
        otp_verify(phone_raw=PHONE, code=code)

    event = AuditEvent.objects.get(action="otp.exhausted")
    assert event.object_id == str(OtpChallenge.objects.get().pk)
    assert event.actor is None
    assert ParticipantToken.objects.count() == 0


def test_a_code_works_until_its_fifth_minute_ends(clock):
    otp_request(phone_raw=PHONE, ip=IP)
    clock.shift(timedelta(minutes=4, seconds=59))

    key, _participant = otp_verify(phone_raw=PHONE, code=last_code(PHONE))

    assert key


def test_an_expired_code_gets_the_same_answer_as_a_wrong_one(clock):
    otp_request(phone_raw=PHONE, ip=IP)
    clock.shift(timedelta(minutes=5))

    with pytest.raises(OtpInvalid) as expired:
        otp_verify(phone_raw=PHONE, code=last_code(PHONE))
    with pytest.raises(OtpInvalid) as wrong:
        otp_verify(phone_raw=OTHER_PHONE, code="000000")

    assert str(expired.value.detail) == str(wrong.value.detail)


def test_a_code_can_be_used_only_once():
    otp_request(phone_raw=PHONE, ip=IP)
    code = last_code(PHONE)
    otp_verify(phone_raw=PHONE, code=code)

    with pytest.raises(OtpInvalid):
        otp_verify(phone_raw=PHONE, code=code)

    assert ParticipantToken.objects.count() == 1


def test_a_new_code_voids_the_one_before(clock):
    otp_request(phone_raw=PHONE, ip=IP)
    first = last_code(PHONE)
    clock.shift(timedelta(minutes=1))
    otp_request(phone_raw=PHONE, ip=IP)

    with pytest.raises(OtpInvalid):
        otp_verify(phone_raw=PHONE, code=first)
    key, _participant = otp_verify(phone_raw=PHONE, code=last_code(PHONE))

    assert key


def test_a_code_for_one_phone_does_not_sign_in_another():
    otp_request(phone_raw=PHONE, ip=IP)
    otp_request(phone_raw=OTHER_PHONE, ip=IP)

    with pytest.raises(OtpInvalid):
        otp_verify(phone_raw=OTHER_PHONE, code=last_code(PHONE))


def test_a_second_code_within_the_minute_is_refused_until_the_minute_is_over(clock):
    otp_request(phone_raw=PHONE, ip=IP)
    clock.shift(timedelta(seconds=20))

    with pytest.raises(OtpRateLimited) as refused:
        otp_request(phone_raw=PHONE, ip=IP)
    clock.shift(timedelta(seconds=40))
    otp_request(phone_raw=PHONE, ip=IP)

    assert refused.value.retry_after == 40
    assert OtpChallenge.objects.count() == 2


def test_a_sixth_code_within_the_hour_is_refused_until_the_first_is_an_hour_old(
    clock,
):
    for _ in range(5):
        otp_request(phone_raw=PHONE, ip=IP)
        clock.shift(timedelta(minutes=2))

    with pytest.raises(OtpRateLimited) as refused:
        otp_request(phone_raw=PHONE, ip=IP)
    clock.move_to(START + timedelta(hours=1))
    otp_request(phone_raw=PHONE, ip=IP)

    assert refused.value.retry_after == 50 * 60
    assert OtpChallenge.objects.count() == 6


def test_the_daily_limit_holds_across_hours(clock, settings):
    settings.OTP_LIMIT_PER_PHONE_DAY = 2
    otp_request(phone_raw=PHONE, ip=IP)
    clock.shift(timedelta(hours=2))
    otp_request(phone_raw=PHONE, ip=IP)
    clock.shift(timedelta(hours=2))

    with pytest.raises(OtpRateLimited) as refused:
        otp_request(phone_raw=PHONE, ip=IP)

    assert refused.value.retry_after == 20 * 60 * 60


def test_one_address_gets_its_hourly_share_of_codes_and_no_more(clock):
    for n in range(20):
        otp_request(phone_raw=f"1370000{n:04d}", ip=IP)

    with pytest.raises(OtpRateLimited):
        otp_request(phone_raw=PHONE, ip=IP)
    otp_request(phone_raw=PHONE, ip="198.51.100.1")

    assert Notification.objects.count() == 21


def test_a_refused_request_uses_up_no_allowance(clock):
    otp_request(phone_raw=PHONE, ip=IP)
    for _ in range(3):
        clock.shift(timedelta(seconds=10))
        with pytest.raises(OtpRateLimited):
            otp_request(phone_raw=PHONE, ip=IP)

    clock.move_to(START + timedelta(minutes=1))
    otp_request(phone_raw=PHONE, ip=IP)

    assert OtpChallenge.objects.count() == 2


def test_logs_never_carry_the_phone_or_the_code(caplog):
    caplog.set_level(logging.DEBUG)
    otp_request(phone_raw=PHONE, ip=IP)
    code = last_code(PHONE)
    otp_verify(phone_raw=PHONE, code=code)

    assert PHONE not in caplog.text
    assert code not in caplog.text


def test_the_api_answers_202_alike_for_registered_and_unknown_phones(api_client):
    ParticipantFactory(phone=PHONE)

    registered = api_client.post("/api/v1/auth/otp/", {"phone": PHONE}, format="json")
    unknown = api_client.post(
        "/api/v1/auth/otp/", {"phone": OTHER_PHONE}, format="json"
    )

    assert registered.status_code == unknown.status_code == 202
    assert registered.json() == unknown.json()
    assert Notification.objects.filter(kind="otp").count() == 2


def test_the_api_needs_no_csrf_token():
    csrf_client = APIClient(enforce_csrf_checks=True)

    response = csrf_client.post("/api/v1/auth/otp/", {"phone": PHONE}, format="json")

    assert response.status_code == 202


def test_the_api_refuses_a_bad_phone_with_a_code(api_client):
    response = api_client.post("/api/v1/auth/otp/", {"phone": "10086"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "phone_invalid"


def test_the_api_says_when_to_retry_after_the_limit(api_client, clock):
    api_client.post("/api/v1/auth/otp/", {"phone": PHONE}, format="json")
    clock.shift(timedelta(seconds=15))

    response = api_client.post("/api/v1/auth/otp/", {"phone": PHONE}, format="json")

    assert response.status_code == 429
    assert response["Retry-After"] == "45"
    assert response.json()["code"] == "otp_rate_limited"


def test_the_api_counts_the_client_address(api_client):
    for n in range(20):
        api_client.post(
            "/api/v1/auth/otp/",
            {"phone": f"1370000{n:04d}"},
            format="json",
            REMOTE_ADDR=IP,
        )

    response = api_client.post(
        "/api/v1/auth/otp/", {"phone": PHONE}, format="json", REMOTE_ADDR=IP
    )

    assert response.status_code == 429


def test_the_api_exchanges_a_code_for_a_token_and_no_profile_yet(api_client):
    api_client.post("/api/v1/auth/otp/", {"phone": PHONE}, format="json")

    response = api_client.post(
        "/api/v1/auth/otp/verify/",
        {"phone": PHONE, "code": last_code(PHONE)},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["participant"] is None
    assert ParticipantToken.objects.get().key_hash == token_hash(
        response.json()["token"]
    )


def test_the_api_returns_her_masked_profile_with_the_token(api_client):
    ParticipantFactory(phone=PHONE)
    api_client.post("/api/v1/auth/otp/", {"phone": PHONE}, format="json")

    response = api_client.post(
        "/api/v1/auth/otp/verify/",
        {"phone": PHONE, "code": last_code(PHONE)},
        format="json",
    )

    assert response.json()["participant"]["phone"] == "139****5678"


def test_the_api_refuses_a_wrong_code_with_otp_invalid(api_client):
    api_client.post("/api/v1/auth/otp/", {"phone": PHONE}, format="json")
    wrong = f"{(int(last_code(PHONE)) + 1) % 1_000_000:06d}"

    response = api_client.post(
        "/api/v1/auth/otp/verify/", {"phone": PHONE, "code": wrong}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "otp_invalid"


def _request_code_in_a_thread(barrier: threading.Barrier, n: int) -> str:
    try:
        barrier.wait()
        otp_request(phone_raw=PHONE, ip=f"198.51.100.{n}")
    except OtpRateLimited:
        return "limited"
    finally:
        connection.close()
    return "sent"


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_one_phone_let_exactly_one_code_through(
    monkeypatch,
):
    enqueued: list[int] = []
    # The broker lies outside the project; record what would reach it.
    monkeypatch.setattr(notification_send_task, "delay", enqueued.append)
    threads = 10
    barrier = threading.Barrier(threads)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        outcomes = list(
            pool.map(_request_code_in_a_thread, [barrier] * threads, range(threads))
        )

    assert sorted(outcomes) == ["limited"] * (threads - 1) + ["sent"]
    assert OtpChallenge.objects.count() == 1
    assert Notification.objects.filter(kind="otp").count() == 1
    assert len(enqueued) == 1


def _verify_in_a_thread(barrier: threading.Barrier, code: str) -> str:
    try:
        barrier.wait()
        otp_verify(phone_raw=PHONE, code=code)
    except OtpInvalid:
        return "refused"
    finally:
        connection.close()
    return "signed in"


@pytest.mark.django_db(transaction=True)
def test_one_code_sent_twice_at_once_signs_in_exactly_once(monkeypatch):
    monkeypatch.setattr(notification_send_task, "delay", lambda _pk: None)
    otp_request(phone_raw=PHONE, ip=IP)
    code = last_code(PHONE)
    threads = 6
    barrier = threading.Barrier(threads)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        outcomes = list(
            pool.map(_verify_in_a_thread, [barrier] * threads, [code] * threads)
        )

    assert sorted(outcomes) == ["refused"] * (threads - 1) + ["signed in"]
    assert ParticipantToken.objects.count() == 1
