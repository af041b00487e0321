"""Check-in at the desk and its undo.

Check-in calls down into screening to open the visit that results attach to, in
the same transaction: a check-in without its visit, or a visit without its
check-in, never commits.
"""

import logging
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import time_format

from accounts.models import User
from common.audit import audit_record
from notifications.services import notifications_cancel_pending
from scheduling.desk.checkin_site import checkin_site
from scheduling.desk.selectors import (
    desk_appointment_get,
    desk_sites,
    site_today,
)
from scheduling.errors import (
    AlreadyCheckedIn,
    AppointmentCancelled,
    AppointmentChanged,
    AppointmentNotFound,
    MarkedNoShow,
    NotCheckedIn,
    NotToday,
    OtherSite,
    UndoExpired,
)
from scheduling.messages import dedupe_prefix
from scheduling.models import Appointment, AppointmentStatus, Site
from scheduling.references import normalise_reference
from scheduling.transitions import (
    CHECK_IN,
    UNDO_CHECK_IN,
    UNDO_WALK_IN,
    appointment_transition,
)
from screening import selectors as screening_selectors
from screening import services as screening_services
from stations import services as station_services

logger = logging.getLogger(__name__)

# How a woman was found at the desk; kept in the audit trail of her check-in.
VIA_REFERENCE = "reference"
VIA_QR = "qr"
VIA_SEARCH = "search"
VIA_WALK_IN = "walk_in"


def _undo_window() -> timedelta:
    return timedelta(minutes=getattr(settings, "CHECKIN_UNDO_MINUTES", 15))


def _local_clock(moment: datetime, site: Site) -> str:
    return time_format(moment.astimezone(ZoneInfo(site.timezone)), "H:i")


def _local_day(moment: datetime, site: Site) -> date:
    return moment.astimezone(ZoneInfo(site.timezone)).date()


# --- Check-in ---------------------------------------------------------------------


def appointment_for_checkin(*, reference: str | None, token: str | None) -> Appointment:
    appointments = Appointment.objects.select_related(
        "slot__site", "participant", "campaign"
    )
    if token:
        appointment = appointments.filter(checkin_token=token.strip()).first()
    elif reference:
        appointment = appointments.filter(
            reference=normalise_reference(reference)
        ).first()
    else:
        appointment = None
    if appointment is None:
        raise AppointmentNotFound
    return appointment


def _refuse_unless_booked(appointment: Appointment) -> None:
    site = appointment.slot.site
    status = appointment.status
    if status == AppointmentStatus.CANCELLED:
        raise AppointmentCancelled
    if status in (AppointmentStatus.CHECKED_IN, AppointmentStatus.SCREENED):
        at = appointment.checked_in_at or appointment.updated_at
        raise AlreadyCheckedIn(at=_local_clock(at, site))
    if status == AppointmentStatus.NO_SHOW:
        raise MarkedNoShow


def _mark_checked_in(appointment: Appointment) -> None:
    now = timezone.now()
    # Her visit before the appointment (ADR 0009): the check-in of an undone
    # check-in re-opens it, and an undo or a result at the desk takes the visit
    # first and the appointment after.
    screening_services.visit_lock_for_appointment(appointment_id=appointment.pk)
    # Of two desks checking her in at once, one changes the row and the other
    # changes nothing and is told who came first.
    if not appointment_transition(
        appointment, CHECK_IN, now=now, changes={"checked_in_at": now}
    ):
        appointment.refresh_from_db()
        _refuse_unless_booked(appointment)
        raise AppointmentChanged


def _audit_check_in(
    *,
    appointment: Appointment,
    by: User,
    via: str,
    site: Site,
    booked_for: date,
    today: date,
    request: HttpRequest | None,
) -> None:
    booked_site = appointment.slot.site
    other_day = booked_for != today
    other_site = site.pk != booked_site.pk
    if other_site:
        purpose = "came to another site"
    elif other_day:
        purpose = "came on another day"
    else:
        purpose = "check-in"
    audit_record(
        actor=by,
        action="appointment.checkin",
        obj_type="appointment",
        obj_id=appointment.pk,
        request=request,
        purpose=purpose,
        details={
            "via": via,
            "site": site.pk,
            "booked_site": booked_site.pk,
            "booked_for": booked_for.isoformat(),
            "forced": other_day or other_site,
        },
    )


def _open_visit(appointment: Appointment, *, site: Site, today: date, by: User) -> None:
    """Her visit, and her queue number and route where the site runs stations."""
    visit = screening_services.visit_open(
        campaign=appointment.campaign,
        participant=appointment.participant,
        site_id=site.pk,
        site_name=site.name,
        day=today,
        appointment_id=appointment.pk,
        reference=appointment.reference,
        by=by,
    )
    station_services.ticket_open(visit=visit)


def check_in_locked(
    *,
    appointment: Appointment,
    by: User,
    via: str,
    force: bool,
    request: HttpRequest | None,
    visit_site: Site | None = None,
) -> Appointment:
    """Check in an appointment already known to be at one of `by`'s sites, inside
    the caller's transaction; the visit opens at `visit_site`, the booked site
    unless the desk confirmed she came to another."""
    booked_site = appointment.slot.site
    site = visit_site or booked_site
    _refuse_unless_booked(appointment)
    today = site_today(site=site)
    booked_for = _local_day(appointment.slot.starts_at, booked_site)
    if booked_for != today and not force:
        raise NotToday(booked_for=booked_for.isoformat())

    _mark_checked_in(appointment)
    _open_visit(appointment, site=site, today=today, by=by)
    # Reminders still waiting would only confuse her now that she is here.
    notifications_cancel_pending(dedupe_key_prefix=dedupe_prefix(appointment))
    _audit_check_in(
        appointment=appointment,
        by=by,
        via=via,
        site=site,
        booked_for=booked_for,
        today=today,
        request=request,
    )
    logger.info(
        "scheduling.checked_in id=%s site=%s by=%s via=%s",
        appointment.pk,
        site.pk,
        by.pk,
        via,
    )
    return appointment


def appointment_check_in(
    *,
    by: User,
    reference: str | None = None,
    token: str | None = None,
    force: bool = False,
    via: str | None = None,
    at_site: Site | None = None,
    force_site: bool = False,
    request: HttpRequest | None = None,
) -> Appointment:
    """Check her in by booking reference or by the token of her QR code, at the
    desk of `at_site` when one is named.

    Raises AppointmentNotFound; OtherSite for a booking at a site `by` does not
    work at (before anything about it is said); BookedElsewhere for a booking
    at another of her sites than `at_site`, unless `force_site`; then
    AppointmentCancelled, AlreadyCheckedIn or MarkedNoShow; NotToday for a
    booking of another day unless `force`, which is then audited as "came on
    another day".
    """
    appointment = appointment_for_checkin(reference=reference, token=token)
    if not desk_sites(user=by).filter(pk=appointment.slot.site_id).exists():
        raise OtherSite
    if at_site is not None and at_site.pk != appointment.slot.site_id:
        # Refused bookings say so first: there is nothing to move to this desk.
        _refuse_unless_booked(appointment)
    visit_site = checkin_site(
        appointment=appointment, at_site=at_site, force_site=force_site
    )
    with transaction.atomic():
        return check_in_locked(
            appointment=appointment,
            by=by,
            via=via or (VIA_QR if token else VIA_REFERENCE),
            force=force,
            request=request,
            visit_site=visit_site,
        )


def _undo_transition(
    appointment: Appointment, *, checked_in_at: datetime, now: datetime
) -> None:
    """A booking goes back to `booked`; a walk-in is cancelled and gives its
    places back. On the check-in time: a second undo, or a check-in redone
    meanwhile, finds nothing to change (AppointmentChanged)."""
    if appointment.is_walk_in:
        transition = UNDO_WALK_IN
        changes: dict[str, Any] = {"checked_in_at": None, "cancelled_at": now}
    else:
        transition = UNDO_CHECK_IN
        changes = {"checked_in_at": None}
    if not appointment_transition(
        appointment,
        transition,
        now=now,
        expect={"checked_in_at": checked_in_at},
        changes=changes,
    ):
        raise AppointmentChanged


def appointment_check_in_undo(
    *, by: User, appointment_id: int, request: HttpRequest | None = None
) -> Appointment:
    """Take back a check-in made by mistake, within the first 15 minutes.

    A booking goes back to `booked`; a walk-in is cancelled and her place given
    back, since nobody is coming for it later. Raises NotCheckedIn, UndoExpired,
    and screening's ResultsExist once a result is recorded.
    """
    appointment = desk_appointment_get(user=by, appointment_id=appointment_id)
    if appointment.status != AppointmentStatus.CHECKED_IN:
        raise NotCheckedIn
    now = timezone.now()
    checked_in_at = appointment.checked_in_at
    if checked_in_at is None or checked_in_at < now - _undo_window():
        raise UndoExpired
    with transaction.atomic():
        visit = screening_selectors.visit_for_appointment(appointment_id=appointment.pk)
        if visit is not None:
            station_services.ticket_drop(visit_id=visit.pk)
            screening_services.visit_undo(visit=visit, by=by)
        _undo_transition(appointment, checked_in_at=checked_in_at, now=now)
        audit_record(
            actor=by,
            action="appointment.checkin_undo",
            obj_type="appointment",
            obj_id=appointment.pk,
            request=request,
            purpose="check-in undone",
            details={"site": appointment.slot.site_id},
        )
    logger.info("scheduling.checkin_undone id=%s by=%s", appointment.pk, by.pk)
    return appointment
