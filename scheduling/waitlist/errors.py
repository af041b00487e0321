"""Why the waitlist said no; the API handler maps each to {"code", "detail"}."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError, Conflict, NotFound


class EntryNotFound(NotFound):
    code = "not_found"

    def default_detail(self) -> str | Promise:
        return _("There is no such waitlist entry.")


class SiteNotInCampaign(ApplicationError):
    code = "site_not_in_campaign"
    status = 400

    def default_detail(self) -> str | Promise:
        return _("This campaign has no screening days at this site.")


class AlreadyWaiting(Conflict):
    code = "already_waiting"

    def default_detail(self) -> str | Promise:
        return _("You are already on the waitlist of this campaign.")


class PlacesAvailable(Conflict):
    code = "places_available"

    def default_detail(self) -> str | Promise:
        return _("There are still places on this day: please book one.")


class OfferExpired(Conflict):
    code = "offer_expired"

    def default_detail(self) -> str | Promise:
        return _("The place held for you has passed to the next woman in line.")
