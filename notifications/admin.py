from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common.masking import mask_phone
from notifications.models import MessageTemplate, Notification


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
    exclude = ("recipient_phone", "recipient_hash")
    readonly_fields = (
        "kind",
        "masked_phone",
        "recipient_ref",
        "language",
        "context",
        "dedupe_key",
        "send_at",
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
