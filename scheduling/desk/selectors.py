"""The desk's reads: the sites a staff member works at, her appointments there,
the day's rows and counts, and the search behind the desk's search box.

Every desk read goes through desk_sites(): clinic staff see the sites they
work at, program admins every active site, anyone else nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from common.masking import mask_id_number, mask_name, mask_phone
from scheduling.errors import AppointmentNotFound, OtherSite
from scheduling.models import (
    Appointment,
    AppointmentStatus,
    Site,
)
from scheduling.selectors import day_bounds


def desk_sites(*, user: Any) -> QuerySet[Site]:
    role = getattr(user, "role", None)
    if not getattr(user, "is_authenticated", False):
        return Site.objects.none()
    if role == "admin":
        return Site.objects.filter(is_active=True).order_by("code")
    if role == "clinic":
        return Site.objects.filter(is_active=True, staff=user).order_by("code")
    return Site.objects.none()


def upload_site_ids(*, user: Any) -> list[int] | None:
    """The sites a lab upload by this user may record results for (None: any)."""
    if getattr(user, "role", None) == "admin":
        return None
    return list(desk_sites(user=user).values_list("pk", flat=True))


def desk_site_get(*, user: Any, site_id: int) -> Site:
    """One of her sites, or OtherSite."""
    site = desk_sites(user=user).filter(pk=site_id).first()
    if site is None:
        raise OtherSite
    return site


def site_today(*, site: Site) -> date:
    return timezone.localdate(timezone=ZoneInfo(site.timezone))


def desk_appointment_get(*, user: Any, appointment_id: int) -> Appointment:
    """An appointment at one of her sites: AppointmentNotFound, or OtherSite for
    another site's, which tells nothing about it."""
    appointment = (
        Appointment.objects.select_related("slot__site", "participant", "campaign")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise AppointmentNotFound
    if not desk_sites(user=user).filter(pk=appointment.slot.site_id).exists():
        raise OtherSite
    return appointment


@dataclass(frozen=True)
class DeskRow:
    """One woman on the desk's list, masked before it leaves this module."""

    id: int
    reference: str
    starts_at: datetime
    status: str
    status_label: str
    name: str
    phone: str
    id_number: str
    is_walk_in: bool
    checked_in_at: datetime | None


@dataclass(frozen=True)
class DayCounts:
    booked: int
    checked_in: int
    screened: int
    no_show: int
    cancelled: int


def _desk_row(appointment: Appointment) -> DeskRow:
    participant = appointment.participant
    return DeskRow(
        id=appointment.pk,
        reference=appointment.reference,
        starts_at=appointment.slot.starts_at,
        status=appointment.status,
        status_label=str(appointment.get_status_display()),
        name=mask_name(participant.full_name),
        phone=mask_phone(participant.phone),
        id_number=mask_id_number(participant.id_number),
        is_walk_in=appointment.is_walk_in,
        checked_in_at=appointment.checked_in_at,
    )


def _appointments_between(*, site: Site, first: date, last: date) -> Any:
    zone = ZoneInfo(site.timezone)
    start, _ = day_bounds(first, zone)
    _, end = day_bounds(last, zone)
    return (
        Appointment.objects.filter(
            slot__site=site, slot__starts_at__gte=start, slot__starts_at__lt=end
        )
        .select_related("participant", "slot")
        .order_by("slot__starts_at", "id")
    )


def desk_day_rows(*, site: Site, day: date) -> list[DeskRow]:
    """Every appointment of the day at the site, walk-ins included, masked."""
    rows = _appointments_between(site=site, first=day, last=day)
    return [_desk_row(appointment) for appointment in rows]


def desk_day_counts(*, rows: list[DeskRow]) -> DayCounts:
    statuses = [row.status for row in rows]
    return DayCounts(
        booked=sum(status != AppointmentStatus.CANCELLED for status in statuses),
        checked_in=sum(
            status in (AppointmentStatus.CHECKED_IN, AppointmentStatus.SCREENED)
            for status in statuses
        ),
        screened=statuses.count(AppointmentStatus.SCREENED),
        no_show=statuses.count(AppointmentStatus.NO_SHOW),
        cancelled=statuses.count(AppointmentStatus.CANCELLED),
    )


# The desk looks a woman up among the bookings of the day and the days either
# side only: a few hundred rows at most, so decrypting them is cheap, and a
# search can never sweep the whole register.
SEARCH_DAYS_AROUND = 1


def desk_search_rows(
    *, site: Site, day: date, phone_last4: str, name_initial: str
) -> list[DeskRow]:
    """Exact matches on the last four digits of her phone and the first character
    of her name, among the site's active bookings around `day`."""
    around = timedelta(days=SEARCH_DAYS_AROUND)
    candidates = _appointments_between(
        site=site, first=day - around, last=day + around
    ).exclude(status=AppointmentStatus.CANCELLED)
    return [
        _desk_row(appointment)
        for appointment in candidates
        if appointment.participant.phone.endswith(phone_last4)
        and appointment.participant.full_name.startswith(name_initial)
    ]
