"""A thin client over the official account's documented HTTPS endpoints.

- `sns/oauth2/access_token`: the code of the web authorisation (snsapi_base)
  for her openid.
- `cgi-bin/stable_token`: the account's access token, kept in Redis for every
  process until shortly before it expires; refreshed with `force_refresh` only
  when WeChat says the one we hold is dead (40001, 42001), and then by one
  process at a time, since a forced refresh kills the token the others hold.
- `cgi-bin/message/subscribe/bizsend`: one subscribe message (订阅通知).

Every answer is JSON with `errcode` 0 or absent on success. The base URL is a
setting, so the tests point it at a local server that answers as WeChat does.
"""

import http.client
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

TOKEN_EXPIRED = frozenset({40001, 40014, 42001})
RATE_LIMITED = frozenset({45009, 45011, 45047, -1})
USER_REFUSED = 43101
# A code used twice, or one from another account: she starts the sign-in again.
BAD_CODE = frozenset({40029, 40163})
# Kept this long before WeChat's own expiry, so a token is never used at its edge.
TOKEN_MARGIN_SECONDS = 300
_MAX_ANSWER_BYTES = 64 * 1024


class WeChatError(Exception):
    """WeChat answered with an errcode, or could not be reached (errcode None)."""

    def __init__(self, errcode: int | None, errmsg: str = "") -> None:
        super().__init__(f"{errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg

    @property
    def transient(self) -> bool:
        return self.errcode is None or self.errcode in RATE_LIMITED


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_RefuseRedirects)


@dataclass(frozen=True)
class Credentials:
    app_id: str
    app_secret: str
    api_base: str

    @classmethod
    def from_settings(cls) -> "Credentials":
        missing = [
            name
            for name in ("WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_API_BASE")
            if not getattr(settings, name, "")
        ]
        if missing:
            raise ImproperlyConfigured(
                f"Set the environment variable {missing[0]} to use WeChat."
            )
        base = settings.WECHAT_API_BASE.rstrip("/")
        if not base.startswith(("https://", "http://")):
            raise ImproperlyConfigured("WECHAT_API_BASE must start with https://.")
        return cls(settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET, base)


class WeChatClient:
    def __init__(self, credentials: Credentials | None = None) -> None:
        self.credentials = credentials or Credentials.from_settings()
        self.token_key = f"wechat:token:{self.credentials.app_id}"

    def _call(
        self, path: str, *, query: dict[str, str], body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        url = f"{self.credentials.api_base}/{path}?{urlencode(query)}"
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in Credentials
            url,
            data=data,
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="GET" if body is None else "POST",
        )
        try:
            with _opener.open(
                request, timeout=settings.WECHAT_TIMEOUT_SECONDS
            ) as answer:
                raw = answer.read(_MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise WeChatError(None, f"http {exc.code}") from None
        except (OSError, http.client.HTTPException) as exc:
            raise WeChatError(None, f"network: {type(exc).__name__}") from None
        try:
            payload = json.loads(raw)
        except ValueError:
            raise WeChatError(None, "not JSON") from None
        if not isinstance(payload, dict):
            raise WeChatError(None, "not a JSON object")
        errcode = payload.get("errcode") or 0
        if errcode:
            raise WeChatError(int(errcode), str(payload.get("errmsg", ""))[:200])
        return payload

    def oauth_openid(self, code: str) -> str:
        """Her openid for the code the web authorisation sent back."""
        answer = self._call(
            "sns/oauth2/access_token",
            query={
                "appid": self.credentials.app_id,
                "secret": self.credentials.app_secret,
                "code": code,
                "grant_type": "authorization_code",
            },
        )
        openid = str(answer.get("openid", ""))
        if not openid:
            raise WeChatError(None, "no openid in the answer")
        return openid

    def access_token(self, *, stale: str = "") -> str:
        """The account's access token, from Redis when we hold a live one.
        `stale`: the token WeChat has just refused; it is replaced (by a forced
        refresh) only if it is still the one in Redis, so two processes that
        both met the dead token do not each kill the other's new one."""
        cached = cache.get(self.token_key)
        if cached and cached != stale:
            return str(cached)
        force = bool(stale)
        if force and not cache.add(f"{self.token_key}:refreshing", 1, timeout=10):
            # Another process is forcing a refresh: take the normal mode's
            # answer, which is the token in force.
            force = False
        answer = self._call(
            "cgi-bin/stable_token",
            query={},
            body={
                "grant_type": "client_credential",
                "appid": self.credentials.app_id,
                "secret": self.credentials.app_secret,
                "force_refresh": force,
            },
        )
        token = str(answer.get("access_token", ""))
        if not token:
            raise WeChatError(None, "no access_token in the answer")
        lifetime = int(answer.get("expires_in", 7200))
        cache.set(self.token_key, token, max(lifetime - TOKEN_MARGIN_SECONDS, 60))
        if force:
            cache.delete(f"{self.token_key}:refreshing")
        return token

    def send_subscribe(
        self, *, openid: str, template_id: str, data: dict[str, str], page: str = ""
    ) -> str:
        """Send one subscribe message; its msgid. A dead token is refreshed and
        the send tried once more: WeChat refused it, so it was not sent."""
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        if page:
            body["page"] = page
        token = self.access_token()
        for attempt in range(2):
            try:
                answer = self._call(
                    settings.WECHAT_SUBSCRIBE_PATH,
                    query={"access_token": token},
                    body=body,
                )
            except WeChatError as error:
                if error.errcode in TOKEN_EXPIRED and attempt == 0:
                    logger.info("wechat.token_refused errcode=%s", error.errcode)
                    token = self.access_token(stale=token)
                    continue
                raise
            return str(answer.get("msgid", ""))
        raise WeChatError(None, "unreachable")  # pragma: no cover - the loop returns
