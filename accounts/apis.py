from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.errors import OtpTokenThrottled
from accounts.models import Role, User
from accounts.selectors import staff_two_factor_required
from accounts.services import staff_otp_verify, staff_token_issue
from common.errors import ApplicationError
from common.schema import ERROR_SCHEMA, bad_request


class InvalidCredentials(ApplicationError):
    code = "invalid_credentials"
    status = 400

    def default_detail(self) -> str:
        return str(_("The username or password is wrong."))


class StaffTokenCreateApi(APIView):
    """Exchange a staff username and password, and the current code of the
    staff member's authenticator app (`otp_token`, or a backup code), for an API
    token.

    Password failures are counted by django-axes: after the fifth in a row the
    account is locked for a while and every attempt gets 429 `locked_out`, right
    password or not (the lock-out response comes from AXES_LOCKOUT_CALLABLE).
    When two-factor sign-in is required (STAFF_TWO_FACTOR_REQUIRED), a missing or
    wrong code is 400 `otp_token_required` or `otp_token_invalid`, an account
    without an authenticator is 400 `otp_device_missing`, and wrong codes in a
    row make the next ones wait (429 `otp_token_throttled` with Retry-After).
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False)
        otp_token = serializers.CharField(
            max_length=32,
            required=False,
            allow_blank=True,
            default="",
            help_text="The 6-digit code of the authenticator app, or a backup "
            "code. Required when two-factor sign-in is on.",
        )

        class Meta:
            ref_name = "StaffTokenInput"

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        role = serializers.CharField()
        expires_at = serializers.DateTimeField()

        class Meta:
            ref_name = "StaffToken"

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: bad_request(
                "Field errors; `invalid_credentials`; `otp_token_required`, "
                "`otp_token_invalid` or `otp_device_missing`."
            ),
            429: OpenApiResponse(
                ERROR_SCHEMA,
                description="`locked_out` (too many wrong passwords) or "
                "`otp_token_throttled` (too many wrong codes); Retry-After says "
                "how long to wait, in seconds.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The plain Django request: axes marks a lock-out on it for its middleware.
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if not isinstance(user, User) or user.role not in Role.values:
            raise InvalidCredentials
        if staff_two_factor_required():
            staff_otp_verify(
                user=user,
                token=data.validated_data["otp_token"],
                request=request._request,
            )
        token, key = staff_token_issue(user=user)
        body = {"token": key, "role": user.role, "expires_at": token.expires_at}
        return Response(self.OutputSerializer(body).data)

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        if isinstance(exc, OtpTokenThrottled):
            response["Retry-After"] = str(exc.retry_after)
        return response


class StaffTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.StaffTokenAuthentication"
    name = "staffToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Staff token from /api/v1/auth/token/: "Token <key>".',
        }
