"""A booking's way in without the parts of the stack a token-authenticated JSON
call does not use (docs/benchmarks.md, "Booking profile, before and after").

`POST /api/v1/appointments/` is the request of a booking surge. Through the full
stack it passes the session, locale, common, CSRF, authentication, two-factor,
messages, WeChat-binding, staff-session, frame-options and lock-out middleware
and DRF's negotiation, parsing, authentication and serializer machinery, which
together cost more CPU than the booking's own statements. None of it decides
anything for a woman's Bearer-token booking: no session or cookie is read, CSRF
does not apply to a header token, and the staff checks look only at sessions.

`BookingEdgeMiddleware` sits right after the security headers middleware, so
its answers carry every header those set (HSTS, nosniff, referrer policy, CSP,
no-store). It answers only the plain case: a POST with a Bearer token that is
live and belongs to a registered woman, a JSON object whose `slot` is a
positive integer, an Accept header JSON satisfies and no query string. Anything
else, before anything is written, goes on through the full stack, so every
refusal of the input (401, 403, 400 with DRF's codes, 406, 415) is the one the
DRF view gives. The booking itself, its refusals and the Idempotency-Key are
the same services and the same bodies as `AppointmentCollectionApi.post`.
"""

import logging
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from rest_framework.exceptions import ParseError
from rest_framework.renderers import JSONRenderer

from common.errors import ApplicationError
from common.json_parser import json_loads_bounded
from scheduling.apis import AppointmentCollectionApi, booked_answer, idempotency_key
from scheduling.booking_statements import TokenAndSlot, token_and_slot
from scheduling.idempotency import booking_answer_once, error_body
from scheduling.services import appointment_book
from screening.authentication import token_hash

logger = logging.getLogger(__name__)

# DRF's renderer, called directly: the same bytes as the DRF view's answer.
_RENDERER = JSONRenderer()
# Media ranges the DRF view's only renderer (JSON) satisfies.
_JSON_RANGES = frozenset({"*/*", "application/*", "application/json"})
# A booking's body is a few dozen bytes; a larger one is the DRF view's to judge.
_MAX_BODY = 4096


@cache
def _allow() -> str:
    """The Allow header DRF's view adds to every answer of this endpoint."""
    view = AppointmentCollectionApi()
    view.setup(HttpRequest())  # as as_view() does: HEAD is answered as GET
    return ", ".join(view.allowed_methods)


@cache
def _booking_path() -> str:
    return reverse("api-appointment-list")


def _accepts_json(accept: str) -> bool:
    if not accept.strip():
        return True
    ranges = {part.split(";", 1)[0].strip().lower() for part in accept.split(",")}
    return bool(ranges & _JSON_RANGES)


def _plain_request(request: HttpRequest) -> bool:
    """Whether the request is one this path answers as the DRF view would: the
    checks that need no database."""
    meta = request.META
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return (
        request.method == "POST"
        and 0 < length <= _MAX_BODY
        and not settings.DISALLOWED_USER_AGENTS
        and request.path_info == _booking_path()
        and not meta.get("QUERY_STRING")
        and request.content_type == "application/json"
        and request.content_params.get("charset", "utf-8").lower() == "utf-8"
        and _accepts_json(meta.get("HTTP_ACCEPT", ""))
    )


def _bearer_key(request: HttpRequest) -> str | None:
    parts = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(parts) != 2 or parts[0].lower() != "bearer" or not parts[1].isascii():
        return None
    return parts[1]


def _slot_asked(request: HttpRequest) -> int | None:
    """The slot of a well-formed body; None for anything the serializer would
    have to judge (DRF then answers it)."""
    try:
        document = json_loads_bounded(request.body.decode("utf-8"))
    except (ValueError, ParseError):  # UnicodeDecodeError is a ValueError
        return None
    if not isinstance(document, dict):
        return None
    slot = document.get("slot")
    # bool is an int to Python, not to the serializer.
    if type(slot) is not int or slot < 1:
        return None
    return slot


def _her_and_slot(request: HttpRequest, slot_id: int) -> TokenAndSlot | None:
    """Her record and the slot read for her, in one statement; None for a
    token that is not live."""
    key = _bearer_key(request)
    if key is None:
        return None
    now = timezone.now()
    read = token_and_slot(
        key_hash=token_hash(key),
        now=now,
        slot_id=slot_id,
        today=timezone.localdate(now),
    )
    return read


def _answer(status: int, body: dict[str, Any], language: str) -> HttpResponse:
    response = HttpResponse(
        _RENDERER.render(body), status=status, content_type="application/json"
    )
    response["Allow"] = _allow()
    response["Content-Length"] = str(len(response.content))
    # What the skipped middleware would have added: the frame ban, and the
    # language the detail is written in.
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    patch_vary_headers(response, ("Accept-Language",))
    response.headers.setdefault("Content-Language", language)
    return response


def booking_answer(request: HttpRequest) -> HttpResponse | None:
    """The answer to a plain booking request, or None to pass it on."""
    if not _plain_request(request) or _bearer_key(request) is None:
        return None
    # As CommonMiddleware would: a host not in ALLOWED_HOSTS is a 400.
    request.get_host()
    slot_id = _slot_asked(request)
    if slot_id is None:
        return None
    read = _her_and_slot(request, slot_id)
    participant = None if read is None else read.participant
    if read is None or participant is None:
        return None
    # As LocaleMiddleware would: refusals are written in her language.
    language = translation.get_language_from_request(request)
    translation.activate(language)
    try:
        key = idempotency_key(request)
        if key is None:
            appointment = appointment_book(
                participant=participant, slot_id=slot_id, read=read.slot
            )
            return _answer(201, booked_answer(appointment), language)
        status, body = booking_answer_once(
            participant=participant, slot_id=slot_id, key=key, render=booked_answer
        )
    except ApplicationError as error:
        return _answer(error.status, error_body(error), language)
    return _answer(status, body, language)


class BookingEdgeMiddleware:
    """Answers a plain booking request itself (see the module's docstring);
    every other request goes on down the stack untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return booking_answer(request) or self.get_response(request)
