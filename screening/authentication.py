"""Participants send `Authorization: Bearer <token>` from the OTP exchange."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db import connection
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from common.rawsql import column_list, hot_cursor, instance_from_row
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


@cache
def _token_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    tokens = quote(ParticipantToken._meta.db_table)
    participants = quote(Participant._meta.db_table)
    columns = f"{column_list(ParticipantToken, 't')}, {column_list(Participant, 'p')}"
    join = f"{tokens} t LEFT JOIN {participants} p ON p.id = t.participant_id"
    # Names from the models' metadata, values bound: nothing from a request.
    where = "t.key_hash = %s AND t.expires_at > %s"
    return f"SELECT {columns} FROM {join} WHERE {where}"  # noqa: S608  # nosec B608


def token_with_participant(*, key_hash: str, now: datetime) -> ParticipantToken | None:
    """The live token with this hash and its participant, if she has registered.

    Every participant request starts here, so the statement is written out
    (common.rawsql) rather than built by the ORM each time.
    """
    with hot_cursor() as cursor:
        cursor.execute(
            _token_sql(connection.vendor),
            [key_hash, connection.ops.adapt_datetimefield_value(now)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    token, offset = instance_from_row(ParticipantToken, row)
    if token.participant_id is None:
        token.participant = None
    else:
        token.participant, _ = instance_from_row(Participant, row, offset)
    return token


class ParticipantTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[PhoneIdentity, str] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        key = header[1].decode(errors="replace")
        token = token_with_participant(key_hash=token_hash(key), now=timezone.now())
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
