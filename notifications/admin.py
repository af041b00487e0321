from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.admin_audit import AuditedRecordAdmin
from common.audit import audit_record
from common.masking import mask_phone
from notifications.models import Kind, MessageTemplate, Notification, Status
from notifications.selectors import (
    GATEWAY_TEMPLATE_FIELDS,
    message_kinds_without_code,
    notification_status_counts,
)
from notifications.services import notification_retry

# The counts staff watch at the top of the list, in the order a message moves.
STATUS_COUNTS_SHOWN = (Status.PENDING, Status.SENT, Status.DELIVERED, Status.FAILED)

# What staff can do about a permanent failure, by the code after the gateway's
# name in `last_error` (notifications.backends.base.MessageNotSendable).
ERROR_ADVICE = {
    "template_missing": _(
        "This kind of message has no approved template code for the gateway: "
        "enter it under Message templates, then retry."
    ),
    "template_param_missing": _(
        "The gateway template names a parameter this message does not have: "
        "check the template's parameter names."
    ),
    "invalid_phone": _("The number is not a mainland mobile number."),
}


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = (
        "kind",
        "body_zh",
        "aliyun_template_code",
        "tencent_template_id",
        "wechat_template_id",
        "voice_tts_code",
    )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        # Said before going live, not learnt from the first failed reminder.
        backend = settings.SMS_BACKEND
        missing = message_kinds_without_code(backend=backend)
        if missing and request.method == "GET":
            field = MessageTemplate._meta.get_field(GATEWAY_TEMPLATE_FIELDS[backend])
            label = getattr(field, "verbose_name", field.name)
            self.message_user(
                request,
                ngettext(
                    "%(count)d kind of message has no %(field)s and would fail "
                    "when sent: %(kinds)s.",
                    "%(count)d kinds of message have no %(field)s and would fail "
                    "when sent: %(kinds)s.",
                    len(missing),
                )
                % {
                    "count": len(missing),
                    "field": label,
                    "kinds": ", ".join(str(Kind(kind).label) for kind in missing),
                },
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(Notification)
class NotificationAdmin(AuditedRecordAdmin):
    list_display = (
        "kind",
        "channel",
        "masked_phone",
        "status",
        "send_at",
        "attempts",
        "sent_at",
        "error",
    )
    list_filter = ("kind", "channel", "status", ("send_at", admin.DateFieldListFilter))
    date_hierarchy = "send_at"
    search_fields = ("dedupe_key", "recipient_ref")
    actions = ("retry",)
    # The secret parameters (a sign-in code) are never shown, not even masked.
    # The parameters (message contents: names, times, references) are shown to
    # superusers only, read-only; program admins see kinds, states and errors.
    # Her WeChat openid is never shown either: it means nothing to staff.
    exclude = (
        "recipient_phone",
        "recipient_hash",
        "secret_params",
        "context",
        "recipient_openid",
    )
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
        "channel",
        "fallback",
        "handed_on_at",
    )

    def get_readonly_fields(
        self, request: HttpRequest, obj: Notification | None = None
    ) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if getattr(request.user, "is_superuser", False):
            return fields
        return tuple(field for field in fields if field != "context")

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: Notification) -> str:
        return mask_phone(obj.recipient_phone)

    @admin.display(description=_("last error"), ordering="last_error")
    def error(self, obj: Notification) -> str:
        advice = ERROR_ADVICE.get(obj.last_error.partition(":")[2])
        if advice is None:
            return obj.last_error
        return format_html("{}<br>{}", obj.last_error, advice)

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
