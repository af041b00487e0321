"""Admins edit each campaign's failsafe limits; the worklist items and recalls
are read-only here, since every change goes through the audited services."""

from django.contrib import admin

from specimens.failsafe_models import FailsafeItem, FailsafePolicy


@admin.register(FailsafePolicy)
class FailsafePolicyAdmin(admin.ModelAdmin):
    list_display = ("campaign", "remind_days", "escalate_days", "lost_days")
    fields = ("campaign", "remind_days", "escalate_days", "lost_days", "digest_phone")


@admin.register(FailsafeItem)
class FailsafeItemAdmin(admin.ModelAdmin):
    list_display = ("specimen_id", "tier", "site_name", "collected_at", "close_reason")
    list_filter = ("tier", "close_reason")
    readonly_fields = [f.name for f in FailsafeItem._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
