"""Secret message parameters (a sign-in code): kept encrypted in the outbox row
only while the message may still go out, and erased after.

A code in the clear in the outbox would let anyone with database or admin
access sign in as the woman it was sent to; encrypted, it still opens her
account to whoever holds the key, so it is kept no longer than it is needed.
"""

import json
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from notifications.models import Notification, Status

# No secret parameter is of use longer than this: sign-in codes live five
# minutes. The dispatcher erases older ones every minute.
SECRET_LIFETIME = timedelta(minutes=10)

WAITING = (Status.PENDING, Status.QUEUED)
# Once a row is in one of these, its secret is never sent again.
DONE = (
    Status.SENT,
    Status.DELIVERED,
    Status.FAILED,
    Status.CANCELLED,
    Status.SKIPPED,
)


def secret_params_pack(params: dict[str, str] | None) -> str | None:
    """The stored form of `params`: None when there are none."""
    if not params:
        return None
    return json.dumps({key: str(value) for key, value in params.items()})


def secret_params_of(notification: Notification) -> dict[str, str]:
    """The secret parameters of a row, {} once erased."""
    if not notification.secret_params:
        return {}
    return dict(json.loads(notification.secret_params))


def notifications_erase_secrets(*, now: datetime | None = None) -> int:
    """Erase the secret parameters of every row that is done or was due more
    than SECRET_LIFETIME ago (its code has expired, sent or not); the number
    of rows erased. The column is encrypted and can be filtered on only for
    being empty (NULL), which notification_secret_idx answers."""
    now = now or timezone.now()
    holding = Notification.objects.filter(secret_params__isnull=False)
    # Not sent in time: it would arrive dead, and without its secret it cannot go.
    late = holding.filter(status__in=WAITING, send_at__lt=now - SECRET_LIFETIME)
    erased = late.update(status=Status.CANCELLED, secret_params=None, updated_at=now)
    rows = holding.filter(Q(status__in=DONE) | Q(send_at__lt=now - SECRET_LIFETIME))
    return erased + rows.update(secret_params=None, updated_at=now)


def notification_erase_secret(*, recipient_ref: str) -> int:
    """Erase the secret of the rows sent to `recipient_ref` and cancel those not
    yet sent: a code used or replaced by a new one opens nothing any more."""
    now = timezone.now()
    rows = Notification.objects.filter(
        recipient_ref=recipient_ref, secret_params__isnull=False
    )
    rows.filter(status__in=WAITING).update(status=Status.CANCELLED)
    return rows.update(secret_params=None, updated_at=now)
