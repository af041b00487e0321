"""A generic HTTP gateway: one signed JSON POST per message.

The contract, both ways (sends from us, delivery receipts to us):

- `X-Ankang-Timestamp`: Unix seconds when the request was signed.
- `X-Ankang-Signature`: `sha256=` and the hex HMAC-SHA256, keyed with
  SMS_HTTP_SECRET, of the timestamp, a `.`, and the raw body bytes. The
  timestamp is signed so that a captured request cannot be replayed later.

Send: POST SMS_HTTP_URL with `{"phone", "template", "params", "text",
"correlation_id"}`; a 2xx answer `{"id": ...}` means taken. Status: GET
`SMS_HTTP_URL/status/<correlation id>` (signed over an empty body) answers
`{"status": "delivered" | "failed" | ...}`, or 404 when it never saw the message.
"""

import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.request
from datetime import datetime
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from notifications.backends.base import (
    DeliveryStatus,
    MessageNotSendable,
    OutgoingMessage,
    SendResult,
    e164_number,
    required_setting,
)

NAME = "http"
SIGNATURE_HEADER = "X-Ankang-Signature"
TIMESTAMP_HEADER = "X-Ankang-Timestamp"
# How far a signed timestamp may be from our clock before it is refused.
SIGNATURE_TOLERANCE_SECONDS = 300
_MAX_ANSWER_BYTES = 64 * 1024


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signature_valid(
    *,
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    now: float | None = None,
) -> bool:
    """True only for a signature made with `secret` over this body and a timestamp
    within the tolerance. An empty secret verifies nothing."""
    if not secret or not timestamp or not signature:
        return False
    try:
        signed_at = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - signed_at) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def signed_headers(secret: str, body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }


def build_send_body(message: OutgoingMessage) -> bytes:
    return json.dumps(
        {
            "phone": e164_number(message.phone),
            "template": message.kind,
            "params": {key: str(value) for key, value in message.params.items()},
            "text": message.text,
            "correlation_id": message.correlation_id,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def status_is_transient(status: int) -> bool:
    return status == 429 or status >= 500


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    # A redirected POST would turn into a GET somewhere else; a moved gateway is a
    # configuration error that staff should see.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_RefuseRedirects)


class HttpBackend:
    name = NAME

    def __init__(self) -> None:
        url = required_setting("SMS_HTTP_URL", NAME)
        if not url.startswith(("https://", "http://")):
            raise ImproperlyConfigured(
                "SMS_HTTP_URL must start with https:// (or http://)."
            )
        self.url = url
        self.secret = required_setting("SMS_HTTP_SECRET", NAME)

    def _request(self, url: str, *, body: bytes, method: str) -> urllib.request.Request:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            **signed_headers(self.secret, body),
        }
        return urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url, data=body if method == "POST" else None, headers=headers, method=method
        )

    def send(self, message: OutgoingMessage) -> SendResult:
        try:
            body = build_send_body(message)
        except MessageNotSendable as exc:
            return SendResult(accepted=False, error=f"{NAME}:{exc.code}")
        request = self._request(self.url, body=body, method="POST")
        try:
            with _opener.open(
                request, timeout=settings.SMS_SEND_TIMEOUT_SECONDS
            ) as response:
                answer = response.read(_MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as exc:
            exc.close()
            return SendResult(
                accepted=False,
                error=f"{NAME}:{exc.code}",
                transient=status_is_transient(exc.code),
            )
        except TimeoutError:
            return SendResult(accepted=False, error=f"{NAME}:timeout", transient=True)
        except urllib.error.URLError as exc:
            timed_out = isinstance(exc.reason, TimeoutError)
            error = "timeout" if timed_out else "connection"
            return SendResult(accepted=False, error=f"{NAME}:{error}", transient=True)
        except (OSError, http.client.HTTPException):
            # Reset or cut off mid-answer: it may have been taken, so the retry
            # asks first.
            return SendResult(
                accepted=False, error=f"{NAME}:connection", transient=True
            )
        # A 2xx means taken even if the answer is odd: treating it as a failure
        # would send the message twice.
        return SendResult(accepted=True, provider_message_id=_answer_id(answer))

    def query_status(
        self,
        correlation_id: str,
        provider_message_id: str = "",
        *,
        phone: str = "",
        sent_at: datetime | None = None,
    ) -> DeliveryStatus:
        url = f"{self.url.rstrip('/')}/status/{quote(correlation_id, safe='')}"
        request = self._request(url, body=b"", method="GET")
        try:
            with _opener.open(
                request, timeout=settings.SMS_SEND_TIMEOUT_SECONDS
            ) as response:
                answer = response.read(_MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as exc:
            exc.close()
            return "not_found" if exc.code == 404 else "unknown"
        except (OSError, http.client.HTTPException):
            return "unknown"
        try:
            status = json.loads(answer).get("status")
        except (ValueError, AttributeError):
            return "unknown"
        if status in ("delivered", "failed"):
            return status
        return "unknown"


def _answer_id(answer: bytes) -> str:
    try:
        data = json.loads(answer)
    except ValueError:
        return ""
    if isinstance(data, dict) and data.get("id") is not None:
        return str(data["id"])[:128]
    return ""
