"""Alibaba Cloud voice service (dyvms, API 2017-05-25): SingleCallByTts and
QueryCallDetailByCallId through the official SDK (alibabacloud-dyvmsapi20170525,
part of the `aliyun` extra, as the SMS adapter's SDK is).

The endpoint is a setting (scheme and host), so the tests point the SDK at a
local server answering as the service does. Calls ring only within the allowed
hours: the outbox keeps them out of 12-14 h, 21-09 h and our quiet hours
(timing.voice_call_at).
"""

import json
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urlsplit

import requests
from alibabacloud_dyvmsapi20170525 import models as dyvms
from alibabacloud_dyvmsapi20170525.client import Client
from alibabacloud_tea_openapi.exceptions import ThrottlingException
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.exceptions import RetryError
from darabonba.runtime import RuntimeOptions
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from Tea.exceptions import TeaException, UnretryableException

from notifications.backends.base import (
    DeliveryStatus,
    MessageNotSendable,
    OutgoingMessage,
    SendResult,
    mainland_number,
    required_setting,
)
from notifications.models import MessageTemplate

NAME = "aliyun_voice"
# The voice notification product, as QueryCallDetailByCallId names it.
TTS_PRODUCT_ID = 11000000300006
# The call was answered and the message played to the end.
HEARD = "200000"
TRANSIENT_CODES = frozenset(
    {
        "isv.BUSINESS_LIMIT_CONTROL",
        "Throttling",
        "Throttling.User",
        "Throttling.Api",
        "ServiceUnavailable",
        "InternalError",
        "SignatureNonceUsed",
    }
)


def tts_request(message: OutgoingMessage) -> dyvms.SingleCallByTtsRequest:
    """The SingleCallByTts request for `message`; MessageNotSendable when its
    kind has no approved TTS template or the number is not a mainland mobile."""
    template = MessageTemplate.objects.filter(kind=message.kind).first()
    if template is None or not template.voice_tts_code:
        raise MessageNotSendable("no_template")
    names = template.param_names or []
    values = {
        name: str(message.params[name]) for name in names if name in message.params
    }
    if len(values) < len(names):
        raise MessageNotSendable("template_param_missing")
    return dyvms.SingleCallByTtsRequest(
        called_number=mainland_number(message.phone),
        called_show_number=settings.VOICE_SHOW_NUMBER or None,
        tts_code=template.voice_tts_code,
        tts_param=json.dumps(values, ensure_ascii=False),
        play_times=2,
        out_id=message.correlation_id[:256],
    )


def classify_answer(code: str | None, call_id: str | None) -> SendResult:
    """The service's Code, whether it came in a 200 (business errors) or a 4xx/5xx."""
    code = code or ""
    if code == "OK":
        return SendResult(accepted=True, provider_message_id=call_id or "")
    if not code:
        return SendResult(accepted=False, error=f"{NAME}:bad_answer", transient=True)
    return SendResult(
        accepted=False, error=f"{NAME}:{code}", transient=code in TRANSIENT_CODES
    )


def classify_error(exc: TeaException) -> SendResult:
    """An exception from the SDK: the service's own error (with its code), or a
    timeout, a refused connection or a garbled answer wrapped by the SDK."""
    if isinstance(exc, UnretryableException):
        inner = exc.inner_exception
        if isinstance(inner, RetryError):
            # The SDK rewraps a network error as RetryError(str(it)), inside
            # the `except` that caught it.
            inner = inner.__cause__ or inner.__context__
        if isinstance(inner, TimeoutError | requests.Timeout):
            return SendResult(accepted=False, error=f"{NAME}:timeout", transient=True)
        if isinstance(inner, OSError):
            return SendResult(
                accepted=False, error=f"{NAME}:connection", transient=True
            )
        return SendResult(accepted=False, error=f"{NAME}:bad_answer", transient=True)
    # The SDK writes a missing code as "None".
    code = "" if str(exc.code or "None") == "None" else str(exc.code)
    result = classify_answer(code, None)
    if isinstance(exc, ThrottlingException) and code:
        # A rate limit the service says to wait out (Retry-After).
        return SendResult(accepted=False, error=result.error, transient=True)
    return result


def runtime_options() -> RuntimeOptions:
    timeout_ms = settings.SMS_SEND_TIMEOUT_SECONDS * 1000
    # No retries inside the SDK: a second SingleCallByTts rings her twice, so a
    # retry is the outbox's decision, taken after asking about the first.
    return RuntimeOptions(
        autoretry=False,
        max_attempts=1,
        connect_timeout=timeout_ms,
        read_timeout=timeout_ms,
    )


def endpoint_parts(endpoint: str) -> tuple[str, str]:
    """VOICE_ENDPOINT (https://dyvmsapi.aliyuncs.com) as the SDK's protocol, host."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ImproperlyConfigured("VOICE_ENDPOINT must start with https://.")
    return parts.scheme.upper(), parts.netloc


@lru_cache(maxsize=4)
def _client(key_id: str, secret: str, protocol: str, host: str) -> Client:
    # Cached per credentials: building a client sets up a credentials provider.
    return Client(
        Config(
            access_key_id=key_id,
            access_key_secret=secret,
            endpoint=host,
            protocol=protocol,
        )
    )


class AliyunVoiceBackend:
    name = NAME
    # Nothing to ask about a message afterwards: its outcome is written at once.
    outcome_at_once = True

    def __init__(self) -> None:
        endpoint = required_setting("VOICE_ENDPOINT", "aliyun voice")
        self.protocol, self.host = endpoint_parts(endpoint)
        self.key_id = required_setting("ALIYUN_ACCESS_KEY_ID", "aliyun voice")
        self.secret = required_setting("ALIYUN_ACCESS_KEY_SECRET", "aliyun voice")

    def _sdk(self) -> Client:
        return _client(self.key_id, self.secret, self.protocol, self.host)

    def send(self, message: OutgoingMessage) -> SendResult:
        try:
            request = tts_request(message)
        except MessageNotSendable as exc:
            return SendResult(accepted=False, error=f"{NAME}:{exc.code}")
        try:
            response = self._sdk().single_call_by_tts_with_options(
                request, runtime_options()
            )
        except TeaException as exc:
            return classify_error(exc)
        body = response.body
        return classify_answer(body.code if body else None, body and body.call_id)

    def query_status(
        self,
        correlation_id: str,
        provider_message_id: str = "",
        *,
        phone: str = "",
        sent_at: datetime | None = None,
    ) -> DeliveryStatus:
        """QueryCallDetailByCallId. Without the CallId (a send cut off before
        the answer) the call cannot be looked up: "unknown", so it is never
        rung a second time on a guess."""
        if not provider_message_id:
            return "unknown"
        when = sent_at or datetime.now(UTC)
        request = dyvms.QueryCallDetailByCallIdRequest(
            call_id=provider_message_id,
            prod_id=TTS_PRODUCT_ID,
            query_date=int(when.timestamp() * 1000),
        )
        try:
            response = self._sdk().query_call_detail_by_call_id_with_options(
                request, runtime_options()
            )
        except TeaException:
            return "unknown"
        body = response.body
        return call_state(body.code, body.data) if body else "unknown"


def call_state(code: str | None, data: str | None) -> DeliveryStatus:
    """What QueryCallDetailByCallId's answer says of the call."""
    if code != "OK":
        return "unknown"
    try:
        detail = json.loads(data or "{}")
    except ValueError:
        return "unknown"
    state = str(detail.get("state", "")) if isinstance(detail, dict) else ""
    if not state:
        return "unknown"
    return "delivered" if state == HEARD else "failed"
