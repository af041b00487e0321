"""Alibaba Cloud voice service (dyvms, API 2017-05-25): SingleCallByTts through
a thin client that signs its requests as the service's RPC style asks
(HMAC-SHA1 over the sorted, percent-encoded parameters).

The endpoint is a setting, so the tests point it at a local server answering
as the service does. Calls ring only within the allowed hours: the outbox
keeps them out of 12-14 h, 21-09 h and our quiet hours (timing.voice_call_at).
"""

import base64
import hashlib
import hmac
import http.client
import json
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

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
TTS_PRODUCT_ID = "11000000300006"
# The call was answered and the message played to the end.
HEARD = "200000"
API_VERSION = "2017-05-25"
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
_MAX_ANSWER_BYTES = 64 * 1024
# Plain http(s) only, as the endpoint setting is checked to be.
_opener = urllib.request.build_opener()


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as the RPC signature wants it."""
    return quote(value, safe="~")


def signed_query(params: dict[str, str], *, key_id: str, secret: str) -> str:
    """The request's query string with the common parameters and its signature."""
    everything = {
        "AccessKeyId": key_id,
        "Format": "JSON",
        "RegionId": "cn-hangzhou",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": API_VERSION,
        **params,
    }
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}"
        for k, v in sorted(everything.items())
    )
    to_sign = "GET&%2F&" + percent_encode(canonical)
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    signature = base64.b64encode(digest).decode()
    return canonical + "&Signature=" + percent_encode(signature)


def tts_params(message: OutgoingMessage) -> dict[str, str]:
    """SingleCallByTts's own parameters for `message`; MessageNotSendable when
    its kind has no approved TTS template or the number is not a mainland mobile."""
    template = MessageTemplate.objects.filter(kind=message.kind).first()
    if template is None or not template.voice_tts_code:
        raise MessageNotSendable("no_template")
    names = template.param_names or []
    values = {
        name: str(message.params[name]) for name in names if name in message.params
    }
    if len(values) < len(names):
        raise MessageNotSendable("template_param_missing")
    params = {
        "CalledNumber": mainland_number(message.phone),
        "TtsCode": template.voice_tts_code,
        "TtsParam": json.dumps(values, ensure_ascii=False),
        "PlayTimes": "2",
        "OutId": message.correlation_id[:256],
    }
    if settings.VOICE_SHOW_NUMBER:
        params["CalledShowNumber"] = settings.VOICE_SHOW_NUMBER
    return params


class AliyunVoiceBackend:
    name = NAME
    # Nothing to ask about a message afterwards: its outcome is written at once.
    outcome_at_once = True

    def __init__(self) -> None:
        endpoint = required_setting("VOICE_ENDPOINT", "aliyun voice")
        if not endpoint.startswith(("https://", "http://")):
            raise ImproperlyConfigured("VOICE_ENDPOINT must start with https://.")
        self.endpoint = endpoint.rstrip("/")
        self.key_id = required_setting("ALIYUN_ACCESS_KEY_ID", "aliyun voice")
        self.secret = required_setting("ALIYUN_ACCESS_KEY_SECRET", "aliyun voice")

    def _call(self, action: str, params: dict[str, str]) -> dict[str, object]:
        query = signed_query(
            {"Action": action, **params}, key_id=self.key_id, secret=self.secret
        )
        request = urllib.request.Request(f"{self.endpoint}/?{query}", method="GET")  # noqa: S310 - the scheme is checked above
        try:
            with _opener.open(
                request, timeout=settings.SMS_SEND_TIMEOUT_SECONDS
            ) as answer:
                raw = answer.read(_MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as exc:
            # The service answers its errors with a 4xx or 5xx and a JSON body.
            raw = exc.read(_MAX_ANSWER_BYTES)
            exc.close()
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = {}
        return payload if isinstance(payload, dict) else {}

    def send(self, message: OutgoingMessage) -> SendResult:
        try:
            params = tts_params(message)
        except MessageNotSendable as exc:
            return SendResult(accepted=False, error=f"{NAME}:{exc.code}")
        try:
            answer = self._call("SingleCallByTts", params)
        except TimeoutError:
            return SendResult(accepted=False, error=f"{NAME}:timeout", transient=True)
        except (OSError, http.client.HTTPException):
            return SendResult(
                accepted=False, error=f"{NAME}:connection", transient=True
            )
        code = str(answer.get("Code", ""))
        if code == "OK":
            return SendResult(
                accepted=True, provider_message_id=str(answer.get("CallId", ""))
            )
        if not code:
            return SendResult(
                accepted=False, error=f"{NAME}:bad_answer", transient=True
            )
        return SendResult(
            accepted=False, error=f"{NAME}:{code}", transient=code in TRANSIENT_CODES
        )

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
        try:
            answer = self._call(
                "QueryCallDetailByCallId",
                {
                    "CallId": provider_message_id,
                    "ProdId": TTS_PRODUCT_ID,
                    "QueryDate": str(int(when.timestamp() * 1000)),
                },
            )
        except (OSError, http.client.HTTPException):
            return "unknown"
        return call_state(answer)


def call_state(answer: dict[str, object]) -> DeliveryStatus:
    """What QueryCallDetailByCallId's answer says of the call."""
    if answer.get("Code") != "OK":
        return "unknown"
    try:
        detail = json.loads(str(answer.get("Data") or "{}"))
    except ValueError:
        return "unknown"
    state = str(detail.get("state", "")) if isinstance(detail, dict) else ""
    if not state:
        return "unknown"
    return "delivered" if state == HEARD else "failed"


calls: list[OutgoingMessage] = []


class VoiceConsoleBackend:
    """Logs each call's text, for `make run`."""

    name = "voice_console"

    def send(self, message: OutgoingMessage) -> SendResult:
        import logging

        logging.getLogger("notifications.voice").info(
            "[Voice call] (%s) %s", message.kind, message.text
        )
        return SendResult(accepted=True, provider_message_id=message.correlation_id)


class VoiceLocmemBackend:
    name = "voice_locmem"

    def send(self, message: OutgoingMessage) -> SendResult:
        calls.append(message)
        return SendResult(accepted=True, provider_message_id=message.correlation_id)
