"""Large-text mode (适老化): a switch on every participant page that persists
in a cookie for a year, on this phone, signed in or not."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

COOKIE = "ankang_text"
LARGE = "large"
ONE_YEAR = 365 * 24 * 3600


@require_POST
def text_size(request: HttpRequest) -> HttpResponse:
    """Turn large text on or off, and go back to the page she was on."""
    wanted = request.POST.get("size", "")
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if wanted == LARGE:
        response.set_cookie(
            COOKIE, LARGE, max_age=ONE_YEAR, samesite="Lax", secure=request.is_secure()
        )
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
