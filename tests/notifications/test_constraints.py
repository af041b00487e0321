"""Invariants of the outbox that the database enforces."""

import pytest
from django.db import IntegrityError, transaction

from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_two_messages_cannot_share_a_dedupe_key():
    first = NotificationFactory(dedupe_key="appointment:1:reminder_day_before")

    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationFactory(dedupe_key=first.dedupe_key)
