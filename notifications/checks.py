"""System checks: what would make messages fail once the site is live."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Error as CheckError
from django.core.checks import Warning as CheckWarning
from django.db import DEFAULT_DB_ALIAS, connections

from notifications.models import MessageTemplate
from notifications.selectors import GATEWAY_TEMPLATE_FIELDS, message_kinds_without_code


@register(Tags.database)
def gateway_template_codes_check(
    app_configs: Sequence[AppConfig] | None = None,
    databases: Sequence[str] | None = None,
    **kwargs: Any,
) -> list[CheckMessage]:
    """With Alibaba or Tencent Cloud chosen, every kind of message needs the code
    of its approved template there, or each such message fails when it is due.
    A database check, so asked by `migrate` and `check --database default`."""
    backend = settings.SMS_BACKEND
    if backend not in GATEWAY_TEMPLATE_FIELDS or DEFAULT_DB_ALIAS not in (
        databases or []
    ):
        return []
    connection = connections[DEFAULT_DB_ALIAS]
    if MessageTemplate._meta.db_table not in connection.introspection.table_names():
        # `migrate` asks before it has created the table.
        return []
    missing = message_kinds_without_code(backend=backend)
    if not missing:
        return []
    field = GATEWAY_TEMPLATE_FIELDS[backend]
    return [
        CheckWarning(
            f"SMS_BACKEND is {backend}, and these kinds of message have no "
            f"template code there ({field}): {', '.join(missing)}. Each would "
            "fail when sent.",
            hint="Enter the code of each approved template in the admin, under "
            "Messages > Message templates; `manage.py check_sms_templates` lists "
            "them.",
            id="notifications.W001",
        )
    ]


PROCESS_LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache",)


@register(Tags.caches)
def immediate_kick_cache_check(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Sharing one send task between answers needs a cache the worker shares:
    with a per-process cache the worker's 'started' never reaches the web
    processes, and answers would wait for beat."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if not settings.OUTBOX_COALESCE_IMMEDIATE or backend not in PROCESS_LOCAL_CACHES:
        return []
    return [
        CheckError(
            "OUTBOX_COALESCE_IMMEDIATE is on, but the default cache is kept in "
            "each process: answers due at once (booking confirmations, sign-in "
            "codes) would wait up to a minute for beat.",
            hint="Point CACHE_URL (or REDIS_URL) at a Redis, or set "
            "OUTBOX_COALESCE_IMMEDIATE=false.",
            id="notifications.E001",
        )
    ]


DEVELOPMENT_BACKENDS = ("console", "file", "locmem")


@register(Tags.security)
def development_sms_backend_check(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Production settings refuse the backends that keep phone numbers and
    sign-in codes in logs, a file or memory instead of sending them: asked by
    `migrate` (so compose starts no web process) and by `check --deploy`."""
    backend = settings.SMS_BACKEND
    if settings.SMS_DEVELOPMENT_BACKENDS_ALLOWED or backend not in (
        DEVELOPMENT_BACKENDS
    ):
        return []
    return [
        CheckError(
            f"SMS_BACKEND is {backend}, which writes phone numbers and sign-in "
            "codes to logs, a file or memory instead of sending them.",
            hint="Set SMS_BACKEND to aliyun, tencent or http in production.",
            id="notifications.E002",
        )
    ]
