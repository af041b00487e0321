"""Why a booking, a cancellation or a move was refused. The API handler turns each
into {"code", "detail"} with its status; pages show the same translated detail."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError, Conflict, Forbidden, NotFound


class CampaignNotFound(NotFound):
    code = "campaign_not_found"

    def default_detail(self) -> str | Promise:
        return _("There is no such campaign.")


class SlotNotFound(NotFound):
    code = "slot_not_found"

    def default_detail(self) -> str | Promise:
        return _("There is no such time slot.")


class AppointmentNotFound(NotFound):
    code = "not_found"

    def default_detail(self) -> str | Promise:
        return _("There is no such appointment.")


class SlotClosed(ApplicationError):
    code = "slot_closed"
    status = 400

    def default_detail(self) -> str | Promise:
        return _("This time slot can no longer be booked.")


class WrongCampaign(ApplicationError):
    code = "wrong_campaign"
    status = 400

    def default_detail(self) -> str | Promise:
        return _("An appointment can only move to a slot of its own campaign.")


class SameSlot(ApplicationError):
    code = "same_slot"
    status = 400

    def default_detail(self) -> str | Promise:
        return _("The appointment is already at this time.")


class SlotFull(Conflict):
    code = "slot_full"

    def default_detail(self) -> str | Promise:
        return _("This time slot is full. Please choose another time.")


class AlreadyBooked(Conflict):
    code = "already_booked"

    def default_detail(self) -> str | Promise:
        return _("You already have an appointment in this campaign.")


class NotCancellable(Conflict):
    code = "not_cancellable"

    def default_detail(self) -> str | Promise:
        return _("This appointment can no longer be cancelled.")


class NotReschedulable(Conflict):
    code = "not_reschedulable"

    def default_detail(self) -> str | Promise:
        return _("This appointment can no longer be moved.")


class AppointmentChanged(Conflict):
    code = "appointment_changed"

    def default_detail(self) -> str | Promise:
        return _("The appointment was changed at the same time. Please try again.")


class IdempotencyKeyReused(ApplicationError):
    code = "idempotency_key_reused"
    status = 422

    def default_detail(self) -> str | Promise:
        return _("This Idempotency-Key was already used for a different request.")


class InvalidIdempotencyKey(ApplicationError):
    code = "invalid_idempotency_key"
    status = 400

    def default_detail(self) -> str | Promise:
        return _("The Idempotency-Key header must be 1 to 100 printable characters.")


# --- The desk ----------------------------------------------------------------


class OtherSite(Forbidden):
    """The record belongs to a site this staff member does not work at. Nothing
    about it is said, not even whether it exists beyond that."""

    code = "other_site"

    def default_detail(self) -> str | Promise:
        return _("This belongs to a site you do not work at.")


class SiteRequired(ApplicationError):
    code = "site_required"
    status = 400

    def default_detail(self) -> str | Promise:
        return _("Choose the site.")


class AppointmentCancelled(Conflict):
    code = "cancelled"

    def default_detail(self) -> str | Promise:
        return _("This appointment was cancelled.")


class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"

    def __init__(self, *, at: str) -> None:
        super().__init__(
            _("Already checked in at %(time)s.") % {"time": at},
            extra={"checked_in_at": at},
        )


class MarkedNoShow(Conflict):
    code = "no_show"

    def default_detail(self) -> str | Promise:
        return _(
            "This appointment was marked as missed. Book her again or register "
            "her as a walk-in."
        )


class NotToday(ApplicationError):
    code = "not_today"
    status = 400

    def __init__(self, *, booked_for: str) -> None:
        super().__init__(
            _(
                "This appointment is for %(day)s, not today. Check her in anyway "
                "only if she is here now."
            )
            % {"day": booked_for},
            extra={"booked_for": booked_for},
        )


class NotCheckedIn(Conflict):
    code = "not_checked_in"

    def default_detail(self) -> str | Promise:
        return _("She has not been checked in.")


class UndoExpired(Conflict):
    code = "undo_expired"

    def default_detail(self) -> str | Promise:
        return _("A check-in can only be undone in the first 15 minutes.")


class WalkInsFull(Conflict):
    code = "walk_ins_full"

    def default_detail(self) -> str | Promise:
        return _("Today's places for walk-ins at this site are all taken.")


class NoCampaignToday(ApplicationError):
    code = "no_campaign_today"
    status = 400

    def default_detail(self) -> str | Promise:
        return _("No screening campaign runs at this site today.")


class SearchRateLimited(ApplicationError):
    code = "search_rate_limited"
    status = 429

    def __init__(self, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            _("Too many searches. Please wait a minute."),
            extra={"retry_after": retry_after},
        )


class NotCsv(ApplicationError):
    code = "not_csv"
    status = 400

    def default_detail(self) -> str | Promise:
        return _("Upload the lab's export as a CSV file.")
