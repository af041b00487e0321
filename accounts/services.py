import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from accounts.authentication import staff_token_hash
from accounts.models import Role, StaffToken, User

logger = logging.getLogger(__name__)


@transaction.atomic
def staff_create(*, username: str, role: str, password: str) -> User:
    """Create or update a staff account; admins get Django's admin, others do not."""
    if role not in Role.values:
        raise ValueError(f"role must be one of {', '.join(Role.values)}")
    user = User.objects.filter(username=username).first() or User(username=username)
    validate_password(password, user)
    user.role = role
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN
    user.is_active = True
    user.set_password(password)
    user.save()
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
