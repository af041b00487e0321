"""Participants send `Authorization: Bearer <token>` from the OTP exchange."""

import hashlib
from dataclasses import dataclass

from django.utils import timezone
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from screening.models import Participant, ParticipantToken


@dataclass
class PhoneIdentity:
    """Who a participant request comes from: a verified phone, and the participant
    record once she has registered."""

    phone: str
    phone_hash: str
    participant: Participant | None
    token_id: int | None = None

    is_authenticated = True
    is_anonymous = False
    is_staff = False

    @property
    def pk(self) -> str:
        return f"phone:{self.phone_hash[:16]}"


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ParticipantTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[PhoneIdentity, str] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        key = header[1].decode(errors="replace")
        token = (
            ParticipantToken.objects.select_related("participant")
            .filter(key_hash=token_hash(key), expires_at__gt=timezone.now())
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or expired token.")
        identity = PhoneIdentity(
            phone=token.phone,
            phone_hash=token.phone_hash,
            participant=token.participant,
            token_id=token.pk,
        )
        return identity, key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class IsVerifiedPhone(permissions.BasePermission):
    def has_permission(self, request: Request, view: object) -> bool:
        return isinstance(request.user, PhoneIdentity)


class IsParticipant(permissions.BasePermission):
    """A verified phone that has registered as a participant."""

    def has_permission(self, request: Request, view: object) -> bool:
        return (
            isinstance(request.user, PhoneIdentity)
            and request.user.participant is not None
        )
