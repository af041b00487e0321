"""Scheduling's answers to screening's signals (screening cannot import us)."""

import logging
from typing import Any

from common.errors import ApplicationError
from scheduling.models import AppointmentStatus
from scheduling.selectors import appointment_list_for_participant
from scheduling.services import appointment_cancel
from screening.local_times import local_iso
from screening.models import Participant
from screening.privacy import PersonalDataSection
from screening.signals import consent_withdrawn, personal_data_requested

logger = logging.getLogger(__name__)


def cancel_bookings_on_withdrawal(
    sender: Any, *, participant: Participant, **kwargs: Any
) -> None:
    """Without consent to process her health data there is no screening to book."""
    # In the order of their slots, as every path locks slots (ADR 0009): two
    # women withdrawing at once from the same two slots cannot wait on each other.
    booked = (
        appointment_list_for_participant(participant=participant)
        .filter(status=AppointmentStatus.BOOKED)
        .order_by("slot_id")
    )
    for appointment in booked:
        try:
            appointment_cancel(appointment=appointment)
        except ApplicationError as error:
            # Her visit time has come (a check-in or no-show now): the desk
            # decides; the consent is withdrawn all the same.
            logger.info(
                "appointments.not_cancelled_on_withdrawal id=%s code=%s",
                appointment.pk,
                error.code,
            )


def appointments_for_data_page(
    sender: Any, *, participant: Participant, **kwargs: Any
) -> PersonalDataSection:
    appointments = list(appointment_list_for_participant(participant=participant))
    return PersonalDataSection(
        key="appointments",
        rows=[
            {
                "reference": appointment.reference,
                "campaign": appointment.campaign.name,
                "site": appointment.slot.site.name,
                # Her visit in the site's own time, as her booking page shows it.
                "starts_at": local_iso(
                    appointment.slot.starts_at, appointment.slot.site.timezone
                ),
                "time_zone": appointment.slot.site.timezone,
                "status": appointment.status,
                "status_label": str(appointment.get_status_display()),
                "booked_at": local_iso(appointment.created_at),
                "cancelled_at": local_iso(appointment.cancelled_at),
            }
            for appointment in appointments
        ],
        audit_refs=[
            ("appointment", str(appointment.pk)) for appointment in appointments
        ],
    )


def connect() -> None:
    consent_withdrawn.connect(
        cancel_bookings_on_withdrawal, dispatch_uid="scheduling.cancel_on_withdrawal"
    )
    personal_data_requested.connect(
        appointments_for_data_page, dispatch_uid="scheduling.data_page"
    )
