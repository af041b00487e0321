"""Staff page sessions: idle timeout, absolute lifetime and the two-factor gate.

Runs after AuthenticationMiddleware, OTPMiddleware and MessageMiddleware. It only
looks at requests whose session carries a signed-in staff account; participants'
sessions and token-authenticated API calls pass untouched (a staff API token is
only issued after both steps, see accounts.apis).
"""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from accounts.selectors import staff_has_totp_device, staff_two_factor_required
from accounts.session import staff_session_ended, staff_session_touch

TWO_FACTOR_REQUIRED_STATUS = 403


def _ended_message(reason: str) -> str:
    if reason == "idle":
        minutes = settings.STAFF_SESSION_IDLE_MINUTES
        return ngettext(
            "You were signed out after %(minutes)d minute without activity. "
            "Please sign in again.",
            "You were signed out after %(minutes)d minutes without activity. "
            "Please sign in again.",
            minutes,
        ) % {"minutes": minutes}
    hours = max(1, settings.SESSION_COOKIE_AGE // 3600)
    return ngettext(
        "You were signed out: a session lasts at most %(hours)d hour after "
        "signing in. Please sign in again.",
        "You were signed out: a session lasts at most %(hours)d hours after "
        "signing in. Please sign in again.",
        hours,
    ) % {"hours": hours}


def _open_before_second_step(path: str) -> bool:
    """What a staff member who has given only her password may still reach: the
    second step itself, signing out, and what those pages are made of."""
    exact = {
        reverse("staff-two-factor"),
        reverse("staff-two-factor-setup"),
        reverse("staff-logout"),
        reverse("admin:logout"),
    }
    if path in exact:
        return True
    return path.startswith((settings.STATIC_URL, "/i18n/"))


def two_factor_url(request: HttpRequest, *, next_url: str = "") -> str:
    """Where a staff member who still owes her second step goes next."""
    name = (
        "staff-two-factor"
        if staff_has_totp_device(user=request.user)  # type: ignore[arg-type]
        else "staff-two-factor-setup"
    )
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class StaffSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            response = self._check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        ended = staff_session_ended(request)
        if ended is not None:
            logout(request)
            messages.warning(request, _ended_message(ended))
            # Carry on signed out: a staff page sends her to the login with a
            # `next`, an API answers 403 as it does to anyone signed out.
            return None
        staff_session_touch(request, user=request.user)  # type: ignore[arg-type]
        if not staff_two_factor_required():
            return None
        # Fails closed: without OTPMiddleware nobody counts as verified.
        is_verified = getattr(request.user, "is_verified", None)
        if is_verified is not None and is_verified():
            return None
        if _open_before_second_step(request.path):
            return None
        return self._second_step_missing(request)

    def _second_step_missing(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {
                    "code": "two_factor_required",
                    "detail": gettext(
                        "Finish signing in with the code from your authenticator "
                        "app first."
                    ),
                },
                status=TWO_FACTOR_REQUIRED_STATUS,
            )
        next_url = request.get_full_path() if request.method in ("GET", "HEAD") else ""
        return HttpResponseRedirect(two_factor_url(request, next_url=next_url))
