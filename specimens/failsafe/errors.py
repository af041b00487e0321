"""What the failsafe says no with. Each error has a stable `code`."""

from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError, Conflict, NotFound


class ItemNotFound(NotFound):
    code = "failsafe_item_not_found"

    def default_detail(self) -> str:
        return str(_("No such item on the failsafe list."))


class CloseReasonInvalid(ApplicationError):
    code = "close_reason_invalid"
    status = 400

    def default_detail(self) -> str:
        return str(
            _("Choose why the item is closed: resulted, recollected or recalled.")
        )


class AlreadyClosed(Conflict):
    code = "already_closed"

    def default_detail(self) -> str:
        return str(_("This item was closed already; reload the list."))


class NotResulted(Conflict):
    code = "not_resulted"

    def default_detail(self) -> str:
        return str(_("No result is recorded for this tube yet."))


class NotRecollected(Conflict):
    code = "not_recollected"

    def default_detail(self) -> str:
        return str(_("No new sample of this kind has been taken from her since."))
