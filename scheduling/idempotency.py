"""Idempotency at the HTTP edge: a repeated request gets the first answer.

`answer_once` wraps any handler of a woman's request. It runs the handler at
most once per (participant, Idempotency-Key), stores the answer the handler
rendered (status and body) and gives that answer back to every repeat. The
services under it take and return domain objects and know nothing of keys.

The record is inserted before the handler runs, in the same transaction. A
concurrent request with the same key blocks on the unique index until the first
commits, then reads its answer; if the first rolled back, the second runs the
handler instead. A refusal (an ApplicationError, or any answer of 400 or more)
is stored too, after what the handler wrote is rolled back: the same request
gets the same answer. The same key sent with another request is
IdempotencyKeyReused.
"""

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction

from common.errors import ApplicationError
from scheduling.errors import (
    AlreadyBooked,
    AppointmentChanged,
    IdempotencyKeyReused,
    SlotClosed,
    SlotFull,
    SlotNotFound,
)
from scheduling.models import Appointment, IdempotencyRecord
from scheduling.services import appointment_book
from screening.errors import NotEligible
from screening.models import Participant
from screening.reasons import Reason

logger = logging.getLogger(__name__)

# What a handler renders: an HTTP status and a JSON body.
Answer = tuple[int, dict[str, Any]]


class _Refused(Exception):
    """A rendered refusal, raised only to roll its savepoint back."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer


def error_body(error: ApplicationError) -> dict[str, Any]:
    """The body the API's exception handler gives for `error`."""
    return {"code": error.code, "detail": str(error.detail), **error.extra}


@transaction.atomic
def answer_once(
    *,
    participant: Participant,
    key: str,
    fingerprint: str,
    handler: Callable[[], Answer],
) -> Answer:
    """The stored answer for (participant, key), or the handler's, stored.

    `fingerprint` names the request (method, path and what it asks for); a key
    already used with another fingerprint raises IdempotencyKeyReused."""
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                participant=participant,
                key=key,
                request_fingerprint=fingerprint,
                response_status=0,
            )
    except IntegrityError:
        stored = IdempotencyRecord.objects.get(participant=participant, key=key)
        if stored.request_fingerprint != fingerprint:
            raise IdempotencyKeyReused from None
        logger.info(
            "scheduling.idempotent_repeat record=%s participant=%s",
            stored.pk,
            participant.pk,
        )
        return stored.response_status, stored.response_body
    try:
        # A savepoint: a refusal rolls back, the record of the refusal stays.
        with transaction.atomic():
            status, body = handler()
            if status >= 400:
                raise _Refused((status, body))
    except _Refused as refused:
        status, body = refused.answer
    except ApplicationError as error:
        status, body = error.status, error_body(error)
    record.response_status = status
    record.response_body = body
    record.save(update_fields=["response_status", "response_body"])
    return status, body


# --- Booking, the request that carries a key ---------------------------------------


def booking_fingerprint(*, slot_id: int) -> str:
    return hashlib.sha256(f"POST /appointments/ slot={slot_id}".encode()).hexdigest()


def booking_summary(appointment: Appointment) -> dict[str, Any]:
    """What the booking page keeps of a new booking: enough to find it again."""
    return {
        "id": appointment.pk,
        "reference": appointment.reference,
        "status": appointment.status,
        "slot": appointment.slot_id,
    }


def booking_answer_once(
    *,
    participant: Participant,
    slot_id: int,
    key: str,
    render: Callable[[Appointment], dict[str, Any]] = booking_summary,
) -> Answer:
    """Book at most once per (participant, key); return (HTTP status, body).
    `render` turns the new appointment into the body (the API passes its own);
    a refusal is stored as {"code", "detail", ...}."""

    def book() -> Answer:
        appointment = appointment_book(participant=participant, slot_id=slot_id)
        return 201, dict(render(appointment))

    return answer_once(
        participant=participant,
        key=key,
        fingerprint=booking_fingerprint(slot_id=slot_id),
        handler=book,
    )


_REPLAYABLE_ERRORS: dict[str, type[ApplicationError]] = {
    error.code: error
    for error in (AlreadyBooked, SlotClosed, SlotFull, SlotNotFound, AppointmentChanged)
}


def answer_error(*, status: int, body: dict[str, Any]) -> ApplicationError:
    """A stored refusal as the exception the first request met, so that a page
    can answer a repeat the way it answers the first."""
    code = body.get("code", "")
    if code == NotEligible.code:
        return NotEligible(
            reasons=[
                Reason(code=reason["code"], message=reason["message"])
                for reason in body.get("reasons", [])
            ]
        )
    if code in _REPLAYABLE_ERRORS:
        return _REPLAYABLE_ERRORS[code](body.get("detail"))
    extra = {k: v for k, v in body.items() if k not in ("code", "detail")}
    error = ApplicationError(body.get("detail"), code=code, extra=extra)
    error.status = status
    return error


def appointment_book_with_key(
    *, participant: Participant, slot_id: int, key: str
) -> Appointment:
    """The booking page's way in: the appointment the first request with `key`
    made, or the error it met, raised again."""
    status, body = booking_answer_once(
        participant=participant, slot_id=slot_id, key=key
    )
    if status != 201:
        raise answer_error(status=status, body=body)
    return Appointment.objects.select_related("slot__site", "campaign").get(
        pk=body["id"], participant=participant
    )
