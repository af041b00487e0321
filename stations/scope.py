"""Which sites a member of staff may work at. The staff-to-site roster lives in
a layer above this app, so the project's settings name the function that reads
it (STATION_SITE_SCOPE) and this app never imports that layer."""

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from stations.errors import OtherSite, SiteRequired, StationNotFound
from stations.models import Station


def allowed_site_ids(user: Any) -> list[int] | None:
    """Her sites' ids, or None for a program admin, who may see every site."""
    return import_string(settings.STATION_SITE_SCOPE)(user=user)


def site_for(user: Any, site_id: int | None) -> Any:
    """The site asked for, if she works there; her only site when none is named."""
    allowed = allowed_site_ids(user)
    site_model = apps.get_model("scheduling", "Site")
    if site_id is None:
        if allowed is None or len(allowed) != 1:
            raise SiteRequired
        site_id = allowed[0]
    if allowed is not None and site_id not in allowed:
        raise OtherSite
    site = site_model.objects.filter(pk=site_id).first()
    if site is None:
        raise OtherSite
    return site


def station_for(user: Any, station_id: int) -> Station:
    """A station of one of her sites; 404 for none, 403 for another site's."""
    station = Station.objects.filter(pk=station_id).select_related("site").first()
    if station is None:
        raise StationNotFound
    allowed = allowed_site_ids(user)
    if allowed is not None and station.site_id not in allowed:
        raise OtherSite
    return station


def site_day(site: Any, now: Any = None) -> date:
    """Today in the site's own zone."""
    return timezone.localtime(now or timezone.now(), ZoneInfo(site.timezone)).date()


def sites_with_stations(site_ids: list[int] | None) -> list[Any]:
    """Her sites (every site for None) that run their day through stations."""
    sites = apps.get_model("scheduling", "Site").objects.filter(
        stations__is_active=True
    )
    if site_ids is not None:
        sites = sites.filter(pk__in=site_ids)
    return list(sites.distinct().order_by("name"))
