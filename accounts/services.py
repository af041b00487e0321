from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from accounts.models import Role, User


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
