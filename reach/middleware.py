"""Binds a WeChat openid waiting in the session once she has proved her phone."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from common.crypto import decrypt_text
from reach.services import wechat_bind
from reach.session import PENDING_OPENID_KEY
from screening.session import SIGNED_IN_KEY, identity_from_session


class WeChatBindMiddleware:
    """Costs nothing unless an openid is waiting: only then is her sign-in read.
    A woman still signing up keeps it waiting until her record exists."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if (
            session is not None
            and PENDING_OPENID_KEY in session
            and SIGNED_IN_KEY in session
        ):
            self._bind(request)
        return self.get_response(request)

    def _bind(self, request: HttpRequest) -> None:
        identity = identity_from_session(request)
        if identity is None or identity.participant is None:
            return
        stored = request.session.pop(PENDING_OPENID_KEY)
        try:
            openid = decrypt_text(stored)
        except ValueError:
            return
        wechat_bind(participant=identity.participant, openid=openid, request=request)
