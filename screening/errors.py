"""What the screening services say no with. Each error has a stable `code`."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError, Conflict, Forbidden, NotFound
from screening.reasons import Reason, contact_sentence


class ValidationFailed(ApplicationError):
    """One or more fields are wrong. `errors` maps a field to its messages, the
    shape forms and DRF use."""

    code = "invalid"
    status = 400

    def __init__(self, *, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(_("Some fields need correcting."), extra={"errors": errors})


class PhoneInvalid(ApplicationError):
    code = "phone_invalid"
    status = 400


class OtpRateLimited(ApplicationError):
    """Too many codes for this phone or from this address. `retry_after` is in
    whole seconds, for the Retry-After header."""

    code = "otp_rate_limited"
    status = 429

    def __init__(self, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            _("Too many codes were requested. Please wait and try again."),
            extra={"retry_after": retry_after},
        )


class OtpInvalid(ApplicationError):
    """Wrong, expired, used or exhausted: the same answer, so nothing leaks."""

    code = "otp_invalid"
    status = 400

    def default_detail(self) -> str:
        return gettext("This code is wrong or has expired. Request a new code.")


class AlreadyRegistered(Conflict):
    code = "already_registered"

    def default_detail(self) -> str:
        return gettext("This phone number is already registered. Sign in instead.")


class IdTaken(Conflict):
    code = "id_taken"

    def __init__(self, *, contact_phone: str) -> None:
        super().__init__(
            gettext("This ID number is already registered with another phone number.")
            + " "
            + contact_sentence(contact_phone)
        )


class NotRegistered(NotFound):
    code = "not_registered"

    def default_detail(self) -> str:
        return gettext("This phone number has not registered yet.")


class CampaignRequired(ApplicationError):
    """More than one campaign is open, and the request did not say which."""

    code = "campaign_required"
    status = 400

    def default_detail(self) -> str:
        return gettext("Choose the screening campaign to register for.")


class CampaignUnavailable(ApplicationError):
    """No campaign is open, or the one asked for is not."""

    code = "campaign_unavailable"
    status = 400

    def default_detail(self) -> str:
        return gettext("This screening campaign is not taking registrations.")


class NotEligible(Forbidden):
    """Booking refused; `reasons` says every rule that stood in the way."""

    code = "not_eligible"

    def __init__(self, *, reasons: list[Reason]) -> None:
        self.reasons = reasons
        super().__init__(
            gettext("You cannot book in this campaign."),
            extra={
                "reasons": [
                    {"code": reason.code, "message": reason.message}
                    for reason in reasons
                ]
            },
        )


# --- Visits, results, imports and follow-up.


class VisitNotFound(NotFound):
    code = "visit_not_found"

    def default_detail(self) -> str:
        return gettext("No visit was found for this check-in.")


class NotCheckedIn(Conflict):
    """The visit's check-in was undone: results cannot attach to it."""

    code = "not_checked_in"

    def default_detail(self) -> str:
        return gettext("She is not checked in, so results cannot be recorded.")


class ResultsExist(Conflict):
    code = "results_exist"

    def default_detail(self) -> str:
        return gettext(
            "Results were recorded for this visit, so the check-in cannot be undone."
        )


class ResultInvalid(ValidationFailed):
    """An unknown test, or a value that is not a code of its test."""


class ResultImportInvalid(ApplicationError):
    """The upload cannot be a lab CSV: empty, binary, or without the columns."""

    code = "not_csv"
    status = 400


class ResultImportNotFound(NotFound):
    code = "import_not_found"

    def default_detail(self) -> str:
        return gettext("No such result import.")


class FollowUpTransitionInvalid(Conflict):
    code = "transition_invalid"

    def __init__(self, *, from_status: str, to_status: str) -> None:
        self.from_status = from_status
        self.to_status = to_status
        super().__init__(
            gettext("A follow-up case cannot go from %(from)s to %(to)s.")
            % {"from": from_status, "to": to_status},
            extra={"from_status": from_status, "to_status": to_status},
        )


class ConsentNotPossible(Conflict):
    code = "consent_not_possible"

    def default_detail(self) -> str:
        return gettext("Your data has been deleted; please sign up again.")
