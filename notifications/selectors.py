from django.db.models import Count, QuerySet

from notifications.models import Kind, MessageTemplate, Notification

# The field of a template that each gateway sends by: an approved template's code.
# The other backends send the text kept here and need none.
GATEWAY_TEMPLATE_FIELDS = {
    "aliyun": "aliyun_template_code",
    "tencent": "tencent_template_id",
}


def notification_status_counts(*, queryset: QuerySet[Notification]) -> dict[str, int]:
    rows = queryset.order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def message_template_codes(*, backend: str) -> dict[str, str]:
    """Every kind of message and its template code at `backend`, in Kind order:
    "" when the template has none, or there is no template. Empty for a backend
    that sends the text kept here."""
    field = GATEWAY_TEMPLATE_FIELDS.get(backend)
    if field is None:
        return {}
    codes = dict(MessageTemplate.objects.values_list("kind", field))
    return {kind: (codes.get(kind) or "").strip() for kind in Kind.values}


def message_kinds_without_code(*, backend: str) -> list[str]:
    """The kinds of message `backend` would fail to send for want of a code."""
    codes = message_template_codes(backend=backend)
    return [kind for kind, code in codes.items() if not code]
