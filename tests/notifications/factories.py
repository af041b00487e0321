"""Factories for the outbox."""

import factory
from django.utils import timezone

from common.crypto import keyed_hash
from notifications.models import Kind, Notification, Status


class NotificationFactory(factory.django.DjangoModelFactory):
    """A pending sign-in code, due now, to a phone of its own."""

    class Meta:
        model = Notification

    kind = Kind.OTP
    recipient_phone = factory.Sequence(lambda n: f"13{n:09d}")
    recipient_hash = factory.LazyAttribute(
        lambda o: keyed_hash(o.recipient_phone, purpose="phone")
    )
    context = factory.LazyFunction(lambda: {"code": "123456"})
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    send_at = factory.LazyFunction(timezone.now)
    status = Status.PENDING
