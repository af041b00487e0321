"""The no-show sweep: bookings still booked an hour after their slot ended."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from scheduling.messages import message_missed
from scheduling.models import Appointment, AppointmentStatus
from scheduling.transitions import (
    NO_SHOW,
    appointment_transition,
)

logger = logging.getLogger(__name__)

NO_SHOW_BATCH = 500


def _mark_no_show(appointment_id: int, *, now: datetime) -> bool:
    """One appointment, in its own transaction with its message."""
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_related("slot__site", "participant")
            .filter(pk=appointment_id)
            .first()
        )
        # A no-show no longer holds a funded place: she may book again.
        if appointment is None or not appointment_transition(
            appointment, NO_SHOW, now=now
        ):
            return False
        message_missed(appointment=appointment)
    return True


def appointments_mark_no_show(*, now: datetime | None = None) -> int:
    """Mark as `no_show` every appointment still `booked` NO_SHOW_AFTER_MINUTES
    (default 60) after its slot ended, and queue her `missed` message with a
    link to book again. Nothing is released: the slot is over.

    Idempotent and safe beside check-ins: each row changes by a compare-and-swap
    from `booked`, in its own transaction with its message, so a woman checked
    in at the last moment is left alone. Returns how many it marked.
    """
    now = now or timezone.now()
    minutes = getattr(settings, "NO_SHOW_AFTER_MINUTES", 60)
    cutoff = now - timedelta(minutes=minutes)
    marked = 0
    while True:
        ids = list(
            Appointment.objects.filter(
                status=AppointmentStatus.BOOKED, slot__ends_at__lte=cutoff
            )
            .order_by("slot__ends_at", "id")
            .values_list("id", flat=True)[:NO_SHOW_BATCH]
        )
        marked += sum(_mark_no_show(appointment_id, now=now) for appointment_id in ids)
        if len(ids) < NO_SHOW_BATCH:
            break
    if marked:
        logger.info("scheduling.no_shows_marked count=%s", marked)
    return marked
