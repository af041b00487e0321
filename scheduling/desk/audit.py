"""Each woman a desk list showed, audited on her own record.

A day list or a search used to be audited once, on the site, so her "who looked
at my record" never named the desk that listed her. Now every appointment shown
gets its own event, which her data page finds through her appointments.

The day list refreshes itself every minute all day: to keep the trail readable
(and the table small) a woman already recorded as shown to the same account by
the same list within the last hour is not recorded again. Searches are always
recorded: each one is a deliberate look.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from common.audit import client_ip
from common.models import AuditEvent

DAY_LIST_ACTION = "appointment.listed"
SEARCH_MATCH_ACTION = "appointment.search_match"
REPEAT_WITHIN = timedelta(hours=1)


def _authenticated(by: Any) -> bool:
    return by is not None and getattr(by, "is_authenticated", False)


def audit_women_shown(
    *,
    by: Any,
    action: str,
    appointment_ids: Iterable[int],
    purpose: str,
    request: HttpRequest | None = None,
    details: dict[str, Any] | None = None,
    repeat_within: timedelta | None = None,
) -> int:
    """One audit event per appointment shown, in one INSERT; with
    `repeat_within`, none for those shown to `by` by `action` that recently.
    Returns how many were written."""
    ids = [str(pk) for pk in dict.fromkeys(appointment_ids)]
    if not ids:
        return 0
    actor = by if _authenticated(by) else None
    if repeat_within is not None and actor is not None:
        recent = set(
            AuditEvent.objects.filter(
                object_type="appointment",
                object_id__in=ids,
                actor=actor,
                action=action,
                created_at__gte=timezone.now() - repeat_within,
            ).values_list("object_id", flat=True)
        )
        ids = [pk for pk in ids if pk not in recent]
    ip = client_ip(request)
    label = getattr(actor, "username", "") if actor is not None else "system"
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor,
                actor_label=label,
                action=action,
                object_type="appointment",
                object_id=pk,
                purpose=purpose,
                ip_address=ip,
                details=details or {},
            )
            for pk in ids
        ]
    )
    return len(ids)
