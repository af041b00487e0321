"""The generic HTTP gateway, against a real HTTP server on this machine that
records each request and checks its signature the way a gateway would."""

import contextlib
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest
from django.core.exceptions import ImproperlyConfigured

from notifications.backends.base import OutgoingMessage
from notifications.backends.http import (
    HttpBackend,
    sign,
    signature_valid,
)
from notifications.models import Kind

pytestmark = pytest.mark.django_db

SECRET = "test-only-gateway-secret"


@dataclass
class Recorded:
    method: str
    path: str
    body: bytes
    headers: dict[str, str]
    signature_ok: bool


@dataclass
class Gateway:
    """What the server answers next, and everything it was sent."""

    requests: list[Recorded] = field(default_factory=list)
    status: int = 200
    answer: bytes = b'{"id": "gw-1001"}'
    delay: float = 0.0
    statuses: dict[str, dict] = field(default_factory=dict)
    url: str = ""


def _handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            timestamp = self.headers.get("X-Ankang-Timestamp", "")
            expected = hmac.new(
                SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256
            ).hexdigest()
            gateway.requests.append(
                Recorded(
                    method=self.command,
                    path=self.path,
                    body=body,
                    headers=dict(self.headers),
                    signature_ok=hmac.compare_digest(
                        self.headers.get("X-Ankang-Signature", ""), f"sha256={expected}"
                    ),
                )
            )
            return body

        def _reply(self, status: int, body: bytes) -> None:
            time.sleep(gateway.delay)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # The client may have given up waiting (the timeout tests).
            with contextlib.suppress(ConnectionError):
                self.wfile.write(body)

        def do_POST(self) -> None:
            self._record()
            self._reply(gateway.status, gateway.answer)

        def do_GET(self) -> None:
            self._record()
            prefix = "/sms/status/"
            key = unquote(self.path.removeprefix(prefix))
            if key in gateway.statuses:
                self._reply(200, json.dumps(gateway.statuses[key]).encode())
            else:
                self._reply(404, b'{"error": "not found"}')

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def gateway(settings) -> Iterator[Gateway]:
    gateway = Gateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gateway))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    gateway.url = f"http://127.0.0.1:{server.server_port}/sms"
    settings.SMS_HTTP_URL = gateway.url
    settings.SMS_HTTP_SECRET = SECRET
    settings.SMS_SEND_TIMEOUT_SECONDS = 10
    yield gateway
    server.shutdown()
    server.server_close()


def otp_message(**overrides) -> OutgoingMessage:
    fields = {
        "phone": "13800138000",
        "kind": Kind.OTP,
        "template_key": Kind.OTP,
        "params": {"code": "123456"},
        "text": "您的验证码是123456,5分钟内有效。请勿告诉他人。",
        "correlation_id": "otp:17",
    }
    return OutgoingMessage(**{**fields, **overrides})


# --- sending


def test_a_send_posts_the_documented_json_body(gateway):
    HttpBackend().send(otp_message())

    [request] = gateway.requests
    assert request.method == "POST"
    assert request.path == "/sms"
    assert request.headers["Content-Type"].startswith("application/json")
    assert json.loads(request.body) == {
        "phone": "+8613800138000",
        "template": "otp",
        "params": {"code": "123456"},
        "text": "您的验证码是123456,5分钟内有效。请勿告诉他人。",
        "correlation_id": "otp:17",
    }


def test_a_send_is_signed_with_the_shared_secret_over_timestamp_and_body(gateway):
    HttpBackend().send(otp_message())

    [request] = gateway.requests
    assert request.signature_ok is True
    assert abs(int(request.headers["X-Ankang-Timestamp"]) - time.time()) < 60


def test_a_2xx_with_an_id_is_accepted_with_that_id(gateway):
    gateway.status = 202
    gateway.answer = b'{"id": "gw-1001"}'

    result = HttpBackend().send(otp_message())

    assert result.accepted is True
    assert result.provider_message_id == "gw-1001"


def test_a_2xx_with_an_unreadable_answer_is_still_accepted_so_it_is_not_sent_twice(
    gateway,
):
    gateway.answer = b"<html>ok</html>"

    result = HttpBackend().send(otp_message())

    assert (result.accepted, result.provider_message_id) == (True, "")


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_throttling_and_server_errors_are_transient(gateway, status):
    gateway.status = status
    gateway.answer = b'{"error": "busy"}'

    result = HttpBackend().send(otp_message())

    assert (result.accepted, result.transient) == (False, True)
    assert result.error == f"http:{status}"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_other_client_errors_are_permanent(gateway, status):
    gateway.status = status
    gateway.answer = b'{"error": "no"}'

    result = HttpBackend().send(otp_message())

    assert (result.accepted, result.transient) == (False, False)
    assert result.error == f"http:{status}"


def test_a_redirect_is_not_followed_and_is_permanent(gateway):
    gateway.status = 302
    gateway.answer = b""

    result = HttpBackend().send(otp_message())

    assert (result.accepted, result.transient) == (False, False)
    assert len(gateway.requests) == 1


def test_an_answer_slower_than_the_send_timeout_is_transient(gateway, settings):
    settings.SMS_SEND_TIMEOUT_SECONDS = 1
    gateway.delay = 1.5

    result = HttpBackend().send(otp_message())

    assert (result.accepted, result.transient) == (False, True)
    assert result.error == "http:timeout"


def test_a_refused_connection_is_transient(settings):
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as closed:
        port = closed.server_port
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{port}/sms"
    settings.SMS_HTTP_SECRET = SECRET

    result = HttpBackend().send(otp_message())

    assert (result.accepted, result.transient) == (False, True)
    assert result.error == "http:connection"


def test_a_number_that_is_not_a_mainland_mobile_is_not_sent(gateway):
    result = HttpBackend().send(otp_message(phone="1380013"))

    assert (result.accepted, result.transient) == (False, False)
    assert gateway.requests == []


# --- status queries


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"status": "delivered"}, "delivered"),
        ({"status": "failed"}, "failed"),
        ({"status": "sent"}, "unknown"),
    ],
)
def test_the_status_query_reads_the_gateways_answer(gateway, answer, expected):
    gateway.statuses["appointment:42:reminder-1d"] = answer

    status = HttpBackend().query_status("appointment:42:reminder-1d", "gw-1")

    assert status == expected
    [request] = gateway.requests
    assert request.method == "GET"
    assert request.path == "/sms/status/appointment%3A42%3Areminder-1d"
    assert request.signature_ok is True


def test_a_message_the_gateway_never_saw_is_not_found(gateway):
    assert HttpBackend().query_status("otp:404") == "not_found"


def test_a_status_query_that_cannot_reach_the_gateway_is_unknown(gateway, settings):
    settings.SMS_SEND_TIMEOUT_SECONDS = 1
    gateway.delay = 1.5
    gateway.statuses["otp:1"] = {"status": "delivered"}

    assert HttpBackend().query_status("otp:1") == "unknown"


# --- signatures and configuration


def test_a_signature_verifies_only_with_the_same_secret_body_and_a_fresh_timestamp():
    now = time.time()
    timestamp = str(int(now))
    signature = sign(SECRET, timestamp, b'{"a":1}')

    assert signature_valid(
        secret=SECRET, timestamp=timestamp, body=b'{"a":1}', signature=signature
    )
    assert not signature_valid(
        secret="another", timestamp=timestamp, body=b'{"a":1}', signature=signature
    )
    assert not signature_valid(
        secret=SECRET, timestamp=timestamp, body=b'{"a":2}', signature=signature
    )
    assert not signature_valid(
        secret=SECRET,
        timestamp=timestamp,
        body=b'{"a":1}',
        signature=signature,
        now=now + 3600,
    )


@pytest.mark.parametrize("name", ["SMS_HTTP_URL", "SMS_HTTP_SECRET"])
def test_choosing_http_without_a_setting_names_the_variable(gateway, settings, name):
    setattr(settings, name, "")

    with pytest.raises(ImproperlyConfigured, match=name):
        HttpBackend()


def test_a_gateway_url_that_is_not_http_is_refused(gateway, settings):
    settings.SMS_HTTP_URL = "file:///etc/passwd"

    with pytest.raises(ImproperlyConfigured, match="SMS_HTTP_URL"):
        HttpBackend()
