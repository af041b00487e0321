"""Alibaba Cloud SMS (dysms, API 2017-05-25) through the official SDK.

The request is built and the answer classified in plain functions, so both can be
checked against the SDK's own objects without a network.
"""

import json
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from alibabacloud_dysmsapi20170525 import models as dysms
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi.exceptions import ThrottlingException
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions
from django.conf import settings
from django.utils import timezone
from Tea.exceptions import TeaException, UnretryableException

from notifications.backends.base import (
    DeliveryStatus,
    MessageNotSendable,
    OutgoingMessage,
    SendResult,
    mainland_number,
    ordered_params,
    required_setting,
)
from notifications.models import MessageTemplate

NAME = "aliyun"
# Send dates and receipt times are Beijing time whatever the server's zone.
CHINA = ZoneInfo("Asia/Shanghai")

# Named, because anything not listed here is treated as permanent.
TRANSIENT_CODES = frozenset(
    {
        # Per-number rate limit (1/min, 5/h for codes): passes within the backoff.
        "isv.BUSINESS_LIMIT_CONTROL",
        "Throttling",
        "Throttling.User",
        "Throttling.Api",
        "ServiceUnavailable",
        "InternalError",
        "SignatureNonceUsed",
    }
)
# isp.* is the platform's own trouble and usually passes, except these two,
# which need a person (permissions, an unpaid account).
PERMANENT_ISP_CODES = frozenset({"isp.RAM_PERMISSION_DENY", "isp.OUT_OF_SERVICE"})

# QuerySendDetails SendStatus values.
_WAITING, _FAILED, _DELIVERED = 1, 2, 3
_QUERY_PAGE_SIZE = 50


def build_send_request(
    message: OutgoingMessage, template: MessageTemplate | None
) -> dysms.SendSmsRequest:
    """The SendSms request for one message; MessageNotSendable when it cannot go."""
    if template is None or not template.aliyun_template_code:
        raise MessageNotSendable("template_missing")
    names = list(template.param_names or [])
    values = ordered_params(message, names)
    return dysms.SendSmsRequest(
        phone_numbers=mainland_number(message.phone),
        sign_name=settings.SMS_SIGN_NAME,
        template_code=template.aliyun_template_code,
        # A JSON string whose values are all strings: a number is rejected with
        # isv.INVALID_JSON_PARAM.
        template_param=(
            json.dumps(dict(zip(names, values, strict=True)), ensure_ascii=False)
            if names
            else None
        ),
        out_id=message.correlation_id,
    )


def error_is_transient(code: str) -> bool:
    if code in TRANSIENT_CODES or code.startswith("Throttling"):
        return True
    return code.startswith("isp.") and code not in PERMANENT_ISP_CODES


def classify_response(body: dysms.SendSmsResponseBody) -> SendResult:
    """SendSms answers HTTP 200 for business errors too; only Code "OK" is sent."""
    code = body.code or ""
    if code == "OK":
        return SendResult(accepted=True, provider_message_id=body.biz_id or "")
    return SendResult(
        accepted=False,
        error=f"{NAME}:{code or 'no_code'}",
        transient=error_is_transient(code),
    )


def classify_error(exc: TeaException) -> SendResult:
    """An exception from the SDK. A response error carries the provider's code; any
    other (a timeout, a refused connection, a garbled answer) reaches us wrapped
    in UnretryableException and may pass."""
    if isinstance(exc, UnretryableException) and not isinstance(
        exc.inner_exception, TeaException
    ):
        return SendResult(accepted=False, error=f"{NAME}:network", transient=True)
    code = str(exc.code or "")
    status = getattr(exc, "status_code", None) or getattr(exc, "statusCode", None)
    if isinstance(exc, ThrottlingException) or (status and int(status) >= 500):
        return SendResult(
            accepted=False, error=f"{NAME}:{code or status}", transient=True
        )
    return SendResult(
        accepted=False,
        error=f"{NAME}:{code or 'error'}",
        transient=error_is_transient(code),
    )


def build_query_request(
    *, phone: str, sent_at: datetime | None, provider_message_id: str = ""
) -> dysms.QuerySendDetailsRequest:
    """QuerySendDetails looks messages up by number and Beijing day; the BizId,
    when we have one, narrows it to one send."""
    day = (sent_at or timezone.now()).astimezone(CHINA).strftime("%Y%m%d")
    return dysms.QuerySendDetailsRequest(
        phone_number=mainland_number(phone),
        send_date=day,
        page_size=_QUERY_PAGE_SIZE,
        current_page=1,
        biz_id=provider_message_id or None,
    )


def status_from_details(
    body: dysms.QuerySendDetailsResponseBody,
    *,
    correlation_id: str,
    provider_message_id: str = "",
) -> DeliveryStatus:
    if body.code != "OK":
        return "unknown"
    dtos = body.sms_send_detail_dtos
    details = (dtos.sms_send_detail_dto if dtos else None) or []
    # With a BizId the query returns only that send; without one, OutId finds ours.
    ours = [
        detail
        for detail in details
        if provider_message_id or detail.out_id == correlation_id
    ]
    if not ours:
        complete = int(body.total_count or 0) <= len(details)
        return "not_found" if complete else "unknown"
    statuses = {int(detail.send_status or 0) for detail in ours}
    if _DELIVERED in statuses:
        return "delivered"
    if statuses == {_FAILED}:
        return "failed"
    # Taken and waiting for the carrier's receipt: it exists, so never resend.
    return "unknown"


def runtime_options() -> RuntimeOptions:
    timeout_ms = settings.SMS_SEND_TIMEOUT_SECONDS * 1000
    # No retries inside the SDK: the provider does not de-duplicate, so a retry is
    # the outbox's decision, taken after asking whether the first one arrived.
    return RuntimeOptions(
        autoretry=False,
        max_attempts=1,
        connect_timeout=timeout_ms,
        read_timeout=timeout_ms,
    )


@lru_cache(maxsize=4)
def _client(access_key_id: str, access_key_secret: str, endpoint: str) -> Client:
    # Cached per credentials: building a client sets up a credentials provider.
    return Client(
        Config(
            access_key_id=access_key_id,
            access_key_secret=access_key_secret,
            endpoint=endpoint,
        )
    )


class AliyunBackend:
    name = NAME

    def __init__(self, *, client: Client | None = None) -> None:
        # `client` stands in for the one built from settings, e.g. one that talks
        # plain HTTP to a local stand-in of the API.
        self.client = client
        self.access_key_id = required_setting("ALIYUN_ACCESS_KEY_ID", NAME)
        self.access_key_secret = required_setting("ALIYUN_ACCESS_KEY_SECRET", NAME)
        self.endpoint = required_setting("ALIYUN_SMS_ENDPOINT", NAME)
        required_setting("SMS_SIGN_NAME", NAME)

    def _sdk(self) -> Client:
        if self.client is not None:
            return self.client
        return _client(self.access_key_id, self.access_key_secret, self.endpoint)

    def send(self, message: OutgoingMessage) -> SendResult:
        template = MessageTemplate.objects.filter(kind=message.kind).first()
        try:
            request = build_send_request(message, template)
        except MessageNotSendable as exc:
            return SendResult(accepted=False, error=f"{NAME}:{exc.code}")
        try:
            response = self._sdk().send_sms_with_options(request, runtime_options())
        except TeaException as exc:
            return classify_error(exc)
        return classify_response(response.body)

    def query_status(
        self,
        correlation_id: str,
        provider_message_id: str = "",
        *,
        phone: str = "",
        sent_at: datetime | None = None,
    ) -> DeliveryStatus:
        """Ask QuerySendDetails. It needs the number and the Beijing day of the send
        (`sent_at`); without a number the answer is "unknown". A send appears there
        a few seconds after it is taken, so ask a while after the timeout."""
        if not phone:
            return "unknown"
        try:
            request = build_query_request(
                phone=phone, sent_at=sent_at, provider_message_id=provider_message_id
            )
            response = self._sdk().query_send_details_with_options(
                request, runtime_options()
            )
        except (MessageNotSendable, TeaException):
            return "unknown"
        return status_from_details(
            response.body,
            correlation_id=correlation_id,
            provider_message_id=provider_message_id,
        )
