"""Admins edit the questions' wording (the hospital approves it). Her answers
are never shown here: the admin lists only when they were filled and confirmed."""

from django.contrib import admin

from specimens.history.models import ClinicalHistory, HistoryQuestion


@admin.register(HistoryQuestion)
class HistoryQuestionAdmin(admin.ModelAdmin):
    list_display = ("key", "text_zh", "text_en", "answer_kind", "position", "active")
    list_editable = ("position", "active")
    list_filter = ("active",)

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        # The key names past answers: it stays as it was written.
        return ("key",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(ClinicalHistory)
class ClinicalHistoryAdmin(admin.ModelAdmin):
    list_display = ("pk", "campaign", "filled_at", "confirmed_at", "visit_id")
    fields = ("campaign", "filled_at", "confirmed_at", "confirmed_by", "visit")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
