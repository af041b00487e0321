"""Who sees which figures (SPEC §8.4 with §4a).

- Clinic staff (the hospital's clinic leads) see their own sites' exact counts,
  and program admins, who may act at any desk, every site's.
- Union staff see the same indicators for the whole campaign, suppressed and
  cell-key rounded (indicators.report); never a site's exact count, never the
  quarterly table or the reconciliation, which are the hospital's exact filings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.permissions import is_staff_with_role
from common.errors import ApplicationError, Forbidden
from scheduling.desk.selectors import desk_sites as clinic_sites


class SiteNotYours(ApplicationError):
    code = "site_not_yours"
    status = 403

    def default_detail(self) -> str | Promise:
        return _("That site is not one of yours.")


class InvalidSite(ApplicationError):
    code = "invalid_site"
    status = 400

    def default_detail(self) -> str | Promise:
        return _("Give the site as its number.")


@dataclass(frozen=True)
class Audience:
    exact: bool
    site_ids: list[int] | None  # None: the whole campaign


def _site(raw: str | None) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidSite from None


def audience_for(user: Any, raw_site: str | None) -> Audience:
    """What this user may be shown; a site outside theirs is refused, not
    silently widened or emptied."""
    site = _site(raw_site)
    if is_staff_with_role(user, Role.CLINIC, Role.ADMIN):
        mine = list(clinic_sites(user=user).values_list("pk", flat=True))
        if site is not None and site not in mine:
            raise SiteNotYours
        if site is None and user.role == Role.ADMIN:
            return Audience(exact=True, site_ids=None)
        return Audience(exact=True, site_ids=[site] if site is not None else mine)
    if is_staff_with_role(user, Role.UNION):
        if site is not None:
            # A site's figures for the union come only from the breakdown, under
            # the same suppression as the other groups.
            raise Forbidden(_("Use the breakdown by site."), code="site_breakdown_only")
        return Audience(exact=False, site_ids=None)
    raise Forbidden


def exact_audience_for(user: Any, raw_site: str | None) -> Audience:
    audience = audience_for(user, raw_site)
    if not audience.exact:
        raise Forbidden(
            _("The hospital's filings show exact counts: not for union staff.")
        )
    return audience
