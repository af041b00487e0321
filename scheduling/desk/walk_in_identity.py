"""Who a walk-in is: the phone, ID number and name typed at the desk, against the
women on record.

A walk-in is attached to a woman on record only when all three agree with that
one record. Anything else (an existing ID number with a new phone or another
name, an existing phone with another ID number, phone and ID number of two
different women) stops with IdentityConflict, naming the record it collides
with, masked. The nurse then corrects what she typed, or confirms that the woman
in front of her is that record; both the conflict and the confirmation are
audited. Without this, a visit, its results and the "result ready" message would
land on another woman.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.audit import audit_record
from common.crypto import keyed_hash
from common.errors import Conflict
from common.masking import mask_id_number, mask_name, mask_phone
from screening.idcard import normalise_id_number
from screening.models import Participant

PHONE = "phone"
ID_NUMBER = "id_number"
FULL_NAME = "full_name"


def masked_record(participant: Participant) -> dict[str, Any]:
    """What the desk may be told of the record a walk-in collides with."""
    return {
        "id": participant.pk,
        "name": mask_name(participant.full_name),
        "phone": mask_phone(participant.phone),
        "id_number": mask_id_number(participant.id_number),
    }


class IdentityConflict(Conflict):
    """Phone, ID number and name do not all agree with one woman on record."""

    code = "identity_conflict"

    def __init__(
        self, *, records: list[Participant], differs: list[str], confirmable: bool
    ) -> None:
        self.records = records
        self.differs = differs
        self.confirmable = confirmable
        super().__init__(
            self._detail(records=records, differs=differs),
            extra={
                "record": masked_record(records[0]),
                "records": [masked_record(record) for record in records],
                "differs": differs,
                "confirmable": confirmable,
            },
        )

    @staticmethod
    def _detail(*, records: list[Participant], differs: list[str]) -> str | Promise:
        if len(records) > 1:
            return _(
                "This phone number and this ID number belong to two different "
                "women on record. Check both with her and correct them."
            )
        record = records[0]
        shown = {
            "name": mask_name(record.full_name),
            "phone": mask_phone(record.phone),
            "id_number": mask_id_number(record.id_number),
        }
        if ID_NUMBER in differs:
            text = _(
                "This phone number is on record for %(name)s (ID %(id_number)s), "
                "with another ID number. Correct what you typed, or confirm that "
                "she is this woman."
            )
        else:
            text = _(
                "This ID number is on record for %(name)s (phone %(phone)s), with "
                "another phone number or name. Correct what you typed, or confirm "
                "that she is this woman."
            )
        return text % shown


@dataclass(frozen=True)
class TypedIdentity:
    phone: str
    full_name: str
    id_number: str

    @property
    def phone_hash(self) -> str:
        return keyed_hash(self.phone, purpose="phone")

    @property
    def id_hash(self) -> str:
        return keyed_hash(normalise_id_number(self.id_number), purpose="id")


def _same_name(a: str, b: str) -> bool:
    # Full-width letters and stray spaces are typing, not another woman.
    def plain(value: str) -> str:
        return "".join(unicodedata.normalize("NFKC", value).split())

    return plain(a) == plain(b)


def _differences(record: Participant, typed: TypedIdentity) -> list[str]:
    differs = []
    if record.phone_hash != typed.phone_hash:
        differs.append(PHONE)
    if record.id_hash != typed.id_hash:
        differs.append(ID_NUMBER)
    if not _same_name(record.full_name, typed.full_name):
        differs.append(FULL_NAME)
    return differs


def walk_in_identity_resolve(
    *,
    by: Any,
    typed: TypedIdentity,
    confirm_record: int | None = None,
    request: HttpRequest | None = None,
) -> Participant | None:
    """The woman on record this walk-in is, None for a new woman, or
    IdentityConflict when phone, ID number and name do not agree with one record.

    `confirm_record` is the nurse's answer to an earlier conflict: she has checked
    that the woman in front of her is that record. It is honoured only for the
    record the conflict named, and only when one record is involved. Runs outside
    the registration's transaction, so the audit of a conflict stays written.
    """
    by_phone = Participant.objects.filter(phone_hash=typed.phone_hash).first()
    by_id = Participant.objects.filter(id_hash=typed.id_hash).first()
    records = [r for r in dict.fromkeys([by_phone, by_id]) if r is not None]
    if not records:
        return None
    if len(records) > 1:
        _audit_conflict(
            by=by, records=records, differs=[PHONE, ID_NUMBER], request=request
        )
        raise IdentityConflict(
            records=records, differs=[PHONE, ID_NUMBER], confirmable=False
        )
    record = records[0]
    differs = _differences(record, typed)
    if not differs:
        return record
    if confirm_record == record.pk:
        audit_record(
            actor=by,
            action="walk_in.identity_confirmed",
            obj_type="participant",
            obj_id=record.pk,
            request=request,
            purpose="walk-in is the woman on record",
            details={"differs": differs},
        )
        return record
    _audit_conflict(by=by, records=records, differs=differs, request=request)
    raise IdentityConflict(records=records, differs=differs, confirmable=True)


def _audit_conflict(
    *,
    by: Any,
    records: list[Participant],
    differs: list[str],
    request: HttpRequest | None,
) -> None:
    # The nurse was shown each record, masked: a read of it, as any other.
    for record in records:
        audit_record(
            actor=by,
            action="walk_in.identity_conflict",
            obj_type="participant",
            obj_id=record.pk,
            request=request,
            purpose="walk-in identity check",
            details={"differs": differs},
        )
