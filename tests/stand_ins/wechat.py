"""A local HTTP server that answers as WeChat's API and authorisation page do.

Only what Ankang calls: the web authorisation (`connect/oauth2/authorize`,
which, for snsapi_base, sends the browser straight back with a code), the code
exchange (`sns/oauth2/access_token`), the access token (`cgi-bin/stable_token`)
and the subscribe message (`cgi-bin/message/subscribe/bizsend`), with WeChat's
errcodes: 40029 for a bad code, 40001/42001 for a dead token, 45009/45011 for
rate limits, 43101 when she refused the message.
"""

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

APP_ID = "wx-test-app"
APP_SECRET = "wx-test-secret"


@dataclass
class WeChatState:
    openid: str = "o-test-openid-0001"  # who is "in" the WeChat browser
    token: str = "TOKEN-1"
    tokens_issued: int = 1
    token_calls: int = 0
    codes: dict[str, str] = field(default_factory=dict)
    # errcodes the next sends answer with, in turn.
    fail_next: list[int] = field(default_factory=list)
    # Openids that refused every message (43101), and openids always failing.
    refusing: set[str] = field(default_factory=set)
    sent: list[dict[str, Any]] = field(default_factory=list)
    msgids: Any = field(default_factory=lambda: itertools.count(1_700_000_000_000))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def expire_token(self) -> None:
        """WeChat ended the token (another force refresh, 2 h passed)."""
        with self.lock:
            self.tokens_issued += 1
            self.token = f"TOKEN-{self.tokens_issued}"


def _handler(state: WeChatState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _json(self, payload: dict[str, Any], status: int = 200) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _query(self) -> dict[str, str]:
            return {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}

        def do_GET(self) -> None:
            path = urlparse(self.path).path
            query = self._query()
            if path == "/connect/oauth2/authorize":
                self._authorize(query)
            elif path == "/sns/oauth2/access_token":
                self._exchange(query)
            else:
                self._json({"errcode": 40066, "errmsg": "invalid url"}, 404)

        def _authorize(self, query: dict[str, str]) -> None:
            if query.get("appid") != APP_ID or query.get("scope") != "snsapi_base":
                self._json({"errcode": 10003, "errmsg": "redirect_uri or appid"}, 200)
                return
            code = f"CODE-{next(state.msgids)}"
            state.codes[code] = state.openid
            target = (
                query["redirect_uri"]
                + "?"
                + urlencode({"code": code, "state": query.get("state", "")})
            )
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _exchange(self, query: dict[str, str]) -> None:
            if query.get("appid") != APP_ID or query.get("secret") != APP_SECRET:
                self._json({"errcode": 40125, "errmsg": "invalid appsecret"})
                return
            # A code works once.
            openid = state.codes.pop(query.get("code", ""), None)
            if openid is None or query.get("grant_type") != "authorization_code":
                self._json({"errcode": 40029, "errmsg": "invalid code"})
                return
            self._json(
                {
                    "access_token": "WEB-TOKEN",
                    "expires_in": 7200,
                    "refresh_token": "REFRESH",
                    "openid": openid,
                    "scope": "snsapi_base",
                }
            )

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._json({"errcode": 47001, "errmsg": "data format error"})
                return
            path = urlparse(self.path).path
            if path == "/cgi-bin/stable_token":
                self._stable_token(body)
            elif path == "/cgi-bin/message/subscribe/bizsend":
                self._send(body, self._query().get("access_token", ""))
            else:
                self._json({"errcode": 40066, "errmsg": "invalid url"}, 404)

        def _stable_token(self, body: dict[str, Any]) -> None:
            if body.get("appid") != APP_ID or body.get("secret") != APP_SECRET:
                self._json({"errcode": 40125, "errmsg": "invalid appsecret"})
                return
            with state.lock:
                state.token_calls += 1
                if body.get("force_refresh"):
                    state.tokens_issued += 1
                    state.token = f"TOKEN-{state.tokens_issued}"
                token = state.token
            self._json({"access_token": token, "expires_in": 7200})

        def _send(self, body: dict[str, Any], token: str) -> None:
            if token != state.token:
                issued = token.startswith("TOKEN-")
                self._json(
                    {"errcode": 42001, "errmsg": "access_token expired"}
                    if issued
                    else {"errcode": 40001, "errmsg": "invalid credential"}
                )
                return
            with state.lock:
                failure = state.fail_next.pop(0) if state.fail_next else None
            if failure is None and body.get("touser") in state.refusing:
                failure = 43101
            if failure is not None:
                self._json({"errcode": failure, "errmsg": "stand-in failure"})
                return
            msgid = next(state.msgids)
            state.sent.append({**body, "msgid": msgid})
            self._json({"errcode": 0, "errmsg": "ok", "msgid": msgid})

        def log_message(self, *args: object) -> None:
            return

    return Handler


class WeChatStandIn:
    """Started on a free local port; `base` is its URL."""

    def __init__(self) -> None:
        self.state = WeChatState()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "WeChatStandIn":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def configure(self, settings: Any) -> None:
        """Point Ankang's settings (pytest-django's `settings`) at this server."""
        settings.WECHAT_BACKEND = "wechat"
        settings.WECHAT_APP_ID = APP_ID
        settings.WECHAT_APP_SECRET = APP_SECRET
        settings.WECHAT_API_BASE = self.base
        settings.WECHAT_AUTHORIZE_URL = f"{self.base}/connect/oauth2/authorize"
