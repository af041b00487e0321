from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role, User
from accounts.services import staff_token_issue
from common.errors import ApplicationError


class InvalidCredentials(ApplicationError):
    code = "invalid_credentials"
    status = 400

    def default_detail(self) -> str:
        return str(_("The username or password is wrong."))


class StaffTokenCreateApi(APIView):
    """Exchange a staff username and password for an API token.

    Failures are counted by django-axes: after the fifth in a row the account is
    locked for a while and every attempt gets 429 `locked_out`, right password
    or not (the lock-out response comes from AXES_LOCKOUT_CALLABLE).
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

        class Meta:
            ref_name = "StaffTokenInput"

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        role = serializers.CharField()
        expires_at = serializers.DateTimeField()

        class Meta:
            ref_name = "StaffToken"

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
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
        token, key = staff_token_issue(user=user)
        body = {"token": key, "role": user.role, "expires_at": token.expires_at}
        return Response(self.OutputSerializer(body).data)


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
