from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import StaffToken, User


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ("username", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Role"), {"fields": ("role",)}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Role"), {"fields": ("role",)}),
    )


@admin.register(StaffToken)
class StaffTokenAdmin(admin.ModelAdmin):
    """Tokens can be revoked here; their keys were never stored."""

    list_display = ("user", "created_at", "expires_at")
    list_select_related = ("user",)
    readonly_fields = ("user", "key_hash", "created_at", "expires_at")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False
