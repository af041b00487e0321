"""The Tencent Cloud SMS adapter: the SDK's own request objects, the answers'
classification, and the whole path through the real SDK to a local stand-in."""

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models
from tencentcloud.sms.v20210111.sms_client import SmsClient

from notifications.backends.base import MessageNotSendable, OutgoingMessage
from notifications.backends.tencent import (
    TencentBackend,
    _client,
    build_send_request,
    build_status_request,
    classify_error,
    classify_response,
    status_from_pull,
)
from notifications.models import Kind, MessageTemplate

pytestmark = pytest.mark.django_db

SIGN_NAME = "安康筛查"
APP_ID = "1400787878"
TEMPLATE_ID = "2071234"
SERIAL_NO = "2028:f825e6b16e23f73f4123"


@pytest.fixture
def gateway_settings(settings):
    settings.SMS_SIGN_NAME = SIGN_NAME
    settings.TENCENT_SECRET_ID = "AKIDtestonlysecretid"
    settings.TENCENT_SECRET_KEY = "test-only-secret-key"
    settings.TENCENT_SMS_APP_ID = APP_ID
    settings.TENCENT_SMS_REGION = "ap-guangzhou"
    settings.SMS_SEND_TIMEOUT_SECONDS = 10
    return settings


@pytest.fixture
def template(gateway_settings) -> MessageTemplate:
    template = MessageTemplate.objects.get(kind=Kind.BOOKING_CONFIRMED)
    template.tencent_template_id = TEMPLATE_ID
    template.param_names = ["date", "time", "site", "reference"]
    template.save()
    return template


def booking_message(**overrides) -> OutgoingMessage:
    fields = {
        "phone": "13800138000",
        "kind": Kind.BOOKING_CONFIRMED,
        "template_key": Kind.BOOKING_CONFIRMED,
        # Deliberately not in the template's order.
        "params": {
            "reference": 42,
            "site": "市妇幼保健院",
            "time": "09:30",
            "date": "3月12日",
        },
        "text": "您已预约……",
        "correlation_id": "appointment:42:booking_confirmed",
    }
    return OutgoingMessage(**{**fields, **overrides})


def send_response(*statuses: dict) -> models.SendSmsResponse:
    response = models.SendSmsResponse()
    response._deserialize(
        {"SendStatusSet": list(statuses), "RequestId": "a0aabda6-cf91-4f3e-a81f"}
    )
    return response


def send_status(code: str, serial_no: str = "") -> dict:
    return {
        "SerialNo": serial_no,
        "PhoneNumber": "+8613800138000",
        "Fee": 1 if code == "Ok" else 0,
        "SessionContext": "appointment:42:booking_confirmed",
        "Code": code,
        "Message": "send success" if code == "Ok" else "…",
        "IsoCode": "CN",
    }


# --- the request


def test_the_send_request_carries_app_sign_template_and_session_context(template):
    request = build_send_request(booking_message(), template)

    assert isinstance(request, models.SendSmsRequest)
    assert request.SmsSdkAppId == APP_ID
    assert request.SignName == SIGN_NAME
    assert request.TemplateId == TEMPLATE_ID
    assert request.SessionContext == "appointment:42:booking_confirmed"


def test_the_phone_goes_out_in_e164_with_the_86_prefix(template):
    request = build_send_request(booking_message(phone="13800138000"), template)

    assert request.PhoneNumberSet == ["+8613800138000"]


def test_template_parameters_are_strings_in_the_templates_order(template):
    request = build_send_request(booking_message(), template)

    assert request.TemplateParamSet == ["3月12日", "09:30", "市妇幼保健院", "42"]


def test_the_request_serialises_to_the_documented_sendsms_parameters(template):
    request = build_send_request(booking_message(), template)

    assert request._serialize() == {
        "PhoneNumberSet": ["+8613800138000"],
        "SmsSdkAppId": APP_ID,
        "SignName": SIGN_NAME,
        "TemplateId": TEMPLATE_ID,
        "TemplateParamSet": ["3月12日", "09:30", "市妇幼保健院", "42"],
        "SessionContext": "appointment:42:booking_confirmed",
    }


def test_a_kind_without_a_tencent_template_id_cannot_be_sent(gateway_settings):
    template = MessageTemplate.objects.get(kind=Kind.BOOKING_CONFIRMED)

    with pytest.raises(MessageNotSendable):
        build_send_request(booking_message(), template)


def test_sending_with_no_template_fails_permanently_before_calling_the_gateway(
    gateway_settings,
):
    result = TencentBackend().send(booking_message())

    assert (result.accepted, result.transient) == (False, False)
    assert result.error == "tencent:template_missing"


def test_the_sdk_client_times_out_after_the_send_timeout_setting():
    client = _client("AKIDtestonlysecretid", "test-only-secret-key", "ap-guangzhou", 7)

    assert client.profile.httpProfile.reqTimeout == 7


# --- the answer


def test_code_ok_is_accepted_with_the_serial_number_as_the_provider_id():
    result = classify_response(send_response(send_status("Ok", SERIAL_NO)))

    assert result.accepted is True
    assert result.provider_message_id == SERIAL_NO


@pytest.mark.parametrize(
    "code",
    [
        "LimitExceeded.PhoneNumberThirtySecondLimit",
        "LimitExceeded.PhoneNumberOneHourLimit",
        "InternalError.Timeout",
        "InternalError.SendAndRecvFail",
    ],
)
def test_frequency_limits_and_internal_errors_for_the_number_are_transient(code):
    result = classify_response(send_response(send_status(code)))

    assert (result.accepted, result.transient) == (False, True)
    assert result.error == f"tencent:{code}"


@pytest.mark.parametrize(
    "code",
    [
        "InvalidParameterValue.IncorrectPhoneNumber",
        "InvalidParameterValue.TemplateParameterFormatError",
        "FailedOperation.TemplateIncorrectOrUnapproved",
        "FailedOperation.SignatureIncorrectOrUnapproved",
        "FailedOperation.PhoneNumberInBlacklist",
        "FailedOperation.InsufficientBalanceInSmsPackage",
        "LimitExceeded.PhoneNumberCountLimit",
        "a.code.nobody.has.seen.yet",
    ],
)
def test_template_sign_and_phone_errors_for_the_number_are_permanent(code):
    result = classify_response(send_response(send_status(code)))

    assert (result.accepted, result.transient) == (False, False)


def test_an_answer_without_a_status_is_transient_so_the_retry_asks_first():
    result = classify_response(send_response())

    assert (result.accepted, result.transient) == (False, True)


@pytest.mark.parametrize(
    ("code", "transient"),
    [
        ("ClientNetworkError", True),
        ("ServerNetworkError", True),
        ("RequestLimitExceeded", True),
        ("InternalError", True),
        ("AuthFailure.SignatureFailure", False),
        ("InvalidParameterValue.SdkAppIdNotExist", False),
        ("UnauthorizedOperation.SmsSdkAppIdVerifyFail", False),
        ("InternalError.SigVerificationFail", False),
    ],
)
def test_request_level_errors_are_classified_by_their_code(code, transient):
    result = classify_error(TencentCloudSDKException(code, "…", "req-1"))

    assert (result.accepted, result.transient) == (False, transient)


# --- configuration


@pytest.mark.parametrize(
    "name",
    [
        "TENCENT_SECRET_ID",
        "TENCENT_SECRET_KEY",
        "TENCENT_SMS_APP_ID",
        "TENCENT_SMS_REGION",
        "SMS_SIGN_NAME",
    ],
)
def test_choosing_tencent_without_a_setting_names_the_variable(gateway_settings, name):
    setattr(gateway_settings, name, "")

    with pytest.raises(ImproperlyConfigured, match=name):
        TencentBackend()


# --- status queries


def test_the_status_query_pulls_this_numbers_receipts_since_the_send(
    gateway_settings,
):
    sent_at = timezone.now() - timedelta(minutes=10)

    request = build_status_request(phone="13800138000", sent_at=sent_at)

    assert request.PhoneNumber == "+8613800138000"
    assert request.SmsSdkAppId == APP_ID
    assert request.BeginTime == int((sent_at - timedelta(minutes=1)).timestamp())
    assert request.EndTime > request.BeginTime
    assert request.Limit == 100


def pulled(*items: dict) -> models.PullSmsSendStatusByPhoneNumberResponse:
    response = models.PullSmsSendStatusByPhoneNumberResponse()
    response._deserialize({"PullSmsSendStatusSet": list(items), "RequestId": "r-1"})
    return response


def report(serial_no: str, status: str, context: str = "") -> dict:
    return {
        "UserReceiveTime": 1741568405,
        "CountryCode": "86",
        "SubscriberNumber": "13800138000",
        "PhoneNumber": "+8613800138000",
        "SerialNo": serial_no,
        "ReportStatus": status,
        "Description": "DELIVRD",
        "SessionContext": context,
    }


def test_a_success_report_for_our_serial_number_is_delivered():
    response = pulled(report("other", "FAIL"), report(SERIAL_NO, "SUCCESS"))

    assert status_from_pull(
        response, correlation_id="x", provider_message_id=SERIAL_NO
    ) == ("delivered")


def test_a_fail_report_for_our_session_context_is_failed():
    response = pulled(report("2028:1", "FAIL", context="otp:9"))

    assert status_from_pull(response, correlation_id="otp:9") == "failed"


def test_no_report_is_unknown_never_not_found():
    # Tencent lists receipts, not sends: the message may be on its way.
    response = pulled(report("other", "SUCCESS", context="otp:1"))

    assert status_from_pull(response, correlation_id="otp:9") == "unknown"


# --- the whole path through the SDK, to a stand-in on this machine


class StandIn:
    """A local stand-in of the SMS API: records each request, answers as told."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        self.answer: dict = {}
        self.delay = 0.0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length))
                payload["Action"] = self.headers.get("X-TC-Action", "")
                stand_in.requests.append(payload)
                time.sleep(stand_in.delay)
                body = json.dumps({"Response": stand_in.answer}).encode()
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

    def client(self, timeout: int = 10) -> SmsClient:
        profile = ClientProfile(
            httpProfile=HttpProfile(
                protocol="http",
                endpoint=f"127.0.0.1:{self.server.server_port}",
                reqTimeout=timeout,
            )
        )
        return SmsClient(
            Credential("AKIDtestonlysecretid", "test-only-secret-key"),
            "ap-guangzhou",
            profile,
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


def test_a_send_through_the_sdk_reaches_the_api_and_records_the_serial_number(
    template, stand_in
):
    stand_in.answer = {
        "SendStatusSet": [send_status("Ok", SERIAL_NO)],
        "RequestId": "a0aabda6",
    }

    result = TencentBackend(client=stand_in.client()).send(booking_message())

    assert result.accepted is True
    assert result.provider_message_id == SERIAL_NO
    [sent] = stand_in.requests
    assert sent["Action"] == "SendSms"
    assert sent["PhoneNumberSet"] == ["+8613800138000"]
    assert sent["TemplateParamSet"] == ["3月12日", "09:30", "市妇幼保健院", "42"]
    assert sent["SessionContext"] == "appointment:42:booking_confirmed"


def test_a_request_level_error_from_the_api_is_classified_by_its_code(
    template, stand_in
):
    stand_in.answer = {
        "Error": {"Code": "RequestLimitExceeded", "Message": "…"},
        "RequestId": "a0aabda6",
    }

    result = TencentBackend(client=stand_in.client()).send(booking_message())

    assert (result.accepted, result.transient) == (False, True)
    assert result.error == "tencent:RequestLimitExceeded"


def test_an_answer_slower_than_the_timeout_is_transient_and_not_retried(
    template, stand_in
):
    stand_in.delay = 1.5
    stand_in.answer = {"SendStatusSet": [send_status("Ok", SERIAL_NO)]}

    result = TencentBackend(client=stand_in.client(timeout=1)).send(booking_message())

    assert (result.accepted, result.transient) == (False, True)
    assert result.error == "tencent:ClientNetworkError"
    assert len(stand_in.requests) == 1


def test_the_status_query_goes_through_the_sdk(template, stand_in):
    stand_in.answer = {
        "PullSmsSendStatusSet": [report(SERIAL_NO, "SUCCESS")],
        "RequestId": "r-1",
    }

    status = TencentBackend(client=stand_in.client()).query_status(
        "appointment:42:booking_confirmed", SERIAL_NO, phone="13800138000"
    )

    assert status == "delivered"
    assert stand_in.requests[0]["Action"] == "PullSmsSendStatusByPhoneNumber"
