"""A local HTTP server that answers as Alibaba Cloud's voice API (dyvms RPC) does
to its SDK: the action in x-acs-action, the parameters in the query string or a
form body, each request's ACS3-HMAC-SHA256 signature checked with the shared
secret; SingleCallByTts answered with a CallId, or with the error code it was
told to (business codes isv.* with HTTP 200, as the service does, others 400)."""

import contextlib
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

KEY_ID = "test-key-id"
KEY_SECRET = "test-key-secret"
_AUTH = re.compile(
    r"ACS3-HMAC-SHA256 Credential=(?P<key>[^,]+),"
    r"SignedHeaders=(?P<headers>[^,]+),Signature=(?P<signature>[0-9a-f]+)"
)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def expected_signature(
    *,
    method: str,
    path: str,
    query: dict[str, str],
    headers: dict[str, str],
    signed: str,
    body: bytes,
    secret: str,
) -> str:
    """The ACS3-HMAC-SHA256 signature of a request, as the service computes it."""
    canonical_query = "&".join(
        f"{k}={quote(v, safe='~')}" for k, v in sorted(query.items())
    )
    canonical_headers = "".join(
        f"{name}:{headers.get(name, '').strip()}\n" for name in signed.split(";")
    )
    canonical = "\n".join(
        [method, path or "/", canonical_query, canonical_headers, signed, _sha256(body)]
    )
    to_sign = f"ACS3-HMAC-SHA256\n{_sha256(canonical.encode())}"
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


@dataclass
class VoiceState:
    calls: list[dict[str, str]] = field(default_factory=list)
    fail_next: list[str] = field(default_factory=list)
    # CallId -> the state a detail query answers (200000 heard, 200002 busy, …).
    call_states: dict[str, str] = field(default_factory=dict)
    ids: Any = field(default_factory=lambda: itertools.count(1000))
    # Seconds to wait before answering a call (a slow provider).
    delay: float = 0.0


def _handler(state: VoiceState) -> type[BaseHTTPRequestHandler]:
    state_of = state.call_states

    class Handler(BaseHTTPRequestHandler):
        def _json(self, payload: dict[str, Any], status: int = 200) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # The client may have given up waiting (a timeout).
            with contextlib.suppress(ConnectionError):
                self.wfile.write(body)

        def _params(self) -> dict[str, str] | None:
            """The request's parameters, or None when its signature is wrong."""
            url = urlsplit(self.path)
            query = dict(parse_qsl(url.query, keep_blank_values=True))
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            auth = _AUTH.fullmatch(headers.get("authorization", ""))
            if auth is None or auth["key"] != KEY_ID:
                return None
            wanted = expected_signature(
                method=self.command,
                path=url.path,
                query=query,
                headers=headers,
                signed=auth["headers"],
                body=body,
                secret=KEY_SECRET,
            )
            if not hmac.compare_digest(wanted, auth["signature"]):
                return None
            form = dict(parse_qsl(body.decode(), keep_blank_values=True))
            return {**query, **form, "Action": headers.get("x-acs-action", "")}

        def do_POST(self) -> None:
            params = self._params()
            if params is None:
                self._json(
                    {
                        "Code": "SignatureDoesNotMatch",
                        "Message": "bad signature",
                        "RequestId": "req",
                    },
                    400,
                )
                return
            if params.get("Action") == "QueryCallDetailByCallId":
                known = state_of.get(params.get("CallId", ""), "")
                data = json.dumps({"state": known}) if known else ""
                self._json(
                    {"Code": "OK", "Message": "OK", "Data": data, "RequestId": "req"}
                )
                return
            if params.get("Action") != "SingleCallByTts":
                self._json({"Code": "InvalidAction.NotFound", "RequestId": "req"}, 404)
                return
            time.sleep(state.delay)
            if state.fail_next:
                code = state.fail_next.pop(0)
                status = 200 if code.startswith("isv.") else 400
                self._json(
                    {"Code": code, "Message": "stand-in", "RequestId": "req"}, status
                )
                return
            call_id = f"{next(state.ids)}^100000"
            state.calls.append(params)
            self._json(
                {"RequestId": "req", "CallId": call_id, "Code": "OK", "Message": "OK"}
            )

        def log_message(self, *args: object) -> None:
            return

    return Handler


class VoiceStandIn:
    def __init__(self) -> None:
        self.state = VoiceState()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "VoiceStandIn":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def configure(self, settings: Any) -> None:
        settings.VOICE_BACKEND = "aliyun"
        settings.VOICE_ENDPOINT = self.base
        settings.ALIYUN_ACCESS_KEY_ID = KEY_ID
        settings.ALIYUN_ACCESS_KEY_SECRET = KEY_SECRET
