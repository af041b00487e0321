"""The staff login (Django's own views, with a page a tablet can use) and its
second step: a code from an authenticator app, set up on first sign-in."""

from base64 import b32encode
from typing import Any

import django_otp
import segno
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.middleware.csrf import rotate_token
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.errors import AlreadyEnrolled, OtpDeviceMissing, OtpTokenThrottled
from accounts.forms import OtpTokenForm
from accounts.middleware import two_factor_url
from accounts.models import Role, User
from accounts.selectors import staff_has_totp_device, staff_two_factor_required
from accounts.services import (
    staff_otp_verify,
    staff_totp_confirm,
    staff_totp_device_pending,
)
from accounts.session import staff_session_remember
from common.errors import ApplicationError


def _home_for(role: str) -> str:
    names: dict[str, str] = {
        Role.CLINIC: "desk",
        Role.ADMIN: "desk",
        Role.UNION: "dashboard",
        Role.STEWARD: "steward_home",
    }
    try:
        return reverse(names.get(role, "desk"))
    except NoReverseMatch:
        return "/"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return candidate
    return _home_for(getattr(request.user, "role", ""))


def _is_verified(user: Any) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


class StaffLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return _home_for(getattr(self.request.user, "role", ""))

    def get_success_url(self) -> str:
        url = super().get_success_url()
        if not staff_two_factor_required():
            return url
        # The password was the first step; the page she asked for waits.
        return two_factor_url(self.request, next_url=url)


class StaffLogoutView(auth_views.LogoutView):
    next_page = "staff-login"


class _SecondStepView(View):
    """Signed in with a password, not yet with a code."""

    def dispatch(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    def second_step_done(self, request: HttpRequest, device: Device) -> None:
        django_otp.login(request, device)
        # More rights than a moment ago: a new session key and CSRF token, as at
        # sign-in, so that a key seen before this step is worth nothing.
        request.session.cycle_key()
        rotate_token(request)
        staff_session_remember(request, user=request.user)  # type: ignore[arg-type]


class TwoFactorVerifyView(_SecondStepView):
    template_name = "accounts/two_factor_verify.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if _is_verified(request.user):
            return HttpResponseRedirect(_next_url(request))
        if not staff_has_totp_device(user=request.user):  # type: ignore[arg-type]
            return HttpResponseRedirect(
                two_factor_url(request, next_url=_next_url(request))
            )
        return self._page(request, OtpTokenForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        user: User = request.user  # type: ignore[assignment]
        form = OtpTokenForm(request.POST)
        if not form.is_valid():
            return self._page(request, form)
        try:
            device = staff_otp_verify(
                user=user, token=form.cleaned_data["otp_token"], request=request
            )
        except OtpDeviceMissing:
            return HttpResponseRedirect(
                two_factor_url(request, next_url=_next_url(request))
            )
        except ApplicationError as exc:
            form.add_error("otp_token", str(exc.detail))
            return self._page(request, form, error=exc)
        self.second_step_done(request, device)
        return HttpResponseRedirect(_next_url(request))

    def _page(
        self,
        request: HttpRequest,
        form: OtpTokenForm,
        *,
        error: ApplicationError | None = None,
    ) -> HttpResponse:
        return _render(
            request,
            self.template_name,
            {"form": form, "next": _next_url(request)},
            error=error,
        )


class TwoFactorSetupView(_SecondStepView):
    template_name = "accounts/two_factor_setup.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        user: User = request.user  # type: ignore[assignment]
        try:
            device = staff_totp_device_pending(user=user)
        except AlreadyEnrolled:
            return self._already_enrolled(request)
        return self._page(request, device, OtpTokenForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        user: User = request.user  # type: ignore[assignment]
        form = OtpTokenForm(request.POST)
        try:
            device = staff_totp_device_pending(user=user)
        except AlreadyEnrolled:
            return self._already_enrolled(request)
        if not form.is_valid():
            return self._page(request, device, form)
        try:
            confirmed, codes = staff_totp_confirm(
                user=user, token=form.cleaned_data["otp_token"], request=request
            )
        except AlreadyEnrolled:
            return self._already_enrolled(request)
        except ApplicationError as exc:
            form.add_error("otp_token", str(exc.detail))
            return self._page(request, device, form, error=exc)
        self.second_step_done(request, confirmed)
        return render(
            request,
            "accounts/two_factor_backup_codes.html",
            {"codes": codes, "next": _next_url(request)},
        )

    def _already_enrolled(self, request: HttpRequest) -> HttpResponse:
        # Never a second device over the first: replacing one is the admin's reset.
        if _is_verified(request.user):
            return HttpResponseRedirect(_next_url(request))
        return HttpResponseRedirect(
            two_factor_url(request, next_url=_next_url(request))
        )

    def _page(
        self,
        request: HttpRequest,
        device: TOTPDevice,
        form: OtpTokenForm,
        *,
        error: ApplicationError | None = None,
    ) -> HttpResponse:
        secret = b32encode(device.bin_key).decode()
        context = {
            "form": form,
            "next": _next_url(request),
            # A data: URI, which the CSP allows for images: no inline script, and
            # the secret never travels in a URL of its own.
            "qr_data_uri": segno.make(device.config_url, error="m").svg_data_uri(
                scale=5, border=2
            ),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        }
        return _render(request, self.template_name, context, error=error)


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    error: ApplicationError | None,
) -> HttpResponse:
    status = error.status if isinstance(error, OtpTokenThrottled) else 200
    response = render(request, template, context, status=status)
    if isinstance(error, OtpTokenThrottled):
        response["Retry-After"] = str(error.retry_after)
    return response
