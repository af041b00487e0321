from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.audit import audit_record
from common.masking import mask_phone
from notifications.models import MessageTemplate, Notification, Status
from notifications.selectors import notification_status_counts
from notifications.services import notification_retry

# The counts staff watch at the top of the list, in the order a message moves.
STATUS_COUNTS_SHOWN = (Status.PENDING, Status.SENT, Status.DELIVERED, Status.FAILED)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("kind", "body_zh", "aliyun_template_code", "tencent_template_id")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "kind",
        "masked_phone",
        "status",
        "send_at",
        "attempts",
        "sent_at",
        "last_error",
    )
    list_filter = ("kind", "status", ("send_at", admin.DateFieldListFilter))
    date_hierarchy = "send_at"
    search_fields = ("dedupe_key", "recipient_ref")
    actions = ("retry",)
    exclude = ("recipient_phone", "recipient_hash")
    readonly_fields = (
        "kind",
        "masked_phone",
        "recipient_ref",
        "language",
        "context",
        "dedupe_key",
        "send_at",
        "not_after",
        "status",
        "attempts",
        "claimed_at",
        "sent_at",
        "delivered_at",
        "provider",
        "provider_message_id",
        "last_error",
    )

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: Notification) -> str:
        return mask_phone(obj.recipient_phone)

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context=extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            # Counted over the filtered list: "failed today" is one click away.
            counts = notification_status_counts(queryset=changelist.queryset)
            response.context_data["notification_status_counts"] = [
                (label, counts.get(value, 0))
                for value, label in Status.choices
                if value in STATUS_COUNTS_SHOWN
            ]
        return response

    @admin.action(
        description=_("Retry the selected failed or skipped messages"),
        permissions=["change"],
    )
    def retry(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        retried = 0
        ids = queryset.filter(status__in=[Status.FAILED, Status.SKIPPED]).values_list(
            "pk", flat=True
        )
        for notification_id in ids:
            if notification_retry(notification_id=notification_id):
                retried += 1
                audit_record(
                    actor=request.user,
                    action="notification.retry",
                    obj_type="notification",
                    obj_id=notification_id,
                    request=request,
                )
        self.message_user(
            request,
            ngettext(
                "%(count)d message goes out again.",
                "%(count)d messages go out again.",
                retried,
            )
            % {"count": retried},
            messages.SUCCESS if retried else messages.WARNING,
        )
