"""A local HTTP server that answers as Alibaba Cloud's voice API (dyvms RPC) does:
it checks each request's signature with the shared secret, and answers
SingleCallByTts with a CallId, or with the error code it was told to."""

import base64
import hashlib
import hmac
import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlparse

KEY_ID = "test-key-id"
KEY_SECRET = "test-key-secret"


def _encode(value: str) -> str:
    return quote(value, safe="~")


def expected_signature(params: dict[str, str], secret: str) -> str:
    canonical = "&".join(
        f"{_encode(k)}={_encode(v)}"
        for k, v in sorted(params.items())
        if k != "Signature"
    )
    to_sign = "GET&%2F&" + _encode(canonical)
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass
class VoiceState:
    calls: list[dict[str, str]] = field(default_factory=list)
    fail_next: list[str] = field(default_factory=list)
    # CallId -> the state a detail query answers (200000 heard, 200002 busy, …).
    call_states: dict[str, str] = field(default_factory=dict)
    ids: Any = field(default_factory=lambda: itertools.count(1000))


def _handler(state: VoiceState) -> type[BaseHTTPRequestHandler]:
    state_of = state.call_states

    class Handler(BaseHTTPRequestHandler):
        def _json(self, payload: dict[str, Any], status: int = 200) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            params = dict(parse_qsl(urlparse(self.path).query, keep_blank_values=True))
            if params.get("AccessKeyId") != KEY_ID or params.get(
                "Signature"
            ) != expected_signature(params, KEY_SECRET):
                self._json(
                    {"Code": "SignatureDoesNotMatch", "Message": "bad signature"}, 400
                )
                return
            if params.get("Action") == "QueryCallDetailByCallId":
                known = state_of.get(params.get("CallId", ""), "")
                data = json.dumps({"state": known}) if known else ""
                self._json({"Code": "OK", "Message": "OK", "Data": data})
                return
            if params.get("Action") != "SingleCallByTts":
                self._json({"Code": "InvalidAction.NotFound"}, 404)
                return
            if state.fail_next:
                self._json({"Code": state.fail_next.pop(0), "Message": "stand-in"}, 400)
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
