"""/favicon.ico, which browsers ask for whatever the page's <link> says."""

from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

ICON = Path(__file__).resolve().parents[1] / "static" / "img" / "favicon.ico"
A_WEEK = 7 * 24 * 3600


@cache
def _icon() -> bytes:
    return ICON.read_bytes()


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_icon(), content_type="image/x-icon")
    # Not personal data: the shared no-store rule does not apply.
    response["Cache-Control"] = f"public, max-age={A_WEEK}"
    return response
