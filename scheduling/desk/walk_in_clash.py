"""What the desk is told when a walk-in already has a booking or a visit in the
campaign. The message is for the nurse, not the woman, and names the reference
she can act on; a booking at a site the nurse does not work at is said to exist,
and no more (as a check-in of it would say)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils.formats import date_format
from django.utils.translation import gettext

from scheduling.errors import AlreadyBooked
from scheduling.models import Appointment, AppointmentStatus, Site


def walk_in_clash(
    *, appointment: Appointment, here: Site, known: bool
) -> AlreadyBooked:
    booked_site = appointment.slot.site
    if not known:
        return AlreadyBooked(
            gettext(
                "She already has a booking in this campaign at another hospital. "
                "She cannot be registered as a walk-in; ask her to move that "
                "booking or call the programme."
            )
        )
    starts = appointment.slot.starts_at.astimezone(ZoneInfo(booked_site.timezone))
    values = {
        "reference": appointment.reference,
        "site": booked_site.name,
        "when": date_format(starts, "Y-m-d H:i"),
    }
    if appointment.status != AppointmentStatus.BOOKED:
        text = gettext(
            "She is already checked in in this campaign, reference %(reference)s "
            "(%(site)s). Open her results from the day list instead of "
            "registering her again."
        )
    elif booked_site.pk == here.pk:
        text = gettext(
            "She already has booking %(reference)s here, for %(when)s. Check her "
            "in with that reference instead of registering her."
        )
    else:
        text = gettext(
            "She already has booking %(reference)s at %(site)s, for %(when)s. "
            "Check her in with that reference: the desk will ask before checking "
            "her in here."
        )
    return AlreadyBooked(
        text % values,
        extra={
            "reference": appointment.reference,
            "status": appointment.status,
            "site": booked_site.pk,
        },
    )
