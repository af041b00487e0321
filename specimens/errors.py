"""What the specimen services say no with. Each error has a stable `code`."""

from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError, Conflict, Forbidden, NotFound


class NotCheckedIn(Conflict):
    code = "not_checked_in"

    def default_detail(self) -> str:
        return str(_("She is not checked in, so no sample can be taken."))


class NothingToSample(Conflict):
    code = "nothing_to_sample"

    def default_detail(self) -> str:
        return str(_("Her screening takes no sample of this kind."))


class AlreadyCollected(Conflict):
    code = "already_collected"

    def default_detail(self) -> str:
        return str(_("This sample was already taken and not rejected."))


class StatusChanged(Conflict):
    """The specimen is not in a state that allows this step (another desk moved
    it first, or it is already resulted)."""

    code = "status_changed"

    def default_detail(self) -> str:
        return str(_("This specimen has moved on; reload the page."))


class ReasonInvalid(ApplicationError):
    code = "reason_invalid"
    status = 400

    def default_detail(self) -> str:
        return str(_("Choose a reason for the rejection."))


class SpecimenNotFound(NotFound):
    code = "specimen_not_found"

    def default_detail(self) -> str:
        return str(_("No such specimen."))


class VisitNotFound(NotFound):
    code = "visit_not_found"

    def default_detail(self) -> str:
        return str(_("No such visit."))


class OtherSite(Forbidden):
    code = "other_site"

    def default_detail(self) -> str:
        return str(_("This belongs to a site you do not work at."))


class NothingToDispatch(Conflict):
    code = "nothing_to_dispatch"

    def default_detail(self) -> str:
        return str(_("No collected tube is waiting to go to the lab."))


class AlreadyResulted(StatusChanged):
    """A resulted tube is final: it cannot be rejected any more."""

    code = "already_resulted"

    def default_detail(self) -> str:
        return str(_("This specimen already has its result."))


class FilterInvalid(ApplicationError):
    code = "filter_invalid"
    status = 400

    def default_detail(self) -> str:
        return str(_("These filters are not understood."))
