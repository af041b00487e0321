"""Writing audit events: one function, so every caller records the same fields."""

from typing import Any

from django.http import HttpRequest

from common.client_address import client_address
from common.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    # Through the trusted proxies (TRUSTED_PROXY_HOPS), not the proxy itself.
    return client_address(request)


def audit_record(
    *,
    actor: Any | None,
    action: str,
    obj_type: str,
    obj_id: int | str,
    request: HttpRequest | None = None,
    purpose: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_label=getattr(actor, "username", "") if authenticated else "system",
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        purpose=purpose,
        ip_address=client_ip(request),
        details=details or {},
    )
