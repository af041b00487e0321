"""The slower lock on a staff account as a whole, and the alert when someone
hammers one.

django-axes locks an account *from one address* after AXES_FAILURE_LIMIT
failures: a guesser elsewhere can no longer lock a nurse out of her own desk by
typing her name. Guessing from many addresses is still stopped: after
STAFF_ACCOUNT_FAILURE_LIMIT failures in the cool-off window, from any address,
the account is locked everywhere until the window has passed, and the program
admins are told (log, audit event, mail to ADMINS), once per window.
"""

import logging

from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.core.mail import mail_admins
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from common.audit import audit_record
from common.client_address import client_address
from common.crypto import keyed_hash

logger = logging.getLogger(__name__)


def staff_account_failures(*, username: str) -> int:
    """Failed sign-ins into `username` from every address within the window."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=since
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return int(total or 0)


def staff_account_locked(*, username: str) -> bool:
    return staff_account_failures(username=username) >= (
        settings.STAFF_ACCOUNT_FAILURE_LIMIT
    )


def _alert_key(username: str) -> str:
    return "staff-lockout-alert:" + keyed_hash(username, purpose="lockout")


def staff_lockout_alert(
    *, username: str, request: HttpRequest | None, scope: str
) -> None:
    """Say that an account was locked: from one address (`scope` "address") in
    the log and the audit trail; as a whole ("account") also by mail to the
    program admins, once per cool-off window."""
    address = client_address(request)
    details = {"scope": scope, "username": username}
    if scope == "address":
        logger.warning("staff.locked_out scope=address address=%s", address)
        audit_record(
            actor=None,
            action="staff.locked_out",
            obj_type="user",
            obj_id=username,
            request=request,
            details=details,
        )
        return
    window = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if not cache.add(_alert_key(username), 1, timeout=window):
        return
    failures = staff_account_failures(username=username)
    addresses = (
        AccessAttempt.objects.filter(username=username)
        .values("ip_address")
        .distinct()
        .count()
    )
    logger.error("staff.account_locked failures=%s addresses=%s", failures, addresses)
    audit_record(
        actor=None,
        action="staff.account_locked",
        obj_type="user",
        obj_id=username,
        request=request,
        details={**details, "failures": failures, "addresses": addresses},
    )
    mail_admins(
        "Staff account locked after repeated failed sign-ins",
        f"The account {username!r} had {failures} failed sign-ins from "
        f"{addresses} addresses in the last {window // 60} minutes and is locked "
        "from every address until they stop. If nobody in the team was "
        "mistyping, someone is guessing its password.",
        fail_silently=True,
    )
