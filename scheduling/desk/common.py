"""What every desk page shares: who may open it, which site and day it is
about, and the address of the day list to go back to."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.models import Role, User
from accounts.permissions import staff_page
from common.errors import ApplicationError
from scheduling.desk.dates import desk_date_parse
from scheduling.desk.selectors import desk_site_get, desk_sites, site_today
from scheduling.errors import OtherSite
from scheduling.models import Site

desk_page = staff_page(Role.CLINIC, Role.ADMIN)

# A site id longer than this is no site: it would only overflow the column.
SITE_ID_MAX_DIGITS = 9


def desk_staff(request: HttpRequest) -> User:
    # desk_page has let only a clinic or admin account through.
    return cast(User, request.user)


def site_or_choice(request: HttpRequest) -> Site | None:
    """The site asked for, the only one she works at, or None: let her choose."""
    raw = request.GET.get("site") or request.POST.get("site")
    if raw and raw.isascii() and raw.isdigit():
        if len(raw) > SITE_ID_MAX_DIGITS:
            raise PermissionDenied
        try:
            return desk_site_get(user=request.user, site_id=int(raw))
        except OtherSite:
            raise PermissionDenied from None
    sites = list(desk_sites(user=request.user)[:2])
    return sites[0] if len(sites) == 1 else None


def require_site(request: HttpRequest) -> Site:
    site = site_or_choice(request)
    if site is None:
        raise PermissionDenied
    return site


def desk_day(request: HttpRequest, site: Site) -> date:
    """The day asked for, or the site's today. Raises DateInvalid, or
    DateOutOfRange for a day too far away to mean anything at a desk."""
    return desk_date_parse(request.GET.get("date", ""), today=site_today(site=site))


def desk_url(site: Site, day: date | None = None, anchor: str = "") -> str:
    query: dict[str, Any] = {"site": site.pk}
    if day is not None and day != site_today(site=site):
        query["date"] = day.isoformat()
    return reverse("desk") + "?" + urlencode(query) + anchor


def undo_window() -> timedelta:
    return timedelta(minutes=getattr(settings, "CHECKIN_UNDO_MINUTES", 15))


def bad_day(request: HttpRequest, site: Site, error: ApplicationError) -> HttpResponse:
    """A 400 page for a day the desk cannot show, with the way back to today."""
    return render(
        request,
        "scheduling/desk/bad_day.html",
        {"site": site, "error": error, "back": desk_url(site)},
        status=error.status,
    )
