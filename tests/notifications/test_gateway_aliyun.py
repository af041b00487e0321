"""The Alibaba Cloud SMS adapter: the SDK's own request objects, the answers'
classification, and the whole path through the real SDK to a local stand-in."""

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from alibabacloud_dysmsapi20170525 import models as dysms
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi.exceptions import (
    ClientException,
    ServerException,
    ThrottlingException,
)
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.exceptions import RetryError, UnretryableException
from darabonba.policy.retry import RetryPolicyContext
from django.core.exceptions import ImproperlyConfigured

from notifications.backends.aliyun import (
    AliyunBackend,
    build_query_request,
    build_send_request,
    classify_error,
    classify_response,
    runtime_options,
    status_from_details,
)
from notifications.backends.base import MessageNotSendable, OutgoingMessage
from notifications.models import Kind, MessageTemplate

pytestmark = pytest.mark.django_db

SIGN_NAME = "安康筛查"
TEMPLATE_CODE = "SMS_465380123"


@pytest.fixture
def gateway_settings(settings):
    settings.SMS_SIGN_NAME = SIGN_NAME
    settings.ALIYUN_ACCESS_KEY_ID = "LTAI5tTestOnlyKeyId"
    settings.ALIYUN_ACCESS_KEY_SECRET = "test-only-access-key-secret"
    settings.ALIYUN_SMS_ENDPOINT = "dysmsapi.aliyuncs.com"
    settings.SMS_SEND_TIMEOUT_SECONDS = 10
    return settings


@pytest.fixture
def template(gateway_settings) -> MessageTemplate:
    template = MessageTemplate.objects.get(kind=Kind.BOOKING_CONFIRMED)
    template.aliyun_template_code = TEMPLATE_CODE
    template.param_names = ["date", "time", "site", "reference"]
    template.save()
    return template


def booking_message(**overrides) -> OutgoingMessage:
    fields = {
        "phone": "13800138000",
        "kind": Kind.BOOKING_CONFIRMED,
        "template_key": Kind.BOOKING_CONFIRMED,
        "params": {
            "site": "市妇幼保健院",
            "reference": 42,
            "date": "3月12日",
            "time": "09:30",
        },
        "text": "您已预约……",
        "correlation_id": "appointment:42:booking_confirmed",
    }
    return OutgoingMessage(**{**fields, **overrides})


# --- the request


def test_the_send_request_carries_sign_name_template_code_and_correlation_id(
    template,
):
    request = build_send_request(booking_message(), template)

    assert isinstance(request, dysms.SendSmsRequest)
    assert request.sign_name == SIGN_NAME
    assert request.template_code == TEMPLATE_CODE
    assert request.out_id == "appointment:42:booking_confirmed"
    assert request.phone_numbers == "13800138000"


def test_template_parameters_are_a_json_string_whose_values_are_all_strings(
    template,
):
    request = build_send_request(booking_message(), template)

    assert json.loads(request.template_param) == {
        "date": "3月12日",
        "time": "09:30",
        "site": "市妇幼保健院",
        "reference": "42",
    }
    assert "市妇幼保健院" in request.template_param


def test_the_request_maps_to_the_documented_sendsms_parameters(template):
    request = build_send_request(booking_message(phone="+8613800138000"), template)

    assert request.to_map() == {
        "PhoneNumbers": "13800138000",
        "SignName": SIGN_NAME,
        "TemplateCode": TEMPLATE_CODE,
        "TemplateParam": request.template_param,
        "OutId": "appointment:42:booking_confirmed",
    }


def test_a_template_without_parameters_sends_no_template_param(gateway_settings):
    template = MessageTemplate.objects.get(kind=Kind.RESULT_READY)
    template.aliyun_template_code = "SMS_465380999"
    template.save()
    message = booking_message(kind=Kind.RESULT_READY, params={})

    request = build_send_request(message, template)

    assert request.template_param is None


def test_a_kind_without_an_aliyun_template_code_cannot_be_sent(gateway_settings):
    template = MessageTemplate.objects.get(kind=Kind.BOOKING_CONFIRMED)

    with pytest.raises(MessageNotSendable) as raised:
        build_send_request(booking_message(), template)

    assert raised.value.code == "template_missing"


def test_a_parameter_the_message_lacks_cannot_be_sent(template):
    message = booking_message(params={"date": "3月12日"})

    with pytest.raises(MessageNotSendable) as raised:
        build_send_request(message, template)

    assert raised.value.code == "template_param_missing"


def test_sending_with_no_template_fails_permanently_before_calling_the_gateway(
    gateway_settings,
):
    result = AliyunBackend().send(booking_message())

    assert result.accepted is False
    assert result.transient is False
    assert result.error == "aliyun:template_missing"


def test_sending_to_a_number_that_is_not_a_mainland_mobile_fails_permanently(
    template,
):
    result = AliyunBackend().send(booking_message(phone="12345"))

    assert (result.accepted, result.transient) == (False, False)
    assert result.error == "aliyun:invalid_phone"


def test_sdk_timeouts_come_from_the_send_timeout_setting(gateway_settings):
    gateway_settings.SMS_SEND_TIMEOUT_SECONDS = 7

    options = runtime_options()

    assert options.read_timeout == 7000
    assert options.connect_timeout == 7000
    assert options.autoretry is False


# --- the answer


def test_code_ok_is_accepted_with_the_biz_id_as_the_provider_id():
    body = dysms.SendSmsResponseBody().from_map(
        {
            "Code": "OK",
            "Message": "OK",
            "BizId": "900619746936498440^0",
            "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990",
        }
    )

    result = classify_response(body)

    assert result.accepted is True
    assert result.provider_message_id == "900619746936498440^0"


@pytest.mark.parametrize(
    "code",
    [
        "isv.BUSINESS_LIMIT_CONTROL",
        "isp.SYSTEM_ERROR",
        "Throttling.User",
        "ServiceUnavailable",
    ],
)
def test_throttling_and_platform_errors_are_transient(code):
    body = dysms.SendSmsResponseBody().from_map({"Code": code, "Message": "…"})

    result = classify_response(body)

    assert (result.accepted, result.transient) == (False, True)
    assert result.error == f"aliyun:{code}"


@pytest.mark.parametrize(
    "code",
    [
        "isv.MOBILE_NUMBER_ILLEGAL",
        "isv.INVALID_PARAMETERS",
        "isv.INVALID_JSON_PARAM",
        "isv.SMS_TEMPLATE_ILLEGAL",
        "isv.SMS_SIGNATURE_ILLEGAL",
        "isv.TEMPLATE_MISSING_PARAMETERS",
        "isv.DAY_LIMIT_CONTROL",
        "isv.AMOUNT_NOT_ENOUGH",
        "isp.RAM_PERMISSION_DENY",
        "a.code.nobody.has.seen.yet",
    ],
)
def test_number_parameter_template_and_sign_errors_are_permanent(code):
    body = dysms.SendSmsResponseBody().from_map({"Code": code, "Message": "…"})

    result = classify_response(body)

    assert (result.accepted, result.transient) == (False, False)


def test_a_server_error_from_the_sdk_is_transient():
    exc = ServerException(status_code=503, code="ServiceUnavailable", message="…")

    assert classify_error(exc).transient is True


def test_throttling_from_the_sdk_is_transient():
    exc = ThrottlingException(status_code=400, code="Throttling.User", retry_after=2)

    assert classify_error(exc).transient is True


def test_a_client_error_from_the_sdk_is_permanent():
    exc = ClientException(status_code=400, code="isv.SMS_SIGNATURE_ILLEGAL")

    result = classify_error(exc)

    assert (result.transient, result.error) == (
        False,
        "aliyun:isv.SMS_SIGNATURE_ILLEGAL",
    )


def test_bad_credentials_are_permanent():
    exc = ClientException(status_code=404, code="InvalidAccessKeyId.NotFound")

    assert classify_error(exc).transient is False


def test_a_network_failure_wrapped_by_the_sdk_is_transient():
    context = RetryPolicyContext(
        retries_attempted=1, exception=RetryError("Read timed out.")
    )

    result = classify_error(UnretryableException(context))

    assert (result.transient, result.error) == (True, "aliyun:network")


# --- configuration


@pytest.mark.parametrize(
    "name",
    [
        "ALIYUN_ACCESS_KEY_ID",
        "ALIYUN_ACCESS_KEY_SECRET",
        "ALIYUN_SMS_ENDPOINT",
        "SMS_SIGN_NAME",
    ],
)
def test_choosing_aliyun_without_a_setting_names_the_variable(gateway_settings, name):
    setattr(gateway_settings, name, "")

    with pytest.raises(ImproperlyConfigured, match=name):
        AliyunBackend()


# --- status queries


def test_the_status_query_asks_for_the_number_on_the_beijing_day_of_the_send(
    gateway_settings,
):
    # 23:30 UTC is already the next morning in Beijing.
    sent_at = datetime.fromisoformat("2025-03-10T23:30:00+00:00")

    request = build_query_request(
        phone="+8613800138000", sent_at=sent_at, provider_message_id="900619^0"
    )

    assert isinstance(request, dysms.QuerySendDetailsRequest)
    assert request.to_map() == {
        "PhoneNumber": "13800138000",
        "SendDate": "20250311",
        "PageSize": 50,
        "CurrentPage": 1,
        "BizId": "900619^0",
    }


def details(
    *dtos: dict, total: int | None = None
) -> dysms.QuerySendDetailsResponseBody:
    """A QuerySendDetails answer in the documented shape."""
    return dysms.QuerySendDetailsResponseBody().from_map(
        {
            "Code": "OK",
            "Message": "OK",
            "RequestId": "819BE656-D2E0-4858-8B21-B2E477085AAF",
            "TotalCount": len(dtos) if total is None else total,
            "SmsSendDetailDTOs": {"SmsSendDetailDTO": list(dtos)},
        }
    )


def dto(out_id: str, send_status: int, err_code: str) -> dict:
    return {
        "PhoneNum": "1380013****",
        "SendStatus": send_status,
        "ErrCode": err_code,
        "TemplateCode": TEMPLATE_CODE,
        "Content": "【安康筛查】您已预约……",
        "SendDate": "2025-03-10 09:00:01",
        "ReceiveDate": "2025-03-10 09:00:05",
        "OutId": out_id,
    }


@pytest.mark.parametrize(
    ("send_status", "err_code", "expected"),
    [(3, "DELIVERED", "delivered"), (2, "MK:0001", "failed"), (1, "", "unknown")],
)
def test_the_status_of_our_send_is_read_from_its_out_id(
    send_status, err_code, expected
):
    body = details(dto("otp:7", 3, "DELIVERED"), dto("otp:8", send_status, err_code))

    assert status_from_details(body, correlation_id="otp:8") == expected


def test_a_send_the_gateway_never_took_is_not_found():
    body = details(dto("otp:7", 3, "DELIVERED"))

    assert status_from_details(body, correlation_id="otp:8") == "not_found"


def test_an_incomplete_listing_is_never_read_as_not_found():
    body = details(dto("otp:7", 3, "DELIVERED"), total=120)

    assert status_from_details(body, correlation_id="otp:8") == "unknown"


def test_an_error_answer_to_the_status_query_is_unknown():
    body = dysms.QuerySendDetailsResponseBody().from_map(
        {"Code": "isv.INVALID_PARAMETERS", "Message": "…"}
    )

    assert status_from_details(body, correlation_id="otp:8") == "unknown"


# --- the whole path through the SDK, to a stand-in on this machine


class StandIn:
    """A local stand-in of the dysms API: records each request, answers as told."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.status = 200
        self.answer: dict = {}
        self.delay = 0.0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                query = parse_qs(urlparse(self.path).query)
                recorded = {key: value[0] for key, value in query.items()}
                recorded["Action"] = self.headers.get("x-acs-action", "")
                stand_in.requests.append(recorded)
                time.sleep(stand_in.delay)
                body = json.dumps(stand_in.answer).encode()
                self.send_response(stand_in.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                # The client may have given up waiting (the timeout test).
                with contextlib.suppress(ConnectionError):
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def client(self) -> Client:
        return Client(
            Config(
                access_key_id="LTAI5tTestOnlyKeyId",
                access_key_secret="test-only-access-key-secret",
                endpoint=f"127.0.0.1:{self.server.server_port}",
                protocol="HTTP",
            )
        )


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    stand_in = StandIn()
    thread = threading.Thread(
        target=stand_in.server.serve_forever, args=(0.05,), daemon=True
    )
    thread.start()
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()


def test_a_send_through_the_sdk_reaches_the_api_and_records_the_biz_id(
    template, stand_in
):
    stand_in.answer = {
        "Code": "OK",
        "Message": "OK",
        "BizId": "900619746936498440^0",
        "RequestId": "F655A8D5",
    }

    result = AliyunBackend(client=stand_in.client()).send(booking_message())

    assert result.accepted is True
    assert result.provider_message_id == "900619746936498440^0"
    [sent] = stand_in.requests
    assert sent["Action"] == "SendSms"
    assert sent["PhoneNumbers"] == "13800138000"
    assert sent["SignName"] == SIGN_NAME
    assert sent["TemplateCode"] == TEMPLATE_CODE
    assert sent["OutId"] == "appointment:42:booking_confirmed"
    assert json.loads(sent["TemplateParam"])["reference"] == "42"


def test_a_business_limit_answered_with_http_200_is_transient(template, stand_in):
    stand_in.answer = {
        "Code": "isv.BUSINESS_LIMIT_CONTROL",
        "Message": "触发分钟级流控",
    }

    result = AliyunBackend(client=stand_in.client()).send(booking_message())

    assert (result.accepted, result.transient) == (False, True)


def test_a_503_from_the_api_is_transient(template, stand_in):
    stand_in.status = 503
    stand_in.answer = {"Code": "ServiceUnavailable", "Message": "…"}

    result = AliyunBackend(client=stand_in.client()).send(booking_message())

    assert (result.accepted, result.transient) == (False, True)


def test_a_rejected_signature_from_the_api_is_permanent(template, stand_in):
    stand_in.status = 400
    stand_in.answer = {"Code": "isv.SMS_SIGNATURE_ILLEGAL", "Message": "…"}

    result = AliyunBackend(client=stand_in.client()).send(booking_message())

    assert (result.accepted, result.transient) == (False, False)
    assert len(stand_in.requests) == 1


def test_an_answer_slower_than_the_send_timeout_is_transient_and_not_retried(
    template, gateway_settings, stand_in
):
    gateway_settings.SMS_SEND_TIMEOUT_SECONDS = 1
    stand_in.delay = 1.5
    stand_in.answer = {"Code": "OK", "BizId": "1^0"}

    result = AliyunBackend(client=stand_in.client()).send(booking_message())

    assert (result.accepted, result.transient) == (False, True)
    assert len(stand_in.requests) == 1


def test_the_status_query_goes_through_the_sdk(template, stand_in):
    stand_in.answer = {
        "Code": "OK",
        "TotalCount": 1,
        "SmsSendDetailDTOs": {
            "SmsSendDetailDTO": [
                dto("appointment:42:booking_confirmed", 3, "DELIVERED")
            ]
        },
    }

    status = AliyunBackend(client=stand_in.client()).query_status(
        "appointment:42:booking_confirmed", phone="13800138000"
    )

    assert status == "delivered"
    assert stand_in.requests[0]["Action"] == "QuerySendDetails"


def test_a_status_query_without_a_phone_is_unknown(gateway_settings):
    assert AliyunBackend().query_status("otp:1", "1^0") == "unknown"
