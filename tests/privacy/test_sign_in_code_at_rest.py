"""A sign-in code opens a woman's account: it is kept encrypted in the outbox,
never shown in the admin, and erased once sent, used, replaced or expired."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from common.crypto import keyed_hash
from notifications.models import Notification, Status
from notifications.secrets import secret_params_of
from notifications.services import (
    notification_retry,
    notification_send,
    notifications_dispatch_due,
)
from screening.otp import otp_request, otp_verify
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
IP = "203.0.113.7"


def _row() -> Notification:
    return Notification.objects.filter(
        kind="otp", recipient_hash=keyed_hash(PHONE, purpose="phone")
    ).latest("id")


def _code() -> str:
    return secret_params_of(_row())["code"]


def _stored_columns(notification_id: int) -> str:
    """Every column of the row as the database holds it, as one text."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT row_to_json(n)::text FROM notifications_notification n "
            "WHERE id = %s",
            [notification_id],
        )
        return cursor.fetchone()[0]


def test_the_outbox_row_holds_the_code_only_encrypted() -> None:
    otp_request(phone_raw=PHONE, ip=IP)
    row = _row()
    code = _code()

    stored = _stored_columns(row.pk)

    assert code not in stored
    assert row.context.get("code") is None


def test_the_admin_never_shows_the_code(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    otp_request(phone_raw=PHONE, ip=IP)
    row = _row()
    code = _code()

    change = client.get(f"/admin/notifications/notification/{row.pk}/change/")
    listing = client.get("/admin/notifications/notification/")

    assert change.status_code == 200
    assert code not in change.content.decode()
    assert code not in listing.content.decode()


def test_the_code_is_erased_once_sent_and_still_reaches_her(sms_outbox) -> None:  # type: ignore[no-untyped-def]
    otp_request(phone_raw=PHONE, ip=IP)
    row = _row()
    code = _code()

    notification_send(notification_id=row.pk)

    [message] = sms_outbox
    assert message.params["code"] == code
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert row.secret_params is None


def test_an_unsent_code_is_erased_and_cancelled_once_expired() -> None:
    otp_request(phone_raw=PHONE, ip=IP)
    row = _row()
    # Held back (a gateway outage) until it is of no use.
    Notification.objects.filter(pk=row.pk).update(
        send_at=timezone.now() - timedelta(minutes=11)
    )

    notifications_dispatch_due()

    row.refresh_from_db()
    assert row.secret_params is None
    assert row.status == Status.CANCELLED


def test_a_replaced_code_is_erased_and_a_used_one_too() -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        otp_request(phone_raw=PHONE, ip=IP)
        first = _row()
        clock.shift(timedelta(minutes=2))
        otp_request(phone_raw=PHONE, ip=IP)
        second = _row()
        code = _code()

        otp_verify(phone_raw=PHONE, code=code)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.secret_params is None
    assert first.status == Status.CANCELLED
    assert second.secret_params is None


def test_staff_cannot_send_a_failed_code_again() -> None:
    otp_request(phone_raw=PHONE, ip=IP)
    row = _row()
    Notification.objects.filter(pk=row.pk).update(
        status=Status.FAILED, secret_params=None
    )

    assert notification_retry(notification_id=row.pk) is False
