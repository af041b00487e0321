"""Which sites a member of staff may see. The staff-to-site roster lives in a
layer above this app, so the project's settings name the function that reads
it (SPECIMEN_SITE_SCOPE) and this app never imports that layer."""

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from screening.models import Visit
from specimens.errors import OtherSite


def allowed_site_ids(user: Any) -> list[int] | None:
    """Her sites' ids, or None for a program admin, who may see every site."""
    return import_string(settings.SPECIMEN_SITE_SCOPE)(user=user)


def check_site(visit: Visit, site_ids: list[int] | None) -> None:
    if site_ids is not None and visit.site_id not in site_ids:
        raise OtherSite
