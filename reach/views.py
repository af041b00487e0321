"""WeChat web authorisation (snsapi_base) and her choice of channels.

Inside WeChat's browser she is sent to WeChat's authorisation page, which
comes back to /wechat/callback/ with a code; the code gives her openid. An
openid bound to her before signs her straight in; a new one waits (encrypted)
in the session until she proves her phone with an SMS code once, and is bound
to her then (reach.middleware).
"""

import logging
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from common.crypto import encrypt_text
from common.errors import ApplicationError
from notifications.models import Channel
from notifications.wechat.client import WeChatClient, WeChatError
from reach import selectors, services
from reach.session import PENDING_OPENID_KEY
from screening.session import identity_from_session, sign_in
from screening.tokens import participant_token_issue

logger = logging.getLogger(__name__)

STATE_KEY = "ankang_wechat_state"


def _wechat_on() -> None:
    if not settings.WECHAT_APP_ID:
        raise Http404


@require_GET
def wechat_signin(request: HttpRequest) -> HttpResponse:
    """Off to WeChat's authorisation page; `state` ties its answer to this session."""
    _wechat_on()
    state = secrets.token_urlsafe(16)
    request.session[STATE_KEY] = state
    query = urlencode(
        {
            "appid": settings.WECHAT_APP_ID,
            "redirect_uri": request.build_absolute_uri(reverse("wechat_callback")),
            "response_type": "code",
            "scope": "snsapi_base",
            "state": state,
        }
    )
    return HttpResponseRedirect(
        f"{settings.WECHAT_AUTHORIZE_URL}?{query}#wechat_redirect"
    )


@require_GET
def wechat_callback(request: HttpRequest) -> HttpResponse:
    _wechat_on()
    expected = request.session.pop(STATE_KEY, "")
    state = request.GET.get("state", "")
    code = request.GET.get("code", "")
    if not expected or not secrets.compare_digest(expected, state) or not code:
        # A stale or forged answer, or she declined: start again by SMS.
        messages.info(request, gettext("Please sign in with your mobile number."))
        return redirect("signin")
    try:
        openid = WeChatClient().oauth_openid(code)
    except WeChatError as error:
        logger.info("reach.wechat_oauth_failed errcode=%s", error.errcode)
        messages.info(
            request,
            gettext("WeChat sign-in did not work. Please use your mobile number."),
        )
        return redirect("signin")
    participant = selectors.participant_for_openid(openid)
    if participant is None:
        request.session[PENDING_OPENID_KEY] = encrypt_text(openid)
        messages.info(
            request,
            gettext(
                "Enter your mobile number once: after the code, WeChat signs you in."
            ),
        )
        return redirect("signin")
    key, _token = participant_token_issue(
        phone=participant.phone,
        phone_hash=participant.phone_hash,
        participant=participant,
    )
    sign_in(request, token_key=key)
    return redirect("my")


CHANNEL_LABELS = {
    Channel.WECHAT: gettext_lazy("WeChat"),
    Channel.SMS: gettext_lazy("SMS"),
    Channel.VOICE: gettext_lazy("Voice call"),
}


@require_http_methods(["GET", "POST"])
def my_channels(request: HttpRequest) -> HttpResponse:
    """Her order of channels: which is tried first, then next."""
    identity = identity_from_session(request)
    if identity is None or identity.participant is None:
        return redirect("signin")
    participant = identity.participant
    error = ""
    if request.method == "POST":
        order = [request.POST.get(f"position{n}", "") for n in range(1, 4)]
        order = [choice for choice in order if choice]
        try:
            services.channel_order_set(participant=participant, order=order)
        except ApplicationError as exc:
            error = str(exc.detail)
        else:
            messages.success(
                request, gettext("Saved: we will reach you in this order.")
            )
            return redirect("my_channels")
    order = selectors.channel_order_of(participant)
    choices = [(value, str(CHANNEL_LABELS[value])) for value in Channel.values]
    positions = [
        (n, order[n - 1] if n <= len(order) else "") for n in range(1, len(choices) + 1)
    ]
    return render(
        request,
        "reach/channels.html",
        {
            "positions": positions,
            "choices": choices,
            "wechat_bound": selectors.wechat_bound(participant),
            "error": error,
        },
        status=400 if error else 200,
    )
