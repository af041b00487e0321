from django.db.models import Count, QuerySet

from notifications.models import Notification


def notification_status_counts(*, queryset: QuerySet[Notification]) -> dict[str, int]:
    rows = queryset.order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}
