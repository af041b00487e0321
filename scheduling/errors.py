"""Why a booking, a cancellation or a move was refused. The API handler turns each
into {"code", "detail"} with its status; pages show the same translated detail."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError, Conflict, NotFound


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
