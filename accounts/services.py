import logging
import math
import secrets
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import device_classes
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.authentication import staff_token_hash
from accounts.errors import (
    AlreadyEnrolled,
    OtpDeviceMissing,
    OtpTokenInvalid,
    OtpTokenRequired,
    OtpTokenThrottled,
)
from accounts.models import Role, StaffSession, StaffToken, User
from accounts.program_admins import program_admin_group_sync
from accounts.selectors import staff_has_totp_device
from common.audit import audit_record

logger = logging.getLogger(__name__)


@transaction.atomic
def staff_create(*, username: str, role: str, password: str) -> User:
    """Create or update a staff account; program admins get Django's admin with
    their group's permissions (never a superuser's), others no admin at all."""
    if role not in Role.values:
        raise ValueError(f"role must be one of {', '.join(Role.values)}")
    user = User.objects.filter(username=username).first() or User(username=username)
    validate_password(password, user)
    user.role = role
    user.is_staff = role == Role.ADMIN
    user.is_superuser = False
    user.is_active = True
    user.set_password(password)
    user.save()
    program_admin_group_sync(user=user)
    return user


def staff_token_issue(*, user: User) -> tuple[StaffToken, str]:
    """A new API token for `user`; returns the row and the raw key, which is shown
    once and never stored. Expired tokens of the same user are cleared on the way."""
    # As long as a desk shift: a token left on a shared tablet dies by the evening.
    hours = getattr(settings, "STAFF_TOKEN_HOURS", 12)
    now = timezone.now()
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        StaffToken.objects.filter(user=user, expires_at__lte=now).delete()
        token = StaffToken.objects.create(
            user=user,
            key_hash=staff_token_hash(key),
            expires_at=now + timedelta(hours=hours),
        )
    logger.info("accounts.staff_token_issued user=%s token=%s", user.pk, token.pk)
    return token, key


# --- Ending sessions -------------------------------------------------------------


def staff_sessions_end(*, user: User) -> tuple[int, int]:
    """End every page session and API token of `user`; returns how many of each.

    Call it inside the transaction that makes the change (a disabled account, a
    reset second factor): with database sessions a rollback keeps them too.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(
        StaffSession.objects.filter(user=user).values_list("session_key", flat=True)
    )
    for key in keys:
        store(session_key=key).delete()
    StaffSession.objects.filter(user=user).delete()
    tokens, _ = StaffToken.objects.filter(user=user).delete()
    return len(keys), tokens


@transaction.atomic
def staff_deactivate(
    *, user: User, by: User | None, request: HttpRequest | None = None
) -> User:
    """Disable the account and end its sessions and tokens in one transaction."""
    # An update, not save(): the post_save safety net would end the sessions
    # first and the audit event would count none.
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    sessions, tokens = staff_sessions_end(user=user)
    audit_record(
        actor=by,
        action="staff.deactivated",
        obj_type="staff_account",
        obj_id=user.pk,
        request=request,
        details={"sessions_ended": sessions, "tokens_revoked": tokens},
    )
    logger.info(
        "accounts.staff_deactivated user=%s sessions=%s tokens=%s",
        user.pk,
        sessions,
        tokens,
    )
    return user


# --- Two-factor sign-in (TOTP, with backup codes) ------------------------------

TOTP_DIGITS = 6
BACKUP_CODE_COUNT = 10


def _normalised(token: str) -> str:
    # Apps show "123 456"; backup codes may be typed in capitals.
    return "".join(token.split()).lower()


def _retry_after(locked_until: datetime | None) -> int:
    if locked_until is None:
        return 1
    return max(1, math.ceil((locked_until - timezone.now()).total_seconds()))


def _audit_failure(
    *,
    user: User,
    request: HttpRequest | None,
    reason: str,
    device: Device | None,
) -> None:
    audit_record(
        actor=user,
        action="staff.two_factor_failed",
        obj_type="staff_account",
        obj_id=user.pk,
        request=request,
        details={
            "reason": reason,
            "device": device.persistent_id if device is not None else "",
            "failures": getattr(device, "throttling_failure_count", 0),
        },
    )
    logger.warning("accounts.two_factor_failed user=%s reason=%s", user.pk, reason)


def staff_otp_verify(
    *, user: User, token: str, request: HttpRequest | None = None
) -> Device:
    """The device that accepts `token`: the current 6-digit code of her
    authenticator app, or one of her backup codes (used up by this).

    Raises OtpDeviceMissing, OtpTokenRequired, OtpTokenThrottled or
    OtpTokenInvalid; every refused code is audited.
    """
    token = _normalised(token)
    if not staff_has_totp_device(user=user):
        raise OtpDeviceMissing
    if not token:
        raise OtpTokenRequired
    is_totp = len(token) == TOTP_DIGITS and token.isdigit()
    model = TOTPDevice if is_totp else StaticDevice
    accepted: Device | None = None
    throttled = False
    locked_until: datetime | None = None
    # verify_token() writes the failure count that the throttle reads: raising in
    # this block would roll it back, so the outcome is only raised after it.
    with transaction.atomic():
        # Locked: guesses sent side by side must not all pass the throttle check.
        device = (
            model.objects.devices_for_user(user, confirmed=True)
            .select_for_update()
            .order_by("pk")
            .first()
        )
        if device is not None:
            allowed, info = device.verify_is_allowed()
            if not allowed:
                throttled = True
                locked_until = (info or {}).get("locked_until")
            elif device.verify_token(token):
                accepted = device
    if accepted is not None:
        return accepted
    if throttled:
        _audit_failure(user=user, request=request, reason="throttled", device=device)
        raise OtpTokenThrottled(retry_after=_retry_after(locked_until))
    _audit_failure(user=user, request=request, reason="wrong", device=device)
    raise OtpTokenInvalid


def staff_totp_device_pending(*, user: User) -> TOTPDevice:
    """The authenticator being set up: unconfirmed until its first code is
    entered. The same one on every call, so reloading the page keeps the QR code."""
    with transaction.atomic():
        # One pending device per account, even when the page is opened twice.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if staff_has_totp_device(user=user):
            raise AlreadyEnrolled
        device = (
            TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        )
        if device is None:
            device = TOTPDevice.objects.create(
                user=user, name="authenticator", confirmed=False
            )
    return device


def _backup_codes_replace(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code) for code in codes
    )
    return codes


def _totp_pending_confirmed(
    user: User, token: str
) -> tuple[str, TOTPDevice | None, list[str], datetime | None]:
    """Within the caller's transaction: the outcome (enrolled, throttled,
    confirmed, wrong), the pending device, its new backup codes, and until when
    a throttled device is locked."""
    device: TOTPDevice | None = None
    codes: list[str] = []
    outcome = "wrong"
    locked_until: datetime | None = None
    # The same lock as staff_totp_device_pending: one enrolment at a time.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if staff_has_totp_device(user=user):
        return "enrolled", None, codes, None
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=False)
        .select_for_update()
        .order_by("pk")
        .first()
    )
    if device is not None:
        allowed, info = device.verify_is_allowed()
        if not allowed:
            outcome = "throttled"
            locked_until = (info or {}).get("locked_until")
        elif device.verify_token(token):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            codes = _backup_codes_replace(user=user)
            outcome = "confirmed"
    return outcome, device, codes, locked_until


def staff_totp_confirm(
    *, user: User, token: str, request: HttpRequest | None = None
) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with its first code. Returns it and a new
    set of backup codes, which are shown once."""
    token = _normalised(token)
    if not token:
        raise OtpTokenRequired
    # As in staff_otp_verify: a refused code's count must outlive this block.
    with transaction.atomic():
        outcome, device, codes, locked_until = _totp_pending_confirmed(user, token)
    if outcome == "enrolled":
        raise AlreadyEnrolled
    if outcome == "confirmed" and device is not None:
        audit_record(
            actor=user,
            action="staff.two_factor_enrolled",
            obj_type="staff_account",
            obj_id=user.pk,
            request=request,
            details={"device": device.persistent_id},
        )
        logger.info("accounts.two_factor_enrolled user=%s", user.pk)
        return device, codes
    if outcome == "throttled":
        _audit_failure(user=user, request=request, reason="throttled", device=device)
        raise OtpTokenThrottled(retry_after=_retry_after(locked_until))
    _audit_failure(user=user, request=request, reason="wrong", device=device)
    raise OtpTokenInvalid


@transaction.atomic
def staff_two_factor_reset(
    *, user: User, by: User | None, request: HttpRequest | None = None
) -> int:
    """Remove every second-factor device of `user` (a lost phone) and end the
    sessions and tokens they opened; the next sign-in sets up a new one.
    Returns how many devices were removed."""
    removed = 0
    for model in device_classes():
        removed += model.objects.filter(user=user).count()
        model.objects.filter(user=user).delete()
    sessions, tokens = staff_sessions_end(user=user)
    audit_record(
        actor=by,
        action="staff.two_factor_reset",
        obj_type="staff_account",
        obj_id=user.pk,
        request=request,
        details={
            "devices_removed": removed,
            "sessions_ended": sessions,
            "tokens_revoked": tokens,
        },
    )
    logger.info("accounts.two_factor_reset user=%s devices=%s", user.pk, removed)
    return removed
