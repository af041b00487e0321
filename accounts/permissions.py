"""Who may reach what. Each check on its own line, so a reviewer can read the rule."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework import permissions
from rest_framework.request import Request

from accounts.models import Role


def is_staff_with_role(user: Any, *roles: str) -> bool:
    if user is None:
        return False
    if not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_active", False):
        return False
    return getattr(user, "role", None) in roles


def may_use_admin(user: Any) -> bool:
    """Django's admin: program admins and superusers, never clinic or union staff,
    whatever their `is_staff` flag says."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_active", False):
        return False
    if not getattr(user, "is_staff", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return getattr(user, "role", None) == Role.ADMIN


class IsClinicStaff(permissions.BasePermission):
    """Clinic staff, and program admins acting at the desk."""

    def has_permission(self, request: Request, view: object) -> bool:
        return is_staff_with_role(request.user, Role.CLINIC, Role.ADMIN)


class IsUnionStaff(permissions.BasePermission):
    """Union staff and program admins: aggregates only, never a person."""

    def has_permission(self, request: Request, view: object) -> bool:
        return is_staff_with_role(request.user, Role.UNION, Role.ADMIN)


def staff_page(*roles: str) -> Callable:
    """Page decorator: signed-out staff go to the staff login; a wrong role is 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_staff_with_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
