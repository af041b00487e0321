"""The admin admits program admins (and superusers) only.

Django's own rule is `is_staff`; a clinic or union account with that flag set by
mistake would otherwise see every record. Their answer is 403.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse

from accounts.permissions import may_use_admin


class ProgramAdminAuthenticationForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not may_use_admin(user):
            # The same words as a wrong password: the page tells nobody which
            # accounts exist or what they are.
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class StaffAdminSite(admin.AdminSite):
    login_form = ProgramAdminAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return may_use_admin(request.user)

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Django shows a signed-in member of staff without the right the login
        # form again; here that is a plain refusal.
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied
        return super().login(request, extra_context)
