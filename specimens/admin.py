from django.contrib import admin

from specimens.models import Recollection, Specimen


@admin.register(Specimen)
class SpecimenAdmin(admin.ModelAdmin):
    # Read-only: every change goes through the services, which audit it.
    list_display = ("barcode", "kind", "status", "collected_at", "visit_id")
    list_filter = ("status", "kind")
    search_fields = ("barcode",)
    readonly_fields = [f.name for f in Specimen._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Recollection)
class RecollectionAdmin(admin.ModelAdmin):
    list_display = ("specimen", "kind", "opened_at", "closed_at")
    readonly_fields = [f.name for f in Recollection._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


# The failsafe's admin lives in its own package.
from specimens.failsafe import admin as _failsafe_admin  # noqa: E402, F401
from specimens.history import admin as history_admin  # noqa: E402, F401  (registers)
