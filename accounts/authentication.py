"""Staff send `Authorization: Token <key>` from POST /api/v1/auth/token/."""

import hashlib

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.models import StaffToken, User


def staff_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class StaffTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, str] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        key = header[1].decode(errors="replace")
        token = (
            StaffToken.objects.select_related("user")
            .filter(key_hash=staff_token_hash(key), expires_at__gt=timezone.now())
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or expired token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This account is disabled.")
        return token.user, key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
