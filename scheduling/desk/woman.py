"""The one woman in front of the nurse, shown in full.

Lists of the day stay masked: a hundred names on a screen are a hundred records
read. On a page about one woman (her check-in, her results) the nurse needs to
tell who she is, so full name and birth date are shown there, and each showing
is audited as the staff read of her record it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpRequest

from common.audit import audit_record
from common.masking import mask_id_number, mask_phone
from scheduling.models import Appointment

SHOWN = ["full_name", "birth_date"]


@dataclass(frozen=True)
class WomanShown:
    full_name: str
    birth_date: date
    phone: str
    id_number: str


def desk_woman_read(
    *,
    by: Any,
    appointment: Appointment,
    purpose: str,
    request: HttpRequest | None = None,
) -> WomanShown:
    """Her full name and birth date (phone and ID number stay masked), with the
    audit event of the read."""
    participant = appointment.participant
    audit_record(
        actor=by,
        action="appointment.view",
        obj_type="appointment",
        obj_id=appointment.pk,
        request=request,
        purpose=purpose,
        details={"shown": SHOWN},
    )
    return WomanShown(
        full_name=participant.full_name,
        birth_date=participant.birth_date,
        phone=mask_phone(participant.phone),
        id_number=mask_id_number(participant.id_number),
    )
