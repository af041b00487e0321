"""A booking for another site, brought to this desk.

A nurse who works at several sites could check in, at one desk, a booking made
for another of them: the check-in succeeded with a green message and the woman
then vanished from this desk's list and counts, since both are the booked
site's. Now the desk says where she booked and asks, as it does for another
day; once the nurse confirms that she is here, the visit is opened at this desk's
site (where her results will be entered) and the check-in is audited as "came
to another site".
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError
from scheduling.models import Appointment, Site


class BookedElsewhere(ApplicationError):
    code = "booked_elsewhere"
    status = 400

    def __init__(self, *, booked_site: Site, here: Site) -> None:
        super().__init__(
            _(
                "This booking is for %(booked)s, not %(here)s. Check her in here "
                "only if she is here now: her results will then be entered at "
                "%(here)s."
            )
            % {"booked": booked_site.name, "here": here.name},
            extra={"booked_site": booked_site.pk, "booked_site_name": booked_site.name},
        )


def checkin_site(
    *, appointment: Appointment, at_site: Site | None, force_site: bool
) -> Site:
    """The site her visit opens at: the desk's own when it is asked for and she
    booked elsewhere (only once `force_site` confirms it), else the booked one.
    Raises BookedElsewhere."""
    booked_site = appointment.slot.site
    if at_site is None or at_site.pk == booked_site.pk:
        return booked_site
    if not force_site:
        raise BookedElsewhere(booked_site=booked_site, here=at_site)
    return at_site
