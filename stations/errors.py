"""What the station services say no with. Each error has a stable `code`."""

from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError, Conflict, Forbidden, NotFound


class OtherSite(Forbidden):
    code = "other_site"

    def default_detail(self) -> str:
        return str(_("This station belongs to a site you do not work at."))


class StationNotFound(NotFound):
    code = "station_not_found"

    def default_detail(self) -> str:
        return str(_("No such station."))


class TicketNotFound(NotFound):
    code = "ticket_not_found"

    def default_detail(self) -> str:
        return str(_("She has no queue number today."))


class NotCalledHere(Conflict):
    """The stop is not in the state this step needs at this station: another
    room moved her first, or she was never called here."""

    code = "not_called_here"

    def default_detail(self) -> str:
        return str(_("She is not called at this station; reload the screen."))


class RoomBusy(Conflict):
    code = "room_busy"

    def default_detail(self) -> str:
        return str(_("This room still has a woman: mark her done or not answering."))


class RoomInvalid(ApplicationError):
    code = "room_invalid"

    def default_detail(self) -> str:
        return str(_("This station has no such room."))


class RouteOpen(Conflict):
    code = "route_open"

    def default_detail(self) -> str:
        return str(_("A station on her route is still open."))


class TicketClosed(Conflict):
    code = "ticket_closed"

    def default_detail(self) -> str:
        return str(_("She has already finished or left."))


class SiteRequired(ApplicationError):
    code = "site_required"

    def default_detail(self) -> str:
        return str(_("Choose the site."))
