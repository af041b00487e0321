"""Delivery receipts: the providers' documented payloads, applying them to the
outbox, and the endpoints they are pushed to."""

import json
import logging
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import include, path
from django.utils import timezone

from notifications.backends.http import sign
from notifications.models import Status
from notifications.receipts import (
    Receipt,
    ReceiptMalformed,
    parse_aliyun,
    parse_http,
    parse_tencent,
    receipts_apply,
)
from tests.notifications.factories import NotificationFactory

# Mounted as config/urls.py mounts it, so the paths here are the real ones.
urlpatterns = [path("sms/receipts/", include("notifications.urls"))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

CHINA = ZoneInfo("Asia/Shanghai")
TOKEN = "test-only-receipt-token-6f1c2a"
SECRET = "test-only-gateway-secret"

# Alibaba Cloud's HTTP batch push (SmsReport), in the documented shape.
ALIYUN_BATCH = [
    {
        "phone_number": "1381111****",
        "send_time": "2025-03-10 09:00:01",
        "report_time": "2025-03-10 09:00:05",
        "success": True,
        "err_code": "DELIVERED",
        "err_msg": "用户接收成功",
        "sms_size": "1",
        "biz_id": "900619746936498440^0",
        "out_id": "appointment:42:booking_confirmed",
    },
    {
        "phone_number": "1390000****",
        "send_time": "2025-03-10 09:00:02",
        "report_time": "2025-03-10 09:01:30",
        "success": False,
        "err_code": "MK:0000",
        "err_msg": "空号",
        "sms_size": "1",
        "biz_id": "900619746936498441^0",
        "out_id": "otp:17",
    },
]

# Tencent Cloud's status callback, in the documented shape.
TENCENT_BATCH = [
    {
        "user_receive_time": "2025-03-10 09:00:04",
        "nationcode": "86",
        "mobile": "13800138000",
        "report_status": "SUCCESS",
        "errmsg": "DELIVRD",
        "description": "用户短信送达成功",
        "sid": "2028:f825e6b16e23f73f4123",
    },
    {
        "user_receive_time": "2025-03-10 09:02:00",
        "nationcode": "86",
        "mobile": "13900000000",
        "report_status": "FAIL",
        "errmsg": "MI:0013",
        "description": "号码已停机",
        "sid": "2028:f825e6b16e23f73f4124",
    },
]

HTTP_BATCH = [
    {
        "id": "gw-1001",
        "correlation_id": "otp:17",
        "status": "delivered",
        "reported_at": "2025-03-10T01:00:05+00:00",
    },
    {"id": "gw-1002", "correlation_id": "otp:18", "status": "failed", "error": "E42"},
]


def body(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


# --- parsing


def test_an_aliyun_batch_becomes_one_receipt_per_entry():
    delivered, failed = parse_aliyun(body(ALIYUN_BATCH))

    assert delivered == Receipt(
        provider="aliyun",
        provider_message_id="900619746936498440^0",
        correlation_id="appointment:42:booking_confirmed",
        delivered=True,
        error_code="",
        reported_at=datetime(2025, 3, 10, 9, 0, 5, tzinfo=CHINA),
    )
    assert (failed.delivered, failed.error_code) == (False, "MK:0000")
    assert failed.correlation_id == "otp:17"


def test_a_tencent_batch_is_matched_by_the_serial_number_in_sid():
    delivered, failed = parse_tencent(body(TENCENT_BATCH))

    assert delivered == Receipt(
        provider="tencent",
        provider_message_id="2028:f825e6b16e23f73f4123",
        correlation_id="",
        delivered=True,
        error_code="",
        reported_at=datetime(2025, 3, 10, 9, 0, 4, tzinfo=CHINA),
    )
    assert (failed.delivered, failed.error_code) == (False, "MI:0013")


def test_a_generic_gateway_batch_carries_its_id_and_our_correlation_id():
    delivered, failed = parse_http(body(HTTP_BATCH))

    assert delivered.provider_message_id == "gw-1001"
    assert delivered.correlation_id == "otp:17"
    assert delivered.reported_at == datetime(2025, 3, 10, 9, 0, 5, tzinfo=CHINA)
    assert (failed.delivered, failed.error_code, failed.reported_at) == (
        False,
        "E42",
        None,
    )


def test_an_unreadable_report_time_leaves_the_time_empty_not_the_receipt():
    entry = {**ALIYUN_BATCH[0], "report_time": "yesterday"}

    [receipt] = parse_aliyun(body([entry]))

    assert receipt.reported_at is None
    assert receipt.delivered is True


@pytest.mark.parametrize("payload", [b"not json", b'"a string"', b"42", b"\xff\xfe"])
def test_a_body_that_is_not_a_batch_is_malformed(payload):
    with pytest.raises(ReceiptMalformed):
        parse_aliyun(payload)


def test_an_odd_entry_is_skipped_and_the_rest_of_the_batch_kept():
    receipts = parse_tencent(body(["junk", TENCENT_BATCH[0]]))

    assert [r.provider_message_id for r in receipts] == ["2028:f825e6b16e23f73f4123"]


# --- applying


def sent_row(**overrides):
    fields = {
        "status": Status.SENT,
        "provider": "aliyun",
        "provider_message_id": "900619746936498440^0",
        "dedupe_key": "appointment:42:booking_confirmed",
        "sent_at": timezone.now(),
    }
    return NotificationFactory(**{**fields, **overrides})


def receipt(**overrides) -> Receipt:
    fields = {
        "provider": "aliyun",
        "provider_message_id": "900619746936498440^0",
        "correlation_id": "appointment:42:booking_confirmed",
        "delivered": True,
        "error_code": "",
        "reported_at": datetime(2025, 3, 10, 9, 0, 5, tzinfo=CHINA),
    }
    return Receipt(**{**fields, **overrides})


def test_a_delivered_receipt_marks_the_row_delivered_at_the_reported_time():
    row = sent_row()

    changed = receipts_apply([receipt()])

    row.refresh_from_db()
    assert changed == 1
    assert row.status == Status.DELIVERED
    assert row.delivered_at == datetime(2025, 3, 10, 9, 0, 5, tzinfo=CHINA)


def test_a_failed_receipt_marks_the_row_failed_with_the_carriers_code():
    row = sent_row()

    receipts_apply([receipt(delivered=False, error_code="MK:0000")])

    row.refresh_from_db()
    assert (row.status, row.last_error) == (Status.FAILED, "MK:0000")


def test_a_receipt_without_a_time_is_delivered_now():
    row = sent_row()
    before = timezone.now()

    receipts_apply([receipt(reported_at=None)])

    row.refresh_from_db()
    assert row.delivered_at is not None
    assert row.delivered_at >= before


def test_a_repeated_receipt_changes_nothing():
    row = sent_row()
    receipts_apply([receipt()])
    row.refresh_from_db()
    first = (row.status, row.delivered_at, row.updated_at)

    changed = receipts_apply([receipt(reported_at=timezone.now())])

    row.refresh_from_db()
    assert changed == 0
    assert (row.status, row.delivered_at, row.updated_at) == first


def test_a_repeated_failure_changes_nothing():
    row = sent_row()
    receipts_apply([receipt(delivered=False, error_code="MK:0000")])
    row.refresh_from_db()
    updated_at = row.updated_at

    changed = receipts_apply([receipt(delivered=False, error_code="MK:0000")])

    row.refresh_from_db()
    assert changed == 0
    assert row.updated_at == updated_at


def test_a_late_failure_never_moves_a_delivered_row_back():
    row = sent_row()
    receipts_apply([receipt()])

    changed = receipts_apply([receipt(delivered=False, error_code="MK:0000")])

    row.refresh_from_db()
    assert changed == 0
    assert (row.status, row.last_error) == (Status.DELIVERED, "")


def test_a_send_that_timed_out_is_found_by_its_correlation_id():
    # The gateway took it but the answer never came: no provider id, retry pending.
    row = sent_row(
        status=Status.PENDING,
        provider_message_id="",
        send_at=timezone.now() + timedelta(minutes=1),
        last_error="aliyun:network",
    )

    changed = receipts_apply([receipt()])

    row.refresh_from_db()
    assert changed == 1
    assert row.status == Status.DELIVERED


def test_the_provider_id_wins_over_the_correlation_id():
    by_id = sent_row(dedupe_key="otp:1")
    by_key = sent_row(provider_message_id="other^0")

    receipts_apply([receipt()])

    by_id.refresh_from_db()
    by_key.refresh_from_db()
    assert by_id.status == Status.DELIVERED
    assert by_key.status == Status.SENT


def test_a_receipt_from_another_provider_matches_nothing():
    row = sent_row(provider="tencent")

    changed = receipts_apply([receipt()])

    row.refresh_from_db()
    assert changed == 0
    assert row.status == Status.SENT


def test_a_receipt_for_an_unknown_message_is_ignored_and_logged_with_ids_only(caplog):
    caplog.set_level(logging.INFO, logger="notifications.receipts")

    changed = receipts_apply(parse_aliyun(body([{**ALIYUN_BATCH[0], "out_id": ""}])))

    assert changed == 0
    [record] = caplog.records
    assert "900619746936498440^0" in record.getMessage()
    assert "1381111" not in record.getMessage()


# --- the endpoints


@pytest.fixture
def receipt_settings(settings):
    settings.SMS_RECEIPT_TOKEN = TOKEN
    settings.SMS_HTTP_SECRET = SECRET
    return settings


@pytest.fixture
def provider() -> Client:
    # A provider carries no CSRF token: the endpoints must not need one.
    return Client(enforce_csrf_checks=True)


def post(client: Client, url: str, data: bytes, headers: dict[str, str] | None = None):
    return client.post(url, data=data, content_type="application/json", headers=headers)


def signed(data: bytes, *, secret: str = SECRET) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {
        "X-Ankang-Timestamp": timestamp,
        "X-Ankang-Signature": sign(secret, timestamp, data),
    }


def test_the_aliyun_endpoint_applies_the_batch_and_acknowledges_it(
    receipt_settings, provider
):
    row = sent_row()

    response = post(provider, f"/sms/receipts/{TOKEN}/aliyun/", body(ALIYUN_BATCH))

    assert response.status_code == 200
    assert response.json() == {"code": 0, "msg": "接收成功"}
    row.refresh_from_db()
    assert row.status == Status.DELIVERED


def test_the_tencent_endpoint_applies_the_batch_and_acknowledges_it(
    receipt_settings, provider
):
    row = sent_row(provider="tencent", provider_message_id="2028:f825e6b16e23f73f4124")

    response = post(provider, f"/sms/receipts/{TOKEN}/tencent/", body(TENCENT_BATCH))

    assert response.status_code == 200
    assert response.json() == {"result": 0, "errmsg": "OK"}
    row.refresh_from_db()
    assert (row.status, row.last_error) == (Status.FAILED, "MI:0013")


def test_the_http_endpoint_accepts_a_signed_batch(receipt_settings, provider):
    row = sent_row(provider="http", provider_message_id="gw-1001", dedupe_key="otp:17")
    data = body(HTTP_BATCH)

    response = post(provider, f"/sms/receipts/{TOKEN}/http/", data, signed(data))

    assert response.status_code == 200
    row.refresh_from_db()
    assert row.status == Status.DELIVERED


def test_the_http_endpoint_refuses_an_unsigned_batch(receipt_settings, provider):
    row = sent_row(provider="http", provider_message_id="gw-1001")

    response = post(provider, f"/sms/receipts/{TOKEN}/http/", body(HTTP_BATCH))

    assert response.status_code == 403
    assert response.json()["code"] == "invalid_signature"
    row.refresh_from_db()
    assert row.status == Status.SENT


def test_the_http_endpoint_refuses_a_batch_signed_with_another_secret(
    receipt_settings, provider
):
    data = body(HTTP_BATCH)

    response = post(
        provider,
        f"/sms/receipts/{TOKEN}/http/",
        data,
        signed(data, secret="someone-else"),
    )

    assert response.status_code == 403


def test_the_http_endpoint_refuses_everything_when_no_secret_is_set(
    receipt_settings, provider
):
    data = body(HTTP_BATCH)
    headers = signed(data, secret="")
    receipt_settings.SMS_HTTP_SECRET = ""

    response = post(provider, f"/sms/receipts/{TOKEN}/http/", data, headers)

    assert response.status_code == 403


@pytest.mark.parametrize("endpoint", ["aliyun", "tencent", "http"])
def test_a_wrong_token_is_a_plain_404(receipt_settings, provider, endpoint):
    response = post(provider, f"/sms/receipts/wrong-token/{endpoint}/", b"[]")

    assert response.status_code == 404


@pytest.mark.parametrize("endpoint", ["aliyun", "tencent", "http"])
def test_the_endpoints_are_off_while_no_token_is_set(settings, provider, endpoint):
    settings.SMS_RECEIPT_TOKEN = ""

    response = post(provider, f"/sms/receipts//{endpoint}/", b"[]")
    response_with_any = post(provider, f"/sms/receipts/{TOKEN}/{endpoint}/", b"[]")

    assert response.status_code == 404
    assert response_with_any.status_code == 404


def test_the_endpoints_only_take_post(receipt_settings, provider):
    response = provider.get(f"/sms/receipts/{TOKEN}/aliyun/")

    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_malformed_json_is_a_400_with_a_code(receipt_settings, provider):
    response = post(provider, f"/sms/receipts/{TOKEN}/aliyun/", b"{not json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_receipt"
    assert response.json()["detail"]


def test_a_repeated_push_is_acknowledged_and_changes_nothing(
    receipt_settings, provider
):
    row = sent_row()
    post(provider, f"/sms/receipts/{TOKEN}/aliyun/", body(ALIYUN_BATCH))
    row.refresh_from_db()
    first = (row.status, row.delivered_at, row.updated_at)

    response = post(provider, f"/sms/receipts/{TOKEN}/aliyun/", body(ALIYUN_BATCH))

    row.refresh_from_db()
    assert response.status_code == 200
    assert (row.status, row.delivered_at, row.updated_at) == first
