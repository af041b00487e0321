"""An audit event for every admin view of one personal record.

Program admins have no permission on these records; superusers still see them,
and each look at one (its change or history page) is recorded, as every staff
read of an individual record is. The event names the record as her data page
counts it ("who looked at my record"): her participant row, her appointment,
her visit (for its results and summary), her follow-up case.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from common.audit import audit_record

ADMIN_VIEW_ACTION = "admin.record_viewed"


class AuditedRecordAdmin(admin.ModelAdmin):
    """A ModelAdmin whose record pages write an audit event when shown."""

    # The audit's object type; `audit_ref` may name another (a result's visit).
    audit_object_type = ""

    def audit_ref(self, obj: Any) -> tuple[str, str]:
        return self.audit_object_type or obj._meta.model_name, str(obj.pk)

    def _audit_view(self, request: HttpRequest, object_id: str, page: str) -> None:
        obj = self.get_object(request, object_id)
        if obj is None:
            return
        object_type, object_pk = self.audit_ref(obj)
        audit_record(
            actor=request.user,
            action=ADMIN_VIEW_ACTION,
            obj_type=object_type,
            obj_id=object_pk,
            request=request,
            details={"model": obj._meta.label_lower, "id": obj.pk, "page": page},
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            self._audit_view(request, object_id, "change")
        return response

    def history_view(
        self,
        request: HttpRequest,
        object_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            self._audit_view(request, object_id, "history")
        return response
