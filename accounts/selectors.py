"""Reads about staff accounts and their second factor."""

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User


def staff_two_factor_required() -> bool:
    """Read per call, so a test (or an operator) can switch it without a restart."""
    return bool(getattr(settings, "STAFF_TWO_FACTOR_REQUIRED", True))


def staff_has_totp_device(*, user: User) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def staff_backup_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
