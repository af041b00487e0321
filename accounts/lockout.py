"""What a locked-out login attempt gets back (AXES_LOCKOUT_CALLABLE)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

LOCKED_OUT_STATUS = 429


def _cooloff_seconds() -> int:
    cooloff = settings.AXES_COOLOFF_TIME
    return int(cooloff.total_seconds()) if cooloff else 0


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The API's {"code", "detail"} for API clients, a page for people."""
    seconds = _cooloff_seconds()
    detail = gettext(
        "Too many failed sign-ins for this account. Try again in %(minutes)s "
        "minutes, or ask the program admin to unlock it."
    ) % {"minutes": max(1, seconds // 60)}
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"code": "locked_out", "detail": detail}, status=LOCKED_OUT_STATUS
        )
    else:
        response = render(
            request,
            "accounts/locked_out.html",
            {"detail": detail},
            status=LOCKED_OUT_STATUS,
        )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
