from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import StaffToken, User
from accounts.permissions import may_use_admin
from accounts.program_admins import program_admin_group_sync
from accounts.services import staff_deactivate, staff_two_factor_reset

# Devices are reset through the audited action below, never edited one by one:
# django-otp's own pages would show the secret keys and skip the audit trail.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ("username", "role", "is_active", "has_two_factor", "last_login")
    list_filter = ("role", "is_active")
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Role"), {"fields": ("role",)}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Role"), {"fields": ("role",)}),
    )
    actions = ("disable_and_sign_out", "reset_two_factor")

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(_two_factor=Exists(devices))

    @admin.display(boolean=True, description=_("two-factor sign-in"))
    def has_two_factor(self, obj: User) -> bool:
        return bool(getattr(obj, "_two_factor", False))

    def has_staff_security_permission(self, request: HttpRequest) -> bool:
        return may_use_admin(request.user)

    # Only a superuser hands out permissions: a program admin who could would
    # make herself one.
    SUPERUSER_ONLY_FIELDS = ("is_superuser", "groups", "user_permissions")

    def get_readonly_fields(
        self, request: HttpRequest, obj: User | None = None
    ) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if getattr(request.user, "is_superuser", False):
            return fields
        return (*fields, *self.SUPERUSER_ONLY_FIELDS)

    def has_change_permission(
        self, request: HttpRequest, obj: User | None = None
    ) -> bool:
        # A superuser's password or flags are not a program admin's to change.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(
        self, request: HttpRequest, obj: User, form: Any, change: bool
    ) -> None:
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Ended and audited inside the admin's transaction, before the rest
            # of the form is saved.
            staff_deactivate(user=obj, by=request.user, request=request)  # type: ignore[arg-type]
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        # After the form's own groups: the role decides the program admins' group.
        program_admin_group_sync(user=form.instance)

    def _others(self, request: HttpRequest, queryset: QuerySet[User]) -> list[User]:
        me = cast(int, request.user.pk)
        if queryset.filter(pk=me).exists():
            self.message_user(
                request,
                _("Your own account was left out: ask another program admin."),
                messages.WARNING,
            )
        return list(queryset.exclude(pk=me))

    @admin.action(
        description=_("Disable and sign out everywhere"),
        permissions=["staff_security"],
    )
    def disable_and_sign_out(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> None:
        users = self._others(request, queryset)
        for user in users:
            staff_deactivate(user=user, by=request.user, request=request)  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext(
                "%(count)d account disabled; its sessions and API tokens ended.",
                "%(count)d accounts disabled; their sessions and API tokens ended.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Reset two-factor sign-in (lost phone)"),
        permissions=["staff_security"],
    )
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        users = self._others(request, queryset)
        for user in users:
            staff_two_factor_reset(user=user, by=request.user, request=request)  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext(
                "Two-factor sign-in reset for %(count)d account: it sets up a new "
                "authenticator at its next sign-in.",
                "Two-factor sign-in reset for %(count)d accounts: each sets up a "
                "new authenticator at its next sign-in.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )


@admin.register(StaffToken)
class StaffTokenAdmin(admin.ModelAdmin):
    """Tokens can be revoked here; their keys were never stored."""

    list_display = ("user", "created_at", "expires_at")
    list_select_related = ("user",)
    readonly_fields = ("user", "key_hash", "created_at", "expires_at")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False
