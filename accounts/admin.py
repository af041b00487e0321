from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


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
