from django.contrib import admin

from common.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is evidence, so nobody edits or deletes it."""

    list_display = (
        "created_at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "ip_address",
    )
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
