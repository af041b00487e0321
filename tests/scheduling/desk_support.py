"""Shared set-up of the clinic desk tests: a site with its staff, today's slots."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.services import staff_token_issue
from scheduling.models import Appointment, Site, Slot
from tests.accounts.factories import UserFactory
from tests.scheduling.factories import SHANGHAI, AppointmentFactory, SlotFactory


def today_at(hour: int, *, days: int = 0) -> datetime:
    """Today (plus `days`) in Asia/Shanghai at the given hour."""
    day = timezone.localdate(timezone=SHANGHAI) + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def clinic_user(*sites: Site, role: str = Role.CLINIC) -> User:
    user = UserFactory(role=role)
    for site in sites:
        site.staff.add(user)
    return user


def token_client(user: User) -> APIClient:
    """A client sending the staff token, as a desk app would."""
    _token, key = staff_token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def slot_today(*, site: Site, hour: int = 9, days: int = 0, **kwargs) -> Slot:
    starts_at = today_at(hour, days=days)
    return SlotFactory(
        site=site, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), **kwargs
    )


def booked_today(
    *, site: Site, hour: int = 9, days: int = 0, campaign=None, **kwargs
) -> Appointment:
    """A booked appointment at `site` today (or `days` away); the slot counts it."""
    extra = {"campaign": campaign} if campaign is not None else {}
    slot = slot_today(site=site, hour=hour, days=days, booked=1, **extra)
    return AppointmentFactory(slot=slot, **kwargs)
